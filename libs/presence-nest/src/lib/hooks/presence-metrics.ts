import { Injectable } from '@nestjs/common';
import { CLIENT_EVENTS, Events, isClientEvent } from '@presently/protocol';
import type { EmitTarget } from '@presently/protocol/validation';
import type { Presence, PresenceSink } from '@presently/presence-core';
import { Counter, Gauge, Registry } from 'prom-client';

/** The label of events that are not client events of the protocol (bounded cardinality). */
const UNKNOWN_EVENT = 'unknown';
/** What the server pushes: the protocol's names that are not client events, and `room:typing`, which goes both ways. */
const SERVER_EVENTS = [...Object.values(Events).filter((name) => !isClientEvent(name)), Events.RoomTyping];

type Sizes = ReturnType<Presence['sizes']>;

/**
 * Presently's Prometheus metrics, in a registry of their own that the
 * application serves (and may add to): presence sizes, events in and out by
 * name, acks by error code, emits by target, refused handshakes, expired
 * sessions, and how many count changes were coalesced into fewer
 * `page:count`s. Counting costs O(1) per event; sizes are read at scrape time.
 */
@Injectable()
export class PresenceMetrics implements PresenceSink {
  readonly registry = new Registry();
  private presence: Presence | null = null;
  private addressConnections: () => number = () => 0;
  private readonly eventsIn = new Map<string, Counter.Internal>();
  private readonly eventsOut = new Map<string, Counter.Internal>();
  private readonly acks = new Map<string, Counter.Internal>();

  private readonly eventsInTotal = this.counter('presently_events_in_total', 'Client-to-server events received, by name (unknown names as "unknown").', ['event']);
  private readonly eventsOutTotal = this.counter('presently_events_out_total', 'Server-to-client events sent, by name; a broadcast counts once.', ['event']);
  private readonly acksTotal = this.counter('presently_acks_total', 'Acks sent, by event and code ("OK" for success).', ['event', 'code']);
  private readonly emitsTotal = this.counter('presently_emits_total', 'Application events emitted (POST /api/emit, PresenceEmitter), by target.', ['to']);
  private readonly refusedTotal = this.counter('presently_handshakes_refused_total', 'Handshakes refused by the connection limit, the handshake rate, the state ceiling (STATE_FULL) or the authorize hook, by reason.', ['reason']);
  private readonly expiredTotal = this.counter('presently_sessions_expired_total', 'Sockets whose token expired while connected.', []);
  private readonly slowCutTotal = this.counter(
    'presently_slow_clients_disconnected_total',
    'Sockets disconnected for keeping more than MAX_BUFFERED_BYTES unsent for longer than SLOW_CLIENT_MS.',
    [],
  );
  private slowNow = 0;

  constructor() {
    this.gauge('presently_connections', 'Connections, held ones included.', (s) => s.connections);
    this.gauge('presently_visitors', 'Distinct clients connected or held.', (s) => s.visitors);
    this.gauge('presently_held_connections', 'Disconnected connections within their grace period.', (s) => s.held);
    this.gauge('presently_pages', 'Pages with at least one viewer.', (s) => s.pages);
    this.gauge('presently_rooms', 'Rooms with at least one member.', (s) => s.rooms);
    const slow: Gauge = new Gauge({
      name: 'presently_slow_clients',
      help: 'Sockets whose outgoing buffer was above MAX_BUFFERED_BYTES at the last sweep.',
      registers: [this.registry],
      collect: () => slow.set(this.slowNow),
    });
    const admitted: Gauge = new Gauge({
      name: 'presently_address_connections',
      help: 'Open connections counted against client addresses (Engine.IO sessions, further sockets of a session, live streams); 0 without a per-address limit.',
      registers: [this.registry],
      collect: () => admitted.set(this.addressConnections()),
    });
    const stateBytes: Gauge = new Gauge({
      name: 'presently_state_bytes',
      help: 'Presence state held for every client address together, in bytes as the address budget estimates them.',
      registers: [this.registry],
      collect: () => stateBytes.set(this.presence?.stateBytes() ?? 0),
    });
    const changes: Counter = new Counter({
      name: 'presently_page_count_changes_total',
      help: 'Changes of page counts; compare with presently_events_out_total{event="page:count"} to see the coalescing.',
      registers: [this.registry],
      collect: () => {
        changes.reset();
        changes.inc(this.presence?.countChanges() ?? 0);
      },
    });
    // Known names start at 0, so that rates and dashboards see them from the first scrape.
    for (const event of [...CLIENT_EVENTS, UNKNOWN_EVENT]) this.child(this.eventsIn, this.eventsInTotal, event);
    for (const event of SERVER_EVENTS) this.child(this.eventsOut, this.eventsOutTotal, event);
  }

