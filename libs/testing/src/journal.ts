import type { Socket } from 'socket.io-client';
import type { TestSocket } from './client';

/** One thing a socket received: an event, or the ack of a request sent through {@link journaled}. */
export interface Entry {
  event: string;
  payload: any;
}

const journals = new WeakMap<TestSocket, Entry[]>();

/**
 * Starts keeping everything `socket` receives from now on, in the order it
 * arrives: every event, and the acks of the requests sent with
 * {@link journaled} (logged as `ack:<event>` when they arrive, in the same
 * order as the events around them). Answers the (live) list.
 */
export function journal(socket: TestSocket): Entry[] {
  const entries: Entry[] = [];
  (socket as unknown as Socket).onAny((event: string, payload: unknown) => entries.push({ event, payload }));
  journals.set(socket, entries);
  return entries;
}

/** Emits `event` and resolves with its ack, which is logged in the socket's {@link journal} as it arrives. */
export function journaled<T = any>(socket: TestSocket, event: string, payload: unknown): Promise<T> {
  const entries = journals.get(socket);
  if (!entries) throw new Error('journal(socket) first');
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack of ${event} within 5000 ms`)), 5000);
    (socket as unknown as Socket).emit(event, payload, (ack: T) => {
      clearTimeout(timer);
      entries.push({ event: `ack:${event}`, payload: ack });
      resolve(ack);
    });
  });
}

/** The entries after the last one `take` returned (or all), which are forgotten from the next call. */
export function since(entries: Entry[]): () => Entry[] {
  let seen = entries.length;
  return () => {
    const fresh = entries.slice(seen);
    seen = entries.length;
    return fresh;
  };
}
