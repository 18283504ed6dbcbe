import { Controller, Get, Query, Res } from '@nestjs/common';
import { DEFAULT_BADGE_COLOR, DEFAULT_BADGE_LABEL } from '@presently/protocol';
import { badgeQuerySchema, validate } from '@presently/protocol/validation';
import { makeBadge } from 'badge-maker';
import type { Response } from 'express';
import { badRequest } from './http-error';
import { Figures } from '../figures/figures';
import { SVG_IMAGE_HEADERS } from './svg-image';

export { BADGE_MAX_AGE_S } from './svg-image';

/**
 * `GET /api/pages/badge.svg?page=&label=&color=&labelColor=&style=`: the
 * page's current viewers as a shields.io-style SVG badge, drawn by
 * `badge-maker` (which escapes the text). Reading it counts nobody.
 */
@Controller('api/pages')
export class BadgeSvgController {
  constructor(private readonly figures: Figures) {}

  @Get('badge.svg')
  async badge(@Query() query: unknown, @Res({ passthrough: true }) response: Response): Promise<string> {
    const parsed = validate(badgeQuerySchema, query);
    if (!parsed.ok) throw badRequest(parsed.error.message);
    const { page, label, color, labelColor, style } = parsed.value;
    const [counts] = await this.figures.pageCounts([page]);
    // Only once there is an image: an error (a cluster read that failed) is not cached as one.
    response.set(SVG_IMAGE_HEADERS);
    return makeBadge({
      label: label ?? DEFAULT_BADGE_LABEL,
      message: String(counts.viewers),
      color: color ?? DEFAULT_BADGE_COLOR,
      ...(labelColor !== undefined && { labelColor }),
      style: style ?? 'flat',
    });
  }
}
