import type { PresenceClientOptions } from './types';

type TokenOption = PresenceClientOptions['token'];

/**
 * The token a handshake sends: the one last set with `setToken` or
 * `signOut` (once the server accepted it), so that a reconnection after a
 * drop keeps the identity the page switched to; else the client's `token`
 * option (a function is asked at every handshake). `reset()`, on an explicit
 * `reconnect()`, goes back to the option.
 */
export class HandshakeToken {
  private accepted: { token: string | null } | null = null;

  constructor(private readonly given: TokenOption) {}

  /** The server accepted `token` (`null`: anonymous) on the current socket. */
  set(token: string | null): void {
    this.accepted = { token };
  }

  reset(): void {
    this.accepted = null;
  }

  async resolve(): Promise<string | null | undefined> {
    if (this.accepted) return this.accepted.token;
    const given = this.given;
    return typeof given === 'function' ? await given() : given;
  }
}
