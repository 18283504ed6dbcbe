import { Controller, Get, HttpStatus, Inject, Logger, Query, Req, Res } from '@nestjs/common';
import { StreamEvents } from '@presently/protocol';
import type { Request, Response } from 'express';
import { ConnectionAdmission } from './connection-admission';
import { isCrawler } from './crawlers';
import { EventStream } from './event-stream';
import { PresenceHttpError } from './http-error';
import { queryKey } from './http-query';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from './presence.options';
import { PresenceService } from './presence.service';
import { SessionAuthenticator } from './session-authenticator';

/**
 * `GET /api/pages/live?page=&clientId=`: a Server-Sent Events stream that
 * counts its reader on the page while it is open. To the presence registry
 * the stream is a connection like a socket that entered one page, so the
 * clientId dedupe, the grace period and crawlers work as they do for
 * sockets. It sends `retry`, `session`, the counts at once, then every
 * coalesced change; closing it is a disconnect.
 */
@Controller('api/pages')
export class LiveStreamController {
  private readonly logger = new Logger('LiveStream');
  private nextId = 0;

  constructor(
    private readonly service: PresenceService,
    private readonly authenticator: SessionAuthenticator,
    private readonly admission: ConnectionAdmission,
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
  ) {}

  @Get('live')
  live(@Query('page') pageInput: unknown, @Query('clientId') clientIdInput: unknown, @Req() request: Request, @Res() response: Response): void {
    const page = queryKey('page', pageInput);
    const origin = request.headers.origin;
    // As for websocket handshakes: a browser page from another origin is refused, not counted.
    if (origin !== undefined && this.options.corsOrigins && !this.options.corsOrigins.includes(origin)) {
      throw new PresenceHttpError(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'this origin is not allowed');
    }
    const stream = new EventStream(page, response);
    if (request.method !== 'GET') {
      // HEAD: the headers a GET would have, and nobody counted.
      stream.open();
      stream.close();
      return;
    }

    const slot = this.admission.acquireStream(request.socket.remoteAddress, request.headers['x-forwarded-for']);
    if (!slot) {
      throw new PresenceHttpError(HttpStatus.TOO_MANY_REQUESTS, 'LIMIT_EXCEEDED', 'too many connections from this address');
    }
    const identity = this.authenticator.anonymous(clientIdInput);
    const id = `sse:${++this.nextId}`;
    const { presence, streams } = this.service;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      slot();
      streams.delete(stream);
      presence.disconnect(id);
      this.logger.debug({ msg: 'stream closed', id, page });
    };
    response.on('close', release);

    presence.connect(id, identity, { counted: !isCrawler(request.headers['user-agent']) });
    const entered = presence.enterPage(id, page);
    stream.open();
    stream.send(StreamEvents.Session, { clientId: identity.clientId });
    if (entered.ok && this.service.cluster) {
      // The first count is the cluster's; announcements reach the stream from then on.
      void Promise.resolve(this.service.pageCounts([page])).then(([counts]) => {
        if (released) return;
        stream.count(counts);
        streams.add(stream);
      });
    } else if (entered.ok) {
      stream.count({ page, viewers: entered.viewers, connections: entered.connections });
      streams.add(stream);
    } else {
      // A new connection entering its first page is never refused; should it be, the stream ends.
      this.logger.error({ msg: 'stream refused by the registry', id, page, error: entered.error });
      stream.close();
    }
    if (response.destroyed) release();
    this.logger.debug({ msg: 'stream opened', id, page });
  }
}
