import { Injectable } from '@nestjs/common';
import { ackError, ErrorCodes, Events, type Ack, type SessionTokenAck } from '@presently/protocol';
import type { Identity } from '@presently/presence-core';
import { Figures } from '../figures/figures';
import { PresenceLifecycle } from '../hooks/presence-lifecycle';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PresenceRegistry } from '../presence-registry';
import { identityChannels, roomChannels } from '../socket/channels';
import { then } from '../socket/handle-event';
import type { PresenceSocket } from '../socket/presence-socket';
import { sessionOf } from '../socket/session-event';
import { ConnectionAdmission } from './connection-admission';
import { SessionAuthenticator, UnauthorizedError } from './session-authenticator';
import { SessionExpiry } from './session-expiry';

/**
 * `session:token`: a connected socket signs in, signs out (`null`) or renews
 * its token without reconnecting, and is from then on who the token says,
 * as if it had connected with it:
 *
 * 1. the token is verified as a handshake's (an empty one is bad):
 *    `UNAUTHORIZED` otherwise;
 * 2. the application's `authorize` hook runs again for the new identity:
 *    refused, `UNAUTHORIZED`;
 * 3. the registry moves the socket's rooms to the new identity (the rooms it
 *    may not be in are left first, and named in the ack's `left`; a change
 *    past the address budget is `LIMIT_EXCEEDED`); its pages do not move;
 * 4. the socket leaves those rooms' channels and its old user's and roles'
 *    (server-side emits no longer reach it as the old identity), joins its
 *    new ones, and its token's expiry is watched anew (none when anonymous);
 * 5. it is sent `session` with the new identity, before the ack.
 *
 * A refusal changes nothing. A socket's requests are applied one after the
 * other, in the order they came (the token checks are asynchronous): the
 * last one sent decides who the socket is.
 */
@Injectable()
export class SessionSwitch {
  /** Each socket's last request, for the next one to wait on. */
  private readonly queue = new WeakMap<PresenceSocket, Promise<unknown>>();

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly figures: Figures,
    private readonly authenticator: SessionAuthenticator,
    private readonly admission: ConnectionAdmission,
    private readonly expiry: SessionExpiry,
    private readonly lifecycle: PresenceLifecycle,
    private readonly metrics: PresenceMetrics,
  ) {}

  /** The socket becomes who `token` says (`null`: anonymous again); answers the `session:token` ack. */
  switchTo(socket: PresenceSocket, token: string | null): Promise<Ack> {
    const answer = (this.queue.get(socket) ?? Promise.resolve()).then(() => this.apply(socket, token));
    this.queue.set(
      socket,
      answer.catch(() => undefined),
    );
    return answer;
  }

  private async apply(socket: PresenceSocket, token: string | null): Promise<Ack> {
    const before = socket.data;
    let identity: Identity;
    try {
      identity = await this.authenticator.switchTo(before.clientId, token);
    } catch (error) {
      if (error instanceof UnauthorizedError) return ackError(ErrorCodes.Unauthorized, error.message);
      throw error;
    }
    const refusal = await this.admission.authorizeAgain(socket, identity, token);
    if (refusal) return { ok: false, error: refusal };
    const result = this.registry.presence.changeIdentity(socket.id, identity);
    if (!result.ok) return result;
    for (const room of result.left) for (const channel of roomChannels(room)) socket.leave(channel);
    for (const channel of identityChannels(before)) socket.leave(channel);
    socket.join(identityChannels(identity));
    socket.data = identity;
    this.expiry.watch(socket);
    this.lifecycle.identityChanged(socket.id, before, identity);
    const session = sessionOf(identity);
    socket.emit(Events.Session, session);
    this.metrics.sent(Events.Session);
    const ack: SessionTokenAck = { ok: true, session, left: result.left };
    return then(this.figures.settled(), () => ack);
  }
}
