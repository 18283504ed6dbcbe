import { Controller, Get, HttpStatus, Inject, Logger, Query, Req, Res } from '@nestjs/common';
import { StreamEvents } from '@presently/protocol';
import type { Request, Response } from 'express';
import { ConnectionAdmission } from '../access/connection-admission';
import { isCrawler } from '../access/crawlers';
import { EventStream } from './event-stream';
import { PresenceHttpError } from './http-error';
import { queryEvery, queryKey } from './http-query';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import { isAllowedOrigin } from '../access/origin';
import { Figures } from '../figures/figures';
import { then } from '../socket/handle-event';
import { PresenceRegistry } from '../presence-registry';
import { SessionAuthenticator } from '../access/session-authenticator';
import { STATE_FULL_MESSAGE, StateCeiling } from '../access/state-ceiling';

/**
 * `GET /api/pages/live?page=&clientId=`: a Server-Sent Events stream that
 * counts its reader on the page while it is open. To the presence registry
 * the stream is a connection like a socket that entered one page, so the
 * clientId dedupe, the grace period and crawlers work as they do for
 * sockets. It sends `retry`, `session`, the counts at once, then every
 * coalesced change (at the rate its reader chose with `every`, grouped with
 * the page's other streams at that rate); closing it is a disconnect.
 */
@Controller('api/pages')
export class LiveStreamController {
  private readonly logger = new Logger('LiveStream');
  private nextId = 0;

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly figures: Figures,
    private readonly authenticator: SessionAuthenticator,
    private readonly admission: ConnectionAdmission,
    private readonly ceiling: StateCeiling,
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
  ) {}

  @Get('live')
  live(
    @Query('page') pageInput: unknown,
    @Query('clientId') clientIdInput: unknown,
    @Query('every') everyInput: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    const page = queryKey('page', pageInput);
    const every = this.registry.rates.pageRate(queryEvery(everyInput));
    // As for websocket handshakes: a browser page from another origin is refused, not counted.
    if (!isAllowedOrigin(request.headers.origin, this.options.corsOrigins)) {
      throw new PresenceHttpError(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'this origin is not allowed');
    }
    const stream = new EventStream(page, response, every);
    if (request.method !== 'GET') {
      // HEAD: the headers a GET would have, and nobody counted.
      stream.open();
      stream.close();
      return;
    }

    if (!this.ceiling.admits()) {
      this.ceiling.refused();
      throw new PresenceHttpError(HttpStatus.SERVICE_UNAVAILABLE, 'LIMIT_EXCEEDED', STATE_FULL_MESSAGE);
    }
    const slot = this.admission.acquireStream(request.socket.remoteAddress, request.headers['x-forwarded-for']);
    if (!slot) {
      throw new PresenceHttpError(HttpStatus.TOO_MANY_REQUESTS, 'LIMIT_EXCEEDED', 'too many connections from this address');
    }
    const identity = this.authenticator.anonymous(clientIdInput);
    const id = `sse:${++this.nextId}`;
    const { presence, streams } = this.registry;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      slot.release();
      streams.delete(stream);
      if (every !== null) this.registry.rates.releasePage(page, every);
      presence.disconnect(id);
      this.logger.debug({ msg: 'stream closed', id, page });
    };
    response.on('close', release);

    presence.connect(id, identity, { counted: !isCrawler(request.headers['user-agent']), address: slot.address });
    const entered = presence.enterPage(id, page);
    stream.open();
    stream.send(StreamEvents.Session, { clientId: identity.clientId });
    if (entered.ok) {
      // The first count is the figures' (the cluster's, with one); announcements reach the stream from then on.
      void then(this.figures.pageCounts([page], id), ([counts]) => {
        if (released) return;
        stream.count(counts);
        streams.add(stream);
        if (every !== null) this.registry.rates.pageAcked(every, id, counts);
      });
    } else {
      // Refused only when its address's budget is spent (a key may cost more than what is left); the stream ends.
      this.logger.debug({ msg: 'stream refused by the registry', id, page, error: entered.error });
      stream.close();
    }
    if (response.destroyed) release();
    this.logger.debug({ msg: 'stream opened', id, page });
  }
}
