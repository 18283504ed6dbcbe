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
}

/**
 * Where a registry reports every change of what it contributes to the
 * figures: its counted connections by client, and their pages by client.
 * A cluster store adds these contributions up across processes; the core
 * calls it synchronously and never waits for it.
 */
export interface PresenceLedger {
  /** A counted connection of `clientId` began (+1) or ended (-1), held time included. */
  online(clientId: string, delta: 1 | -1): void;
  /** A counted connection of `clientId` was put on (+1) or taken off (-1) `page`. */
  page(page: string, clientId: string, delta: 1 | -1): void;
}

/** Everything a registry contributes right now, to rebuild a cluster store's share. */
export interface PresenceContributions {
  /** [clientId, counted connections]. */
  online: [string, number][];
  /** [page, clientId, connections of the client on the page]. */
  pages: [string, string, number][];
}

/**
 * The figures of every process together (`REDIS_URL` mode). Each process
 * keeps its own registry for its own connections and reports its
 * contributions through the ledger; the cluster answers the sums. Reads
 * reject while the cluster store is unreachable; callers fall back to the
 * local figures.
 */
export interface PresenceCluster extends PresenceLedger {
  /** Whether the store is reachable and holds this process's share. */
  readonly ready: boolean;
  /** Resolves once every contribution reported so far has been applied or has failed. */
  settled(): Promise<void>;
  pageCounts(pages: readonly string[]): Promise<PageCounts[]>;
  stats(): Promise<Stats>;
  /**
   * Starts the store: registers this process, applies its share, heartbeats
   * and watches the other processes. `contributions` is read whenever the
   * share must be rebuilt (the store restarted, the link came back).
   * `onChange` hears a page key, or `null` for the global stats, whenever a
   * figure may have changed anywhere in the cluster.
   */
  start(contributions: () => PresenceContributions, onChange: (page: string | null) => void): Promise<void>;
  /** Withdraws this process's share and disconnects. */
  stop(): Promise<void>;
}
