import type { ClientToServerEvents, ServerToClientEvents } from '@presently/protocol';
import type { Identity } from '@presently/presence-core';
import type { Namespace, Server, Socket } from 'socket.io';

/** The `/presence` namespace, typed by the protocol; `socket.data` is who the socket is. */
export type PresenceNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, Identity>;
export type PresenceSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, Identity>;

/** The Engine.IO server under Socket.IO, and one of its sessions (the transport of a client's sockets). */
export type EngineServer = Server['engine'];
export type EngineSession = Socket['conn'];
