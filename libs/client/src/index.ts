export { createPresenceClient } from './lib/presence-client';
export { PresenceError } from './lib/presence-error';
export { documentActivitySource } from './lib/activity-source';
export { DEFAULT_TYPING_RENEW_MS, DEFAULT_TYPING_STOP_AFTER_MS } from './lib/typing-sender';
export type {
  ActivityOptions,
  ActivitySource,
  ClientIdStorage,
  ConnectionState,
  PageCountOptions,
  PresenceClient,
  PresenceClientOptions,
  PresenceErrorShape,
  PresencePoll,
  PresenceRoom,
  RemovedReason,
  RoomEvent,
  RoomJoinResult,
  TypingOptions,
} from './lib/types';
