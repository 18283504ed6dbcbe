import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ack, ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { AddressInfo } from 'node:net';
import { of, timer, map } from 'rxjs';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import type { Socket } from 'socket.io';
import { PresenceIoAdapter } from './presence-io.adapter';

/**
 * The adapter binds `@SubscribeMessage` handlers without Nest's per-socket
 * RxJS pipelines; an application's own gateways on the same server must see
 * Nest's rules unchanged. A real Nest app, real sockets.
 */
@WebSocketGateway({ namespace: '/app' })
class AppGateway {
  @SubscribeMessage('value')
  value(@MessageBody() data: unknown) {
    return { echo: data };
  }

  @SubscribeMessage('promise')
  async promise(@MessageBody() data: unknown) {
    await new Promise((resolve) => setImmediate(resolve));
    return { later: data };
  }

  @SubscribeMessage('observable')
  observable(@MessageBody() data: number) {
    return timer(1).pipe(map(() => ({ doubled: data * 2 })));
  }

  @SubscribeMessage('event')
  event(@MessageBody() data: unknown) {
    return { event: 'reply', data: { got: data } };
  }

  @SubscribeMessage('manual')
  manual(@MessageBody() data: unknown, @Ack() ack: (response: unknown) => void) {
    ack({ manual: data });
    return { ignored: true };
  }

  @SubscribeMessage('nothing')
  nothing(@ConnectedSocket() socket: Socket) {
    socket.emit('side', 'effect');
    return undefined;
  }

  @SubscribeMessage('throws')
  throws(): unknown {
    throw new Error('boom');
  }

  @SubscribeMessage('many')
  many(@MessageBody() data: unknown) {
    return of({ args: data });
  }
}

@Module({ providers: [AppGateway] })
class AppModule {}

describe('PresenceIoAdapter: an application gateway', () => {
  let app: INestApplication;
  let socket: ClientSocket;

  beforeAll(async () => {
    app = await NestFactory.create(AppModule, { logger: false });
    app.useWebSocketAdapter(new PresenceIoAdapter(app, { maxHttpBufferSize: 65536 }));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    socket = io(`http://127.0.0.1:${port}/app`, { transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  });

  afterAll(async () => {
    socket?.close();
    await app?.close();
  });

  it('acks a returned value, a promise and an observable', async () => {
    await expect(socket.emitWithAck('value', { a: 1 })).resolves.toEqual({ echo: { a: 1 } });
    await expect(socket.emitWithAck('promise', 'x')).resolves.toEqual({ later: 'x' });
    await expect(socket.emitWithAck('observable', 21)).resolves.toEqual({ doubled: 42 });
  });

  it('emits a returned { event, data } instead of acking it', async () => {
    const reply = new Promise((resolve) => socket.once('reply', resolve));
    socket.emit('event', 7);
    await expect(reply).resolves.toEqual({ got: 7 });
  });

  it('leaves the ack to a handler that takes it', async () => {
    await expect(socket.emitWithAck('manual', 'm')).resolves.toEqual({ manual: 'm' });
  });

  it('sends nothing for an undefined result, and keeps serving after a handler throws', async () => {
    const side = new Promise((resolve) => socket.once('side', resolve));
    socket.emit('nothing');
    await expect(side).resolves.toBe('effect');
    // Nest's exception filter answers a throwing handler with an `exception` event.
    const exception = new Promise((resolve) => socket.once('exception', resolve));
    socket.emit('throws');
    await expect(exception).resolves.toEqual(expect.objectContaining({ status: 'error' }));
    await expect(socket.emitWithAck('value', 'still')).resolves.toEqual({ echo: 'still' });
  });

  it('passes several arguments as one array, as Nest does', async () => {
    await expect(socket.emitWithAck('many', 1, 2)).resolves.toEqual({ args: [1, 2] });
  });
});
