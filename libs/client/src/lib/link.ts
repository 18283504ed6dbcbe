import type { ClientEventName } from '@presently/protocol';
import type { ReplyOf, RequestOf } from './connection';

/** What the client's parts need of the connection. */
export interface Link {
  /** True while requests can be sent (the socket is up). */
  readonly connected: boolean;
  request<E extends ClientEventName>(event: E, payload: RequestOf<E>): Promise<ReplyOf<E>>;
}

/** Runs a command through the client's queue (see CommandQueue). */
export type RunCommand = <T>(send: () => Promise<T>, resend?: boolean) => Promise<T>;
