import { tokenExpiry } from './demo-token';

/** A demo token is renewed this long before it expires. */
export const RENEW_BEFORE_MS = 2 * 60_000;
/** A renewal that failed is tried again after this long, while the token is still good. */
export const RENEW_RETRY_MS = 30_000;

export interface RenewalDeps {
  /** The server's time (epoch ms): a token's `exp` is by its clock. */
  now(): number;
  /** Gets and sets a fresh token; resolves with it, or `null` when it could not. */
  renew(): Promise<string | null>;
  setTimer?(run: () => void, ms: number): unknown;
  clearTimer?(timer: unknown): void;
}

/**
 * Keeps a signed-in tab signed in: demo tokens live 15 minutes, so a fresh
 * one is fetched and set (`session:token`) shortly before the current one
 * expires, and tried again every 30 s if that fails while the current one
 * is still good. One timer per tab; `stop()` on signing out.
 */
export class TokenRenewal {
  private timer: unknown = null;
  /** Moves on with every `follow` and `stop`: a renewal answered after either is ignored. */
  private generation = 0;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly deps: RenewalDeps) {
    this.setTimer = deps.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = deps.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /** Renews `token` before it expires (a token without `exp` needs no renewal). */
  follow(token: string): void {
    this.stop();
    const expiry = tokenExpiry(token);
    if (expiry === null) return;
    this.wait(Math.max(0, expiry - RENEW_BEFORE_MS - this.deps.now()), expiry);
  }

  stop(): void {
    this.generation++;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private wait(ms: number, expiry: number): void {
    const generation = this.generation;
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.deps.renew().then(
        (fresh) => this.renewed(generation, fresh, expiry),
        () => this.renewed(generation, null, expiry),
      );
    }, ms);
  }

  private renewed(generation: number, fresh: string | null, expiry: number): void {
    if (generation !== this.generation) return;
    if (fresh !== null) return this.follow(fresh);
    if (this.deps.now() + RENEW_RETRY_MS < expiry) this.wait(RENEW_RETRY_MS, expiry);
  }
}
