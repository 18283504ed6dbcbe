import { Controller, Get, Headers, HttpStatus, Query } from '@nestjs/common';
import type { Member, PageCounts, RecentLeaver, Stats } from '@presently/protocol';
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
    const key = await this.readableRoom(room, authorization);
    const { members, total } = await this.figures.roster(key);
    return { room: key, members, total };
  }

  /** v1.1: who left the room in the last `RECENT_MS` and is not back, most recent first; the access rules of `rooms/members`. */
  @Get('rooms/recent')
  async recent(@Query('room') room: unknown, @Headers('authorization') authorization?: string): Promise<{ room: string; recent: RecentLeaver[] }> {
    const key = await this.readableRoom(room, authorization);
    return { room: key, recent: await this.figures.recent(key) };
  }

  @Get('stats')
  async stats(): Promise<Stats> {
    return this.figures.stats();
  }

  /**
   * The room of a `room` query, once the caller may read it: rooms an
   * anonymous visitor could not join (`private:`, `role:`) need a `Bearer`
   * token (401 without a valid one) that grants them (403 otherwise).
   */
  private async readableRoom(room: unknown, authorization: string | undefined): Promise<string> {
    const key = queryKey('room', room);
    if (!checkRoomAccess(key, ANONYMOUS)) return key;
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new PresenceHttpError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', 'this room needs a Bearer token');
    const claims = await this.authenticator.verify(token).catch(() => {
      throw new PresenceHttpError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', 'invalid token');
    });
    const denied = checkRoomAccess(key, { authenticated: true, roles: claims.roles ?? [] });
    if (denied) throw new PresenceHttpError(HttpStatus.FORBIDDEN, denied.code, denied.message);
    return key;
  }
}
