import type { LeaveReason, Member, PageCounts, Stats } from '@presently/protocol';

/** Who a connection belongs to, as established at its handshake. */
export interface Identity {
  clientId: string;
  userId: string;
  /** `null` for anonymous visitors. */
  name: string | null;
  roles: readonly string[];
  authenticated: boolean;
  /** Epoch ms after which the token no longer vouches for the user (its `exp` plus the allowed skew). */
  expiresAt?: number;
}

/** How a connection is registered. */
export interface ConnectOptions {
  /**
   * Whether the connection counts in any figure (`viewers`, `connections`,
   * `online`, `top`, rooms). Default true; false for crawlers and preview
   * bots, which are served but never counted.
   */
  counted?: boolean;
}

/**
 * Where the core sends what other connections must hear. The core never does
 * I/O: the transport implements this (Socket.IO rooms, SSE streams, a test
 * recorder). `except` names the connection that caused a room event; it must
 * not receive it.
 */
export interface PresenceSink {
  pageCount(counts: PageCounts): void;
  roomJoined(room: string, member: Member, except: string): void;
  roomUpdated(room: string, member: Member, except: string): void;
  roomLeft(room: string, userId: string, reason: LeaveReason, except: string | null): void;
  stats(stats: Stats): void;
  /** A large room's member count changed (coalesced), to every connection in it. */
  roomCount(room: string, total: number): void;
  /** A large room fell back below the line: its members, to every connection in it. */
  roomSync(room: string, members: Member[]): void;
}

export interface PresenceLimits {
  maxPagesPerSocket: number;
  maxWatchedPerSocket: number;
  maxRoomsPerSocket: number;
}

export interface PresenceOptions extends PresenceLimits {
  graceMs: number;
  countIntervalMs: number;
  statsIntervalMs: number;
  /** Members above which a room announces counts instead of members (default 1000). */
  rosterMax?: number;
}
