import { filter, firstValueFrom, type Observable, take, throwError, timeout, toArray } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import { waitFor, type TestSocket } from '@presently/testing';
import { Client } from '../lib/presence-client';
import type { PresenceClientOptions } from '../lib/types';

/** Clients made by a test file, closed after each test. */
const clients: Client[] = [];

/**
 * A client whose socket the test can see: to count what it sends or to
 * deliver what the server would send. Otherwise the client of
 * `createPresenceClient`, with short reconnection delays and no storage.
 */
export function openClient(options: PresenceClientOptions): { client: Client; socket: () => Socket; sent: string[] } {
  let socket: Socket | undefined;
  const sent: string[] = [];
  const client = new Client({ storage: null, transports: ['websocket'], reconnectDelayMs: 50, reconnectDelayMaxMs: 200, ...options }, (uri, opts) => {
    socket = io(uri, opts);
    socket.onAnyOutgoing((event: string) => sent.push(event));
    return socket;
  });
  clients.push(client);
  return {
    client,
    socket: () => {
      if (!socket) throw new Error('no socket yet');
      return socket;
    },
    sent,
  };
}

export function closeClients(): void {
  for (const client of clients.splice(0)) client.close();
}

/** The first value of `stream` that satisfies `match`, failing after `ms` (never a sleep; generous, for a loaded CI machine restarting servers). */
export function next<T>(stream: Observable<T>, match: (value: T) => boolean = () => true, ms = 10_000): Promise<T> {
  return firstValueFrom(
    stream.pipe(
      filter(match),
      timeout({ first: ms, with: () => throwError(() => new Error(`no matching value within ${ms} ms`)) }),
    ),
  );
}

/** The first `count` values of `stream`. */
export function first<T>(stream: Observable<T>, count: number, ms = 5000): Promise<T[]> {
  return firstValueFrom(stream.pipe(take(count), toArray(), timeout(ms)));
}

/** Resolves once the client has restored everything on a socket. */
export function connected(client: Client, ms = 10_000): Promise<unknown> {
  return next(client.connectionState$, (state) => state === 'connected', ms);
}

/** The first payload of a server event on `socket` that satisfies `match` (the shared helper, for this client's raw socket). */
export function pushed<T>(socket: Socket, event: string, match: (payload: T) => boolean = () => true, ms = 5000): Promise<T> {
  return waitFor<T>(socket as unknown as TestSocket, event, match, ms);
}

/** Records every value of `stream` until the test's clients are closed. */
export function recordValues<T>(stream: Observable<T>): T[] {
  const values: T[] = [];
  stream.subscribe((value) => values.push(value));
  return values;
}
