import type { Member, ProfileInput, Session } from '@presently/protocol';
import { filter, firstValueFrom, type Observable } from 'rxjs';
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import type { SocketFactory } from '../lib/connection';
import { Client } from '../lib/presence-client';
import type { PresenceClientOptions } from '../lib/types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Listener = (...args: any[]) => void;
type Answer = (payload: any, server: FakeServer) => unknown;

/** What the client sent: an event and its payload. */
export interface Sent {
  event: string;
  payload: any;
}

export const member = (userId: string, profile: ProfileInput & { activity?: Member['activity'] } = {}): Member =>
  ({
    userId,
    name: profile.name ?? userId,
    status: profile.status ?? 'online',
    meta: profile.meta ?? {},
    connections: 1,
    since: 1,
    // A v1 server's members have no activity.
    ...(profile.activity && { activity: profile.activity }),
  }) as Member;

/**
 * The server behind one client, in memory: for unit tests of the whole
 * client (`new Client(options, server.factory)`) without a server process.
 * It records what the client sends, answers each event (`answer(event, fn)`
 * to decide; by default a plausible success), pushes what the test says,
 * and drops the connection. Acks come back asynchronously, as from a
 * network; a socket's pending acks fail when it drops, as in Socket.IO.
 */
export class FakeServer {
  readonly sent: Sent[] = [];
  /** The `auth` of every handshake, in order. */
  readonly handshakes: Array<{ clientId?: string; token?: string }> = [];
  /** The session the next handshake gets (its `userId` follows the token: `u:<token>`, else anonymous). */
  session: Session = { protocol: '1.1', clientId: 'client-0001', userId: 'a_anonymous', name: null, roles: [], serverTime: 0 };
  /** Whether a handshake is accepted at once (else the test calls `accept()`). */
  acceptHandshakes = true;
  private readonly answers = new Map<string, Answer>();
  private current: FakeSocket | null = null;

  readonly factory: SocketFactory = (_uri, options) => {
    this.current = new FakeSocket(this, options);
    return this.current as unknown as Socket;
  };

  get socket(): FakeSocket {
    if (!this.current) throw new Error('no socket yet');
    return this.current;
  }

  /** How the server answers `event` from now on (the reply, or a promise of it). */
  answer(event: string, answer: Answer): void {
    this.answers.set(event, answer);
  }

  /** The payloads of `event` the client sent, in order. */
  payloads(event: string): any[] {
    return this.sent.filter((s) => s.event === event).map((s) => s.payload);
  }

  /** The events the client sent, in order (without payloads). */
  events(): string[] {
    return this.sent.map((s) => s.event);
  }

  /** Delivers a server event to the client. */
  push(event: string, payload: unknown): void {
    this.socket.deliver(event, payload);
  }

  /** The connection drops (a network blip); with `comeBack`, the socket reconnects by itself at once. */
  drop(comeBack = true): void {
    this.socket.drop();
    if (comeBack) this.socket.connect();
  }

  /** Accepts the handshake that waits (when `acceptHandshakes` is off). */
  accept(): void {
    this.socket.accept();
  }

  /** @internal The reply to one event. */
  reply(event: string, payload: any): unknown {
    const answer = this.answers.get(event);
    return answer ? answer(payload, this) : defaultReply(event, payload, this);
  }
}

function defaultReply(event: string, payload: any, server: FakeServer): unknown {
  switch (event) {
    case 'page:enter':
      return { ok: true, page: payload.page, viewers: 1, connections: 1 };
    case 'page:watch':
      return { ok: true, counts: payload.pages.map((page: string) => ({ page, viewers: 1, connections: 1 })) };
    case 'room:join': {
      const self = member(server.session.userId, payload.profile);
      return { ok: true, room: payload.room, self, members: [self], total: 1, typing: [] };
    }
    case 'room:update':
      return { ok: true, room: payload.room, self: member(server.session.userId, payload.profile) };
    case 'room:leave':
      return { ok: true, room: payload.room };
    case 'presence:activity':
      return { ok: true, state: payload.state };
    case 'room:recent':
      return { ok: true, room: payload.room, recent: [] };
    case 'session:token': {
      const session = { ...server.session, userId: payload.token === null ? 'a_anonymous' : `u:${payload.token}`, name: payload.token };
      server.session = session;
      server.push('session', session);
      return { ok: true, session, left: [] };
    }
    default:
      return { ok: true };
  }
}

