import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable } from 'rxjs';
import type { IncomingMessage } from 'node:http';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { isAllowedOrigin } from '../access/origin';
import type { EngineServer } from './presence-socket';

/** How long a new session may take to join a namespace before it is closed (ms), when the options do not say. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** Counts Engine.IO sessions from their handshake on (`ConnectionAdmission`). */
export interface SessionAdmission {
  allowRequest(request: IncomingMessage, callback: (message: string | null | undefined, success: boolean) => void): void;
  attach(engine: EngineServer): void;
}

export interface PresenceIoOptions {
  /** Allowed origins for the handshake; `undefined`: any origin. */
  corsOrigins?: string[];
  /** Largest frame accepted, in bytes; a larger one closes that connection. */
  maxHttpBufferSize: number;
  /** A session that joins no namespace within this time is closed (ms); default 5000. */
  connectTimeoutMs?: number;
  /**
   * Whether a gateway of the application serves the main namespace `/`;
   * default false: sockets connecting there are refused.
   */
  serveMainNamespace?: boolean;
  /** Admits or refuses each new session at its handshake and counts it until it closes; unset: sessions are not counted. */
  admission?: SessionAdmission;
}

/**
 * The Socket.IO server as Presently runs it, plugged in at the edge
 * (`app.useWebSocketAdapter`): transport limits and CORS come from the
 * deployment's configuration, not from the gateway.
 */
export class PresenceIoAdapter extends IoAdapter {
  // Its own name: Nest 12's IoAdapter has a protected `logger` of its own (Nest 11's has none).
  private readonly handlerLog = new Logger('PresenceIoAdapter');

  constructor(
    app: INestApplicationContext,
    private readonly options: PresenceIoOptions,
  ) {
    super(app);
  }

  /**
   * The server, with every Engine.IO session admitted at its handshake (the
   * origin allowlist, then the admission: the address's handshake rate and
   * connection count) and closed if it joins no namespace within
   * `connectTimeoutMs`. The main namespace `/` is refused (`connect_error`
   * `Invalid namespace`, as Socket.IO answers for a namespace it does not
   * serve) unless the options say a gateway of the application serves it
   * (`serveMainNamespace`).
   */
  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = this.options.corsOrigins;
    const admission = this.options.admission;
    const server: Server = super.createIOServer(port, {
      ...options,
      serveClient: false,
      maxHttpBufferSize: this.options.maxHttpBufferSize,
      perMessageDeflate: false,
      connectTimeout: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      cors: { origin: origins ?? true },
      allowRequest: (request, callback) => {
        // CORS headers alone do not stop a websocket upgrade: a browser page
        // from another origin is refused at the handshake.
        if (origins && !isAllowedOrigin(request.headers.origin, origins)) return callback(null, false);
        if (admission) admission.allowRequest(request, callback);
        else callback(null, true);
      },
    } satisfies Partial<ServerOptions> as ServerOptions);
    admission?.attach(server.engine);
    if (!this.options.serveMainNamespace) server.of('/').use((_socket, next) => next(new Error('Invalid namespace')));
    return server;
  }

  /**
   * Binds a socket's `@SubscribeMessage` handlers with one plain listener
   * each. Nest's default builds an RxJS pipeline per socket and per handler
   * (`fromEvent → mergeMap → takeUntil(disconnect$)`), about 45 KB of
   * closures and subscribers per connection and a pipeline teardown on every
   * disconnect; this keeps its rules without them: the payload and the ack
   * split as `mapPayload` does, a `{ event, data }` result emitted, any other
   * non-nil result (a value, a promise's value or an observable's values)
   * sent as the ack unless the handler took the ack itself. After a
   * disconnect Socket.IO drops the ack, as the pipeline's `takeUntil` did.
   */
  override bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[]): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args);
        const respond = (response: unknown) => {
          if (response === null || response === undefined) return;
          const { event, data: eventData } = response as { event?: string; data?: unknown };
          if (event) socket.emit(event, eventData);
          else if (!isAckHandledManually && typeof ack === 'function') ack(response);
        };
        const fail = (error: unknown) =>
          this.handlerLog.error({ msg: 'handler failed', event: message, socket: socket.id, error: String(error) });
        Promise.resolve(callback(data, ack)).then((result: unknown) => {
          if (isObservable(result)) result.subscribe({ next: respond, error: fail });
          else respond(result);
        }, fail);
      });
    }
  }
}
