import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { WORKSPACE_ROOT } from './server';

/** Debian's Chromium unless CHROMIUM_PATH names another binary. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Where browser tests leave their screenshots (kept as CI artifacts). */
export const ARTIFACTS_DIR = join(WORKSPACE_ROOT, 'tmp/artifacts');

/**
 * The `User-Agent` desktop Chrome of this version sends (reduced, as Chrome
 * sends it: `Chrome/<major>.0.0.0`). Headless Chromium announces itself as
 * `HeadlessChrome`, which crawler lists (rightly) treat as a bot that the
 * server does not count; browser tests stand for people, so they present this.
 */
export function desktopUserAgent(version: string): string {
  const major = /^(\d+)\./.exec(version)?.[1] ?? '0';
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
}

/** The version of the Chromium binary, e.g. `156.0.8078.79`. */
function chromiumVersion(): string {
  const output = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const version = /(\d+\.\d+\.\d+\.\d+)/.exec(output)?.[1];
  if (!version) throw new Error(`cannot tell the version of ${CHROMIUM_PATH} from: ${output}`);
  return version;
}

/**
 * Launches headless Chromium with the flags this kind of machine needs: no
 * sandbox (root in a container), no GPU, and none of Chromium's own network
 * traffic (its connections are refused and would only slow it down). Every
 * context presents a desktop `User-Agent` (see {@link desktopUserAgent})
 * unless it sets its own.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      `--user-agent=${desktopUserAgent(chromiumVersion())}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh context (its own storage, so its own clientId) with one page. */
export async function openPage(browser: Browser, url: string, options: { userAgent?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, ...(options.userAgent && { userAgent: options.userAgent }) });
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}

/** Saves a full-page screenshot as `tmp/artifacts/<suite>/<name>.png`. */
export async function screenshot(page: Page, suite: string, name: string): Promise<string> {
  const dir = join(ARTIFACTS_DIR, suite);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name.replace(/[^A-Za-z0-9_-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
