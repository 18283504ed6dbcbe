import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

export interface PresenceIoOptions {
  /** Allowed origins for the handshake; `undefined`: any origin. */
  corsOrigins?: string[];
  /** Largest frame accepted, in bytes; a larger one closes that connection. */
  maxHttpBufferSize: number;
}

/**
 * The Socket.IO server as Presently runs it, plugged in at the edge
 * (`app.useWebSocketAdapter`): transport limits and CORS come from the
 * deployment's configuration, not from the gateway.
 */
export class PresenceIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly options: PresenceIoOptions,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = this.options.corsOrigins;
    return super.createIOServer(port, {
      ...options,
      serveClient: false,
      maxHttpBufferSize: this.options.maxHttpBufferSize,
      perMessageDeflate: false,
      cors: { origin: origins ?? true },
      // CORS headers alone do not stop a websocket upgrade: a browser page
      // from another origin is refused at the handshake. Clients that send no
      // Origin (servers, native apps) are not browsers and are let through.
      ...(origins && {
        allowRequest: (request, callback) => {
          const origin = request.headers.origin;
          callback(null, origin === undefined || origins.includes(origin));
        },
      }),
    } satisfies Partial<ServerOptions> as ServerOptions);
  }
}
