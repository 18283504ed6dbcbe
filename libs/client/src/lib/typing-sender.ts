export interface TypingOptions {
  /**
   * While the user keeps typing, `typing: true` is sent again at most this
   * often (default 3000 ms, half the server's default `TYPING_MS`, after
   * which the server ends typing by itself).
   */
  renewMs?: number;
  /** Typing stops by itself (`typing: false`) after this long without a call (default 4000 ms). */
  stopAfterMs?: number;
}

export const DEFAULT_TYPING_RENEW_MS = 3000;
export const DEFAULT_TYPING_STOP_AFTER_MS = 4000;

/**
 * This user's typing in one room, from calls made on every keystroke: the
 * first call sends `typing: true`, later ones send it again only once
 * `renewMs` has passed since the last one sent (so the server does not end
 * it), and `typing: false` goes by itself after `stopAfterMs` without a call,
 * or on `stop()`. A call costs a clock read when nothing is due. One timer at
 * most while typing, none otherwise.
 *
 * `send` answers whether it could send (connected and in the room); what it
 * could not send is sent with the next call.
 */
export class TypingSender {
  private typing = false;
  private lastCall = 0;
  /** When `typing: true` was last sent on the current socket; `-Infinity`: not on this socket. */
  private sentAt = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly renewMs: number;
  private readonly stopAfterMs: number;

  constructor(
    private readonly send: (typing: boolean) => boolean,
    options: TypingOptions = {},
    private readonly now: () => number = () => Date.now(),
  ) {
    this.renewMs = options.renewMs ?? DEFAULT_TYPING_RENEW_MS;
    this.stopAfterMs = options.stopAfterMs ?? DEFAULT_TYPING_STOP_AFTER_MS;
  }

  /** The user typed. */
  typed(): void {
    const now = this.now();
    this.lastCall = now;
    if (now - this.sentAt >= this.renewMs && this.send(true)) this.sentAt = now;
    this.typing = true;
    if (this.timer === undefined) this.wait(this.stopAfterMs);
  }

  /** The user stopped (sent the message, cleared the field): sends `typing: false` if typing. */
  stop(): void {
    if (!this.typing) return;
    const sent = this.sentAt !== Number.NEGATIVE_INFINITY;
    this.reset();
    if (sent) this.send(false);
  }

  /** The server ended it by itself (a leave, a removal): forgets it without sending anything. */
  reset(): void {
    this.typing = false;
    this.sentAt = Number.NEGATIVE_INFINITY;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A new socket knows nothing of it: the next call sends `typing: true` at once. */
  newSocket(): void {
    this.sentAt = Number.NEGATIVE_INFINITY;
  }

  private check(): void {
    this.timer = undefined;
    if (!this.typing) return;
    const quiet = this.now() - this.lastCall;
    if (quiet >= this.stopAfterMs) this.stop();
    else this.wait(this.stopAfterMs - quiet);
  }

  private wait(ms: number): void {
    this.timer = setTimeout(() => this.check(), ms);
  }
}
