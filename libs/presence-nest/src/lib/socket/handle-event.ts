import type { Logger } from '@nestjs/common';
import { ackError, ErrorCodes, type Ack, type ClientEventName } from '@presently/protocol';
import { validatePayload, type PayloadOf } from '@presently/protocol/validation';
import type { PresenceSocket } from './presence-socket';

/**
 * The shape of every event handler: validate the payload, run the operation,
 * and answer anything unexpected with `INTERNAL` (logged) instead of throwing.
 */
export function handleEvent<E extends ClientEventName>(
  logger: Logger,
  socket: PresenceSocket,
  event: E,
  data: unknown,
  operation: (payload: PayloadOf[E]) => Ack | Promise<Ack>,
): Ack | Promise<Ack> {
  const payload = validatePayload(event, data);
  if (!payload.ok) return { ok: false, error: payload.error };
  const fail = (error: unknown) => {
    logger.error({ msg: 'handler failed', event, socket: socket.id, error: String((error as Error)?.stack ?? error) });
    return ackError(ErrorCodes.Internal, 'internal error');
  };
  try {
    const ack = operation(payload.value);
    return ack instanceof Promise ? ack.catch(fail) : ack;
  } catch (error) {
    return fail(error);
  }
}

/** Applies `f` to a value now, or once a promised one arrives; a promise `f` answers is waited for, not wrapped. */
export function then<T, R>(value: T | Promise<T>, f: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}
