import { Controller, Get, HttpStatus, Logger, Param, Res, type OnModuleInit } from '@nestjs/common';
import { PresenceHttpError } from '@presently/presence-nest';
import type { Response } from 'express';
import { BadgeAssets, type BadgeAsset } from './badge-assets';

/** `/badge.js` is revalidated often (a short max-age, then a 304 by ETag) so that embeds pick up new versions. */
export const SCRIPT_CACHE = 'public, max-age=300, stale-while-revalidate=86400';
/** A versioned URL never changes its content. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/**
 * Serves the embeddable badge: `/badge.js` (short cache and ETag, with a
 * `Link` to its versioned URL), `/badge.<version>.js` (cached for a year,
 * immutable; an older version redirects to the current one), and a plain
 * HTML example page at `/examples/badge`.
 */
@Controller()
export class BadgeScriptController implements OnModuleInit {
  private readonly logger = new Logger('Badge');
  private readonly assets = new BadgeAssets();

  onModuleInit(): void {
    if (!this.assets.script) this.logger.warn({ msg: 'badge.js is not built: run `nx build badge`; /badge.js answers 404' });
  }

  @Get('badge.js')
  script(@Res() response: Response): void {
    const script = this.required(this.assets.script, 'badge.js');
    response.set('Link', `</badge.${script.version}.js>; rel="canonical"`);
    this.send(response, script, 'text/javascript; charset=utf-8', SCRIPT_CACHE);
  }

  @Get('badge.:version.js')
  versioned(@Param('version') version: string, @Res() response: Response): void {
    const script = this.required(this.assets.script, 'badge.js');
    if (!/^[0-9a-f]{10}$/.test(version)) throw notFound(`no badge version ${version}`);
    if (version !== script.version) {
      // An embed pinned to an older build keeps working with the current one.
      response.set('Cache-Control', 'no-cache').redirect(HttpStatus.FOUND, `/badge.${script.version}.js`);
      return;
    }
    this.send(response, script, 'text/javascript; charset=utf-8', IMMUTABLE_CACHE);
  }

  @Get('examples/badge')
  example(@Res() response: Response): void {
    const page = this.required(this.assets.example, 'the example page');
    this.send(response, page, 'text/html; charset=utf-8', 'no-cache');
  }

  private required(asset: BadgeAsset | null, what: string): BadgeAsset {
    if (!asset) throw notFound(`${what} is not built`);
    return asset;
  }

  private send(response: Response, asset: BadgeAsset, type: string, cache: string): void {
    response.set({
      'Content-Type': type,
      'Cache-Control': cache,
      ETag: `"${asset.version}"`,
      'X-Content-Type-Options': 'nosniff',
    });
    // Express answers 304 when If-None-Match matches the ETag.
    response.send(asset.body);
  }
}

const notFound = (message: string) => new PresenceHttpError(HttpStatus.NOT_FOUND, 'NOT_FOUND', message);
