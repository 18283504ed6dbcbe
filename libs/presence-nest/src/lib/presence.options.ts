import type { Clock, PresenceLimits } from '@presently/presence-core';

/** Options of {@link PresenceModule.forRoot}. */
export interface PresenceModuleOptions extends PresenceLimits {
  /** How long a disconnected connection's presence is held (ms). */
  graceMs: number;
  /** At most one `page:count` per page per interval (ms). */
  countIntervalMs: number;
  /** Events a socket may send per second, sustained (token bucket). */
  rateLimitPerS: number;
  /** Events a socket may send at once before the rate applies. */
  rateLimitBurst: number;
  /** Origins whose pages may open `/api/pages/live` streams; unset: any origin. */
  corsOrigins?: string[];
  /** HS256 secret for session tokens; unset: every token is refused. */
  jwtSecret?: string;
  /** Time source; the system clock unless a test injects one. */
  clock?: Clock;
}

export const PRESENCE_OPTIONS = Symbol('PRESENCE_OPTIONS');
