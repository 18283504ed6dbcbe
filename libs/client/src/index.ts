export { createPresenceClient } from './lib/presence-client';
export { PresenceError } from './lib/presence-error';
export type {
  ClientIdStorage,
  ConnectionState,
  PresenceClient,
  PresenceClientOptions,
  PresenceErrorShape,
  PresencePoll,
  PresenceRoom,
  RoomEvent,
  RoomJoinResult,
} from './lib/types';
