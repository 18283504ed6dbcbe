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
    return super.createIOServer(port, {
      ...options,
      serveClient: false,
      maxHttpBufferSize: this.options.maxHttpBufferSize,
      perMessageDeflate: false,
      cors: { origin: this.options.corsOrigins ?? true },
    } as ServerOptions);
  }
}