/** The part of a Socket.IO client socket the client uses. */
export class FakeSocket {
  connected = false;
  active = false;
  private readonly listeners = new Map<string, Set<Listener>>();
  private pending = new Set<(error: Error) => void>();
  private waiting: { clientId?: string; token?: string } | null = null;

  constructor(
    private readonly server: FakeServer,
    private readonly options: Partial<ManagerOptions & SocketOptions>,
  ) {}

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }

  connect(): this {
    if (this.connected) return this;
    this.active = true;
    const auth = this.options.auth as (callback: (auth: object) => void) => void;
    auth((given) => {
      this.waiting = given as { clientId?: string; token?: string };
      this.server.handshakes.push(this.waiting);
      if (this.server.acceptHandshakes) this.accept();
    });
    return this;
  }

  accept(): void {
    const auth = this.waiting;
    if (!auth || !this.active) return;
    this.waiting = null;
    this.connected = true;
    const token = auth.token;
    this.server.session = { ...this.server.session, userId: token ? `u:${token}` : 'a_anonymous', name: token ?? null };
    this.emitLocal('connect');
    this.emitLocal('session', this.server.session);
  }

  disconnect(): this {
    const was = this.connected;
    this.active = false;
    this.failPending();
    this.connected = false;
    if (was) this.emitLocal('disconnect', 'io client disconnect');
    return this;
  }

  /** The transport closed: Socket.IO keeps the socket active and reconnects. */
  drop(): void {
    if (!this.connected) return;
    this.connected = false;
    this.failPending();
    this.emitLocal('disconnect', 'transport close');
  }

  timeout(_ms: number) {
    return {
      emit: (event: string, payload: unknown, ack: (error: Error | null, reply?: unknown) => void) => {
        this.server.sent.push({ event, payload });
        let settled = false;
        const fail = (error: Error) => {
          if (settled) return;
          settled = true;
          ack(error);
        };
        this.pending.add(fail);
        void Promise.resolve()
          .then(() => this.server.reply(event, payload))
          .then((reply) => {
            if (settled || !this.pending.has(fail)) return;
            settled = true;
            this.pending.delete(fail);
            ack(null, reply);
          });
      },
    };
  }

  deliver(event: string, payload: unknown): void {
    if (this.connected) this.emitLocal(event, payload);
  }

  private failPending(): void {
    const pending = [...this.pending];
    this.pending = new Set();
    for (const fail of pending) fail(new Error('disconnected'));
  }

  private emitLocal(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }
}

const open: Client[] = [];

/**
 * A client on a {@link FakeServer}: no storage, no activity tracking unless
 * given; closed by `closeFakeClients()`.
 */
export function openFakeClient(options: Partial<PresenceClientOptions> = {}, server = new FakeServer()): { client: Client; server: FakeServer } {
  const client = new Client({ url: 'http://presence.test', storage: null, activity: false, ...options }, server.factory);
  open.push(client);
  return { client, server };
}

export function closeFakeClients(): void {
  for (const client of open.splice(0)) client.close();
}

/** Lets every pending ack and continuation run (one macrotask turn; not faked by the tests' fake timers). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves once the client has restored everything on its socket. */
export function whenConnected(client: Client): Promise<unknown> {
  return firstValueFrom(client.connectionState$.pipe(filter((state) => state === 'connected')));
}

/** Every value of `stream` from now on. */
export function record<T>(stream: Observable<T>): T[] {
  const values: T[] = [];
  stream.subscribe({ next: (value) => values.push(value), error: () => undefined });
  return values;
}

/** A promise the test settles. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
