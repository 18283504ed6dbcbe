import { Controller, Get, Query, Res } from '@nestjs/common';
import { HISTORY_INTERVAL_MS, type PageHistory } from '@presently/protocol';
import { minuteOf } from '@presently/presence-core';
import type { Response } from 'express';
import { SVG_IMAGE_HEADERS } from '../http/svg-image';
import { queryKey } from '../http/http-query';
import { Figures } from '../figures/figures';
import { historySparkline } from './history-sparkline';

/**
 * v1.1, a page's occupancy over the last hour: `GET /api/pages/history?page=`
 * as JSON (a point per minute with viewers: its start, peak and mean), and
 * `GET /api/pages/history.svg?page=` as a sparkline image. The page is read
 * like `GET /api/pages/count`'s (same validation, open to anyone); reading
 * counts nobody.
 */
@Controller('api/pages')
export class HistoryController {
  constructor(private readonly figures: Figures) {}

  @Get('history')
  async history(@Query('page') page: unknown): Promise<PageHistory> {
    const key = queryKey('page', page);
    return { page: key, interval: HISTORY_INTERVAL_MS, points: await this.figures.history(key) };
  }

  @Get('history.svg')
  async sparkline(@Query('page') page: unknown, @Res({ passthrough: true }) response: Response): Promise<string> {
    const key = queryKey('page', page);
    const [points, [counts]] = await Promise.all([this.figures.history(key), this.figures.pageCounts([key])]);
    response.set(SVG_IMAGE_HEADERS);
    return historySparkline(key, points, counts.viewers, minuteOf(Date.now()));
  }
}
