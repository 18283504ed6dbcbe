import { Injectable } from '@nestjs/common';
import type { Ack, ClientEventName } from '@presently/protocol';
import { then } from './handle-event';
import type { PresenceSocket } from './presence-socket';

/** Answers one client event: the ack's value, or a promise of it. */
export type EventHandler = (socket: PresenceSocket, data: unknown) => Ack | Promise<Ack>;

/**
 * The `/presence` namespace's event handlers, one table for the whole server.
 * The presence gateway's socket middleware dispatches each admitted packet
 * here, so a connection carries no listener, closure or subscription per
 * event name: per socket, events cost nothing until they arrive.
 */
@Injectable()
export class EventRouter {
  private readonly handlers = new Map<string, EventHandler>();
  private answered: (event: unknown, response: Ack) => void = noop;

  on(event: ClientEventName, handler: EventHandler): void {
    if (this.handlers.has(event)) throw new Error(`a handler for ${event} is already registered`);
    this.handlers.set(event, handler);
  }

  /** Hears every ack this router answers, just before it goes out (the metrics count them). */
  onAnswer(listener: (event: unknown, response: Ack) => void): void {
    this.answered = listener;
  }

  /**
   * Runs the handler of a Socket.IO packet (`[event, ...args, ack?]`) and
   * answers its ack, if it has one. The payload is the one argument, as
   * Socket.IO clients send it (several arguments arrive as an array, which
   * the handler's validation refuses). `false`: no handler for that event.
   */
  dispatch(socket: PresenceSocket, packet: unknown[]): boolean {
    const handler = this.handlers.get(packet[0] as string);
    if (!handler) return false;
    const ack = ackOf(packet);
    const last = packet.length - 1;
    const args = ack ? last - 1 : last;
    const data = args === 1 ? packet[1] : args === 0 ? undefined : packet.slice(1, 1 + args);
    const answer = handler(socket, data);
    if (ack) then(answer, (response) => this.reply(packet[0], ack, response));
    return true;
  }

  /** Answers a packet refused before any handler (rate limit, unknown event), if it asks for an ack. */
  refuse(packet: unknown[], response: Ack): void {
    const ack = ackOf(packet);
    if (ack) this.reply(packet[0], ack, response);
  }

  private reply(event: unknown, ack: (response: Ack) => void, response: Ack): void {
    this.answered(event, response);
    ack(response);
  }
}

/** A Socket.IO packet's ack callback (its last argument, when a function), or null. */
function ackOf(packet: unknown[]): ((response: Ack) => void) | null {
  const last = packet.length - 1;
  return last > 0 && typeof packet[last] === 'function' ? (packet[last] as (response: Ack) => void) : null;
}

function noop(): void {
  return;
}
