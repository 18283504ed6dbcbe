import { computed, DestroyRef, effect, inject, Injectable, signal, untracked } from '@angular/core';
import { PresenceService } from '@presently/angular';
import { ANONYMOUS_ID_PREFIX } from '@presently/protocol';
import { demoTokensOffered, requestDemoToken } from './demo-token';
import { KeptToken } from './kept-token';
import { TokenRenewal } from './token-renewal';

/**
 * Signing in and out of the demo without reconnecting: a demo token from the
 * server, handed to the client's `setToken()` (the socket stays, the rooms
 * see the member change name in place), and `signOut()`. The token is kept
 * for this tab, so a reload is still signed in, and renewed before it
 * expires (demo tokens live 15 minutes): a fresh token names a new user
 * with the same name, which the room sees as the member replaced in place.
 */
@Injectable({ providedIn: 'root' })
export class DemoSignIn {
  private readonly presence = inject(PresenceService);
  private readonly kept = inject(KeptToken);

  /** Whether the server mints demo tokens: `null` until known (nothing is offered meanwhile). */
  readonly offered = signal<boolean | null>(null);
  /** Signed in: the session names a user, not an anonymous visitor. */
  readonly signedIn = computed(() => {
    const session = this.presence.session();
    return session !== null && !session.userId.startsWith(ANONYMOUS_ID_PREFIX);
  });
  /** The signed-in user's name, from the token. */
  readonly name = computed(() => (this.signedIn() ? (this.presence.session()?.name ?? null) : null));
  /** A sign-in or sign-out is on its way. */
  readonly busy = signal(false);
  /** Why the last attempt failed, in words. */
  readonly error = signal<string | null>(null);

  private probing = false;
  private readonly renewal = new TokenRenewal({
    now: () => this.presence.client.serverNow(),
    renew: () => this.renew(),
  });

  constructor() {
    const token = this.kept.read();
    if (token !== null) this.renewal.follow(token);
    // A token the server no longer takes (it expired during a long drop, or
    // the server restarted with another secret) leaves the client offline:
    // forget it and connect again, anonymously.
    effect(() => {
      if (this.presence.connectionState() !== 'offline' || !untracked(() => this.kept.held())) return;
      this.renewal.stop();
      this.kept.keep(null);
      this.presence.client.reconnect?.();
    });
    inject(DestroyRef).onDestroy(() => this.renewal.stop());
  }

  /** Finds out, once, whether the server offers demo sign-in. */
  probe(): void {
    if (this.probing) return;
    this.probing = true;
    void demoTokensOffered().then((offered) => {
      if (this.offered() === null) this.offered.set(offered);
    });
  }

  /** Asks for a demo token naming `name` and signs this tab in with it. */
  async signIn(name: string): Promise<boolean> {
    return this.run(async () => {
      const answer = await requestDemoToken(name);
      if (answer.kind === 'not-offered') {
        this.offered.set(false);
        return 'This server offers no demo sign-in.';
      }
      if (answer.kind === 'refused') return answer.message;
      this.offered.set(true);
      await this.presence.client.setToken(answer.token);
      this.kept.keep(answer.token);
      this.renewal.follow(answer.token);
      return null;
    });
  }

  /** Anonymous again, on the same connection. */
  async signOut(): Promise<boolean> {
    return this.run(async () => {
      await this.presence.client.signOut();
      this.renewal.stop();
      this.kept.keep(null);
      return null;
    });
  }

  /** A fresh token for the signed-in name, set on the socket; `null` when that failed. */
  private async renew(): Promise<string | null> {
    const name = this.name();
    if (name === null || this.busy()) return null;
    const answer = await requestDemoToken(name);
    if (answer.kind !== 'token' || this.name() !== name) return null;
    await this.presence.client.setToken(answer.token);
    this.kept.keep(answer.token);
    return answer.token;
  }

  private async run(attempt: () => Promise<string | null>): Promise<boolean> {
    if (this.busy()) return false;
    this.busy.set(true);
    this.error.set(null);
    try {
      const problem = await attempt();
      this.error.set(problem);
      return problem === null;
    } catch {
      this.error.set('The server refused it. Try again in a moment.');
      return false;
    } finally {
      this.busy.set(false);
    }
  }
}
