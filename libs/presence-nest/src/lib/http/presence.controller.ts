import { Controller, Get, Headers, HttpStatus, Query } from '@nestjs/common';
import type { Member, PageCounts, Stats } from '@presently/protocol';
import { checkRoomAccess } from '@presently/presence-core';
import { PresenceHttpError } from './http-error';
import { queryKey } from './http-query';
import { Figures } from '../figures/figures';
import { SessionAuthenticator } from '../access/session-authenticator';

const ANONYMOUS = { authenticated: false, roles: [] };

/** Read-only HTTP views of presence: first paint, server-side rendering, no-JS readers. */
@Controller('api')
export class PresenceController {
  constructor(
    private readonly figures: Figures,
    private readonly authenticator: SessionAuthenticator,
  ) {}

  @Get('pages/count')
  async pageCount(@Query('page') page: unknown): Promise<PageCounts> {
    const [counts] = await this.figures.pageCounts([queryKey('page', page)]);
    return counts;
  }

  @Get('rooms/members')
  async members(@Query('room') room: unknown, @Headers('authorization') authorization?: string): Promise<{ room: string; members: Member[]; total: number }> {
    const key = queryKey('room', room);
    // Only rooms an anonymous visitor could not join need a token.
    if (checkRoomAccess(key, ANONYMOUS)) {
      const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
      if (!token) throw new PresenceHttpError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', 'this room needs a Bearer token');
      const claims = await this.authenticator.verify(token).catch(() => {
        throw new PresenceHttpError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', 'invalid token');
      });
      const denied = checkRoomAccess(key, { authenticated: true, roles: claims.roles ?? [] });
      if (denied) throw new PresenceHttpError(HttpStatus.FORBIDDEN, denied.code, denied.message);
    }
    const { members, total } = await this.figures.roster(key);
    return { room: key, members, total };
  }

  @Get('stats')
  async stats(): Promise<Stats> {
    return this.figures.stats();
  }
}
