import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';

/** Paths the server itself answers; the web app's deep links never start with these. */
const SERVER_PATHS = /^\/(api|socket\.io|healthz|readyz|metrics|badge)(\/|$|\.)/;
const TEXT_HTML = /(^|,)\s*text\/html\s*(;|,|$)/i;
/** Angular's build names its bundles with a content hash: `main-VKB5LQIR.js`. */
const HASHED_FILE = /-[A-Z0-9]{8}\.(js|css|mjs)$/;

/**
 * The single-page web app the server hosts (the demo, by default): its files
 * as static assets, and `index.html` for any other page a browser asks for,
 * so deep links work.
 */
export class StaticSite {
  readonly index: string;

  constructor(readonly root: string) {
    this.index = join(root, 'index.html');
  }

  /**
   * `WEB_ROOT` when set; otherwise the demo built next to the server bundle
   * (`dist/apps/demo/browser` beside `dist/apps/server/main.js`), if built.
   */
  static locate(webRoot: string | undefined, bundleDir: string): StaticSite | null {
    const root = resolve(webRoot ?? join(bundleDir, '../demo/browser'));
    return existsSync(join(root, 'index.html')) ? new StaticSite(root) : null;
  }

  mount(app: NestExpressApplication): void {
    app.useStaticAssets(this.root, {
      index: false,
      setHeaders: (res, path) => {
        res.setHeader('Cache-Control', HASHED_FILE.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }

  /**
   * Whether a request that matched no route is a page the web app renders: a
   * browser navigating (it names `text/html`; `fetch` and API clients send
   * a wildcard or ask for JSON, and get the 404).
   */
  handles(request: Request): boolean {
    return (
      (request.method === 'GET' || request.method === 'HEAD') &&
      !SERVER_PATHS.test(request.path) &&
      TEXT_HTML.test(request.headers.accept ?? '')
    );
  }

  sendIndex(response: Response): void {
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(this.index);
  }
}
