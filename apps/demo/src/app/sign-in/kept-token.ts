import { tabStorage } from '../shell/tab-storage';
import { stillValid } from './demo-token';

const TOKEN_KEY = 'presently-demo:token';

/** Where the token lives: this tab's `sessionStorage`, like the demo's clientId. */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * The token this tab signed in with, kept so that a reload is still signed
 * in (and takes over its held place in the grace period, like an anonymous
 * reload). An expired one, or one about to expire, is dropped when read: a
 * handshake presenting it would be refused.
 */
export class KeptToken {
  constructor(
    private readonly storage: TokenStorage | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** The kept token if it can still open a connection, else `null`. */
  read(): string | null {
    const token = this.get();
    if (token === null) return null;
    if (stillValid(token, this.now())) return token;
    this.keep(null);
    return null;
  }

  /** Whether a token is kept, valid or not. */
  held(): boolean {
    return this.get() !== null;
  }

  /** Keeps `token` (`null`: forgets it, on signing out). */
  keep(token: string | null): void {
    try {
      if (token === null) this.storage?.removeItem(TOKEN_KEY);
      else this.storage?.setItem(TOKEN_KEY, token);
    } catch {
      // Storage refused (private mode): the sign-in lasts until a reload.
    }
  }

  private get(): string | null {
    try {
      return this.storage?.getItem(TOKEN_KEY) ?? null;
    } catch {
      return null;
    }
  }
}

/** This tab's kept token (`sessionStorage`; nothing where the browser refuses storage). */
export function tabToken(): KeptToken {
  return new KeptToken(tabStorage());
}
