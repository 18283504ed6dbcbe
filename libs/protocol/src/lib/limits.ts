/**
 * Fixed sizes of the protocol and the defaults of the limits a deployment can
 * change through the environment. Lengths are UTF-16 code units (`length`).
 */
export const KEY_MAX_LENGTH = 512;
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const NAME_MAX_LENGTH = 64;
export const STATUS_MAX_LENGTH = 32;
/** `meta` as UTF-8 `JSON.stringify`, in bytes. */
export const META_MAX_BYTES = 1024;
/** Pages in one `page:watch` or `page:unwatch`. */
export const WATCH_BATCH_MAX = 100;
/** Nesting allowed in any payload; deeper input is malformed. */
export const PAYLOAD_MAX_DEPTH = 16;
/** A userId taken from a token's `sub`. */
export const USER_ID_MAX_LENGTH = 256;
/**
 * How every anonymous visitor's public userId starts (`a_` and 22 characters
 * derived from its clientId with a server secret); a token's `sub` never does.
 */
export const ANONYMOUS_ID_PREFIX = 'a_';
/** An anonymous visitor's public userId. */
export const ANONYMOUS_ID_PATTERN = /^a_[A-Za-z0-9_-]{22}$/;
export const TOP_PAGES = 10;
export const STATS_INTERVAL_MS = 1000;
export const DEFAULT_NAME = 'Anonymous';
export const DEFAULT_STATUS = 'online';
/** Poll options: 1–32 characters of `[A-Za-z0-9_-]`. */
export const POLL_OPTION_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** Options one poll may have; a vote for a further one is refused. */
export const POLL_OPTIONS_MAX = 16;
/** Polls one server keeps; a vote that would create another is refused. */
export const POLLS_MAX = 1000;
/** Polls one socket may watch at once. */
export const POLLS_WATCHED_PER_SOCKET = 100;
/** Clock skew allowed when checking a token's `exp` and `nbf`, in seconds. */
export const TOKEN_CLOCK_SKEW_S = 30;
/** How far ahead a token's `exp` may be by default (`MAX_TOKEN_TTL_S`): 30 days, in seconds. */
export const DEFAULT_MAX_TOKEN_TTL_S = 30 * 24 * 3600;

/** The protocol version a `session` announces. */
export const PROTOCOL_VERSION = '1.1';
/** A socket's activity states, most active first (a member's activity is its most active socket's). */
export const ACTIVITY_STATES = ['active', 'idle', 'hidden'] as const;
/** Typing ends by itself this long after a socket's last `typing: true` (`TYPING_MS`). */
export const DEFAULT_TYPING_MS = 6000;
/** How long a room remembers who left (`RECENT_MS`). */
export const DEFAULT_RECENT_MS = 600_000;
/** Recent leavers a `room:recent` lists at most, and a room keeps at most. */
export const RECENT_MAX = 100;
/**
 * Rooms that keep recent leavers at once (a process, or a cluster with
 * `REDIS_URL`); past it, the room whose last leave is the oldest forgets
 * its leavers first, so that rooms made up and left by clients cannot grow
 * memory without bound.
 */
export const RECENT_ROOMS_MAX = 10_000;
/** The rates a watcher may choose for `page:watch` and the SSE stream (`every`, in ms). */
export const PAGE_EVERY_VALUES = [0, 250, 500, 1000, 2000, 5000, 10000, 30000, 60000] as const;
/** The rates a `stats:watch` may choose (`every`, in ms); the first is the default. */
export const STATS_EVERY_VALUES = [1000, 2000, 5000, 10000, 30000, 60000] as const;
/** Pages whose occupancy history is kept (`HISTORY_PAGES`), the busiest. */
export const DEFAULT_HISTORY_PAGES = 1000;
/** The occupancy history's bucket, and how many it keeps. */
export const HISTORY_INTERVAL_MS = 60_000;
export const HISTORY_POINTS = 60;

export const DEFAULT_LIMITS = {
  maxPagesPerSocket: 100,
  maxWatchedPerSocket: 1000,
  maxRoomsPerSocket: 100,
  rateLimitPerS: 100,
  rateLimitBurst: 200,
  countIntervalMs: 250,
  graceMs: 5000,
  rosterMax: 1000,
  /** Bytes of presence state one client address may make a process hold (16 MiB). */
  maxBytesPerAddress: 16 * 1024 * 1024,
  /**
   * Bytes per Socket.IO frame. A `page:watch` of 100 keys of 512 characters
   * outside ASCII is about 150 KB, so the default leaves room for it.
   */
  maxHttpBufferSize: 256 * 1024,
} as const;

/** The protocol's floor for the transport limit. */
export const MIN_HTTP_BUFFER_SIZE = 64 * 1024;
