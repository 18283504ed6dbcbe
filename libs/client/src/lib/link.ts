import type { ClientEventName } from '@presently/protocol';
import type { ReplyOf, RequestOf } from './connection';

/** What the client's parts need of the connection. */
export interface Link {
  /** True while requests can be sent (the socket is up). */
  readonly connected: boolean;
  /**
   * Sends `event` and resolves with its successful ack. `applied` runs with
   * the reply the moment the ack arrives, before any later server event is
   * handled: state taken from an ack (a member list, counts, tallies) must be
   * set there, since a promise's continuation runs only after the events that
   * came with it in the same packet or read (long-polling delivers several
   * at once) and would overwrite them with the older snapshot.
   */
  request<E extends ClientEventName>(event: E, payload: RequestOf<E>, applied?: (reply: ReplyOf<E>) => void): Promise<ReplyOf<E>>;
}

/** Runs a command through the client's queue (see CommandQueue). */
export type RunCommand = <T>(send: () => Promise<T>, resend?: boolean) => Promise<T>;