  /** The registry whose sizes the gauges report. */
  track(presence: Presence): void {
    this.presence = presence;
  }

  /** Where `presently_address_connections` is read. */
  trackAddressConnections(read: () => number): void {
    this.addressConnections = read;
  }

  /** Counts an event a socket sent, under its name if it is a client event (`known`), else as `unknown`. */
  received(event: unknown, known: boolean): void {
    this.child(this.eventsIn, this.eventsInTotal, known ? (event as string) : UNKNOWN_EVENT).inc();
  }

  /** Counts the ack of an event by the code it answers (`OK` for success), under the event's label. */
  acked(event: unknown, response: unknown): void {
    this.child(this.acks, this.acksTotal, isClientEvent(event) ? event : UNKNOWN_EVENT, ackCode(response)).inc();
  }

  /** Counts a server-to-client event sent outside the core's announcements. */
  sent(event: string): void {
    this.child(this.eventsOut, this.eventsOutTotal, event).inc();
  }

  emitted(to: EmitTarget): void {
    this.emitsTotal.inc({ to: Object.keys(to)[0] });
  }

  refused(reason: string): void {
    this.refusedTotal.inc({ reason });
  }

  sessionExpired(): void {
    this.expiredTotal.inc();
  }

  /** A socket was disconnected for reading too slowly. */
  slowClientDisconnected(): void {
    this.slowCutTotal.inc();
  }

  /** Sockets above the outgoing-buffer bound at the last sweep. */
  slowClients(over: number): void {
    this.slowNow = over;
  }

  // The core's announcements, counted as they go out.
  pageCount(): void {
    this.sent(Events.PageCount);
  }
  roomJoined(): void {
    this.sent(Events.RoomJoined);
  }
  roomUpdated(): void {
    this.sent(Events.RoomUpdated);
  }
  roomLeft(): void {
    this.sent(Events.RoomLeft);
  }
  roomTyping(): void {
    this.sent(Events.RoomTyping);
  }
  stats(): void {
    this.sent(Events.Stats);
  }
  roomCount(): void {
    this.sent(Events.RoomCount);
  }
  roomSync(): void {
    this.sent(Events.RoomSync);
  }

  private counter(name: string, help: string, labelNames: string[]): Counter<string> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge(name: string, help: string, read: (sizes: Sizes) => number): void {
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: () => gauge.set(this.presence ? read(this.presence.sizes()) : 0),
    });
  }

  /** A counter's child for these label values, created once. */
  private child(cache: Map<string, Counter.Internal>, counter: Counter<string>, ...values: string[]): Counter.Internal {
    const key = values.join('\u0000');
    let child = cache.get(key);
    if (!child) {
      child = counter.labels(...values);
      child.inc(0);
      cache.set(key, child);
    }
    return child;
  }
}

function ackCode(response: unknown): string {
  if (typeof response !== 'object' || response === null) return 'INTERNAL';
  const { ok, error } = response as { ok?: unknown; error?: { code?: unknown } };
  if (ok === true) return 'OK';
  return typeof error?.code === 'string' ? error.code : 'INTERNAL';
}
