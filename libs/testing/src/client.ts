import { SignJWT } from 'jose';
import { Agent } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, Session } from '@presently/protocol';

/** How long a test waits for an event or an ack by default: generous, for a shared and loaded machine. */
export const EVENT_TIMEOUT_MS = 10_000;

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const open: TestSocket[] = [];

export interface ConnectOptions {
  clientId?: string;
  token?: string;
  /** Extra handshake `auth` fields, for hostile handshakes. */
  auth?: Record<string, unknown>;
  /** HTTP headers of the handshake (a crawler's `User-Agent`). */
  headers?: Record<string, string>;
  /** Transports, websocket only unless given; with polling, cookies are kept (a balancer's sticky cookie). */
  transports?: Array<'websocket' | 'polling'>;
  /** The local address the client's connections come from (`127.0.0.2`, …): a client of another address. */
  localAddress?: string;
}

/**
 * The `User-Agent` a long-polling test client presents: Node.js's
 * XMLHttpRequest announces itself as `node-XMLHttpRequest`, an HTTP library
 * that the server (rightly) does not count; test clients stand for people.
 */
const BROWSER_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

/** Opens a socket to `/presence` (websocket unless told), without reconnection, tracked for `closeAll`. */
function openSocket(url: string, options: ConnectOptions): TestSocket {
  const polling = options.transports?.includes('polling') ?? false;
  const headers = { ...(polling && { 'user-agent': BROWSER_USER_AGENT }), ...options.headers };
  const socket: TestSocket = io(`${url}/presence`, {
    transports: options.transports ?? ['websocket'],
    // In Node.js, a cookie jar for the session's requests (long-polling behind a balancer needs its sticky cookie).
    ...(polling && { withCredentials: true }),
    ...(options.localAddress && { agent: new Agent({ localAddress: options.localAddress }) as never }),
    reconnection: false,
    forceNew: true,
    auth: { ...(options.clientId && { clientId: options.clientId }), ...(options.token && { token: options.token }), ...options.auth },
    ...(Object.keys(headers).length > 0 && { extraHeaders: headers }),
  });
  open.push(socket);
  return socket;
}

/** Connects to `/presence` (websocket unless told) and resolves with the socket and its `session`. */
export async function connect(url: string, options: ConnectOptions = {}): Promise<{ socket: TestSocket; session: Session }> {
  const socket = openSocket(url, options);
  const session = await new Promise<Session>((resolve, reject) => {
    socket.once('session', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, session };
}

/** Resolves with the `connect_error` a handshake ends with. */
export function connectError(url: string, options: ConnectOptions = {}): Promise<Error> {
  const socket = openSocket(url, options);
  return new Promise((resolve, reject) => {
    socket.once('connect_error', resolve);
    socket.once('connect', () => reject(new Error('connected, but a connect_error was expected')));
  });
}

/** Closes every socket opened through this module. */
export function closeAll(): void {
  for (const socket of open.splice(0)) socket.disconnect();
}

/**
 * Resolves with the first `event` whose payload satisfies `match`, failing
 * after `timeoutMs` with the payloads that did arrive. The default is
 * generous ({@link EVENT_TIMEOUT_MS}): on a shared, loaded machine an event
 * that crosses two processes and Redis may take seconds; one that never
 * comes fails all the same.
 */
export function waitFor<T = unknown>(socket: TestSocket, event: string, match: (payload: T) => boolean = () => true, timeoutMs = EVENT_TIMEOUT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const seen: unknown[] = [];
    const listener = (payload: T) => {
      seen.push(payload);
      if (!match(payload)) return;
      clearTimeout(timer);
      (socket as unknown as Socket).off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      (socket as unknown as Socket).off(event, listener);
      reject(new Error(`no matching ${event} within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`));
    }, timeoutMs);
    (socket as unknown as Socket).on(event, listener);
  });
}

/** Records every payload of `event` on `socket`, for asserting what did (not) arrive. */
export function record<T = unknown>(socket: TestSocket, event: string): T[] {
  const seen: T[] = [];
  (socket as unknown as Socket).on(event, (payload: T) => seen.push(payload));
  return seen;
}

/** Emits and resolves with the ack (any event name, any arguments), failing after {@link EVENT_TIMEOUT_MS}. */
export function request<T = any>(socket: TestSocket, event: string, ...args: unknown[]): Promise<T> {
  return (socket as unknown as Socket).timeout(EVENT_TIMEOUT_MS).emitWithAck(event, ...args) as Promise<T>;
}

/** A round trip that proves every earlier event of this socket was processed. */
export async function barrier(socket: TestSocket): Promise<void> {
  await request(socket, 'stats:unwatch', {});
}

export function signToken(secret: string, claims: Record<string, unknown>, options: { alg?: string; expiresIn?: string | number } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt();
  if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** A well-formed clientId, unique per call. */
let counter = 0;
export function clientId(prefix = 'client'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`.slice(0, 64);
}
