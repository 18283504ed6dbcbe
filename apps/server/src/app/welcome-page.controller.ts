import { Controller, Get, Header } from '@nestjs/common';
import { DOCS_URL } from './command-line';

/** What a browser opening a server that hosts no web app sees at `/`. */
export const WELCOME_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Presently</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}code{background:#f1f3f5;padding:0 .25em;border-radius:.25em}</style>
</head>
<body>
<main>
<h1>Presently</h1>
<p>This is a Presently server: live presence for the web. Clients connect with Socket.IO
to the <code>/presence</code> namespace (<code>@presently/client</code>, <code>@presently/angular</code>);
the HTTP API answers under <code>/api</code>.</p>
<ul>
<li><a href="/examples/badge">The live badge</a>, one script tag on any page: <code>&lt;script src="/badge.js" async&gt;&lt;/script&gt;</code></li>
<li><a href="/healthz">/healthz</a> and <a href="/readyz">/readyz</a> for probes, <a href="/metrics">/metrics</a> for Prometheus</li>
</ul>
<p>It hosts no web app: set <code>WEB_ROOT</code> to a folder with an <code>index.html</code> to serve one here.</p>
<p>Docs: <a href="${DOCS_URL}">${DOCS_URL}</a></p>
</main>
</body>
</html>
`;

/**
 * `GET /` when the server hosts no web app: a small page saying what this
 * is and where the docs are (with a web app, `/` is the app's index).
 */
@Controller()
export class WelcomePageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return WELCOME_PAGE;
  }
}
