import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where badge.js and the example page are: inside the server's folder in the
 * npm package (`dist/badge`), else where `nx build badge` puts them beside
 * the built server (`dist/libs/badge`).
 */
export const BADGE_DIST_DIR = [join(__dirname, 'badge'), join(__dirname, '../../libs/badge')].find((dir) => existsSync(join(dir, 'badge.js'))) ?? join(__dirname, '../../libs/badge');

/** A built file and its content version (the first 10 hex digits of its SHA-256). */
export interface BadgeAsset {
  body: Buffer;
  version: string;
}

/**
 * The built badge files, read once at start-up: they do not change while
 * the process runs, so their versions are fixed. A missing file is `null`
 * (the server still starts; the route answers 404).
 */
export class BadgeAssets {
  readonly script: BadgeAsset | null;
  readonly example: BadgeAsset | null;

  constructor(dir = BADGE_DIST_DIR) {
    this.script = load(join(dir, 'badge.js'));
    this.example = load(join(dir, 'example.html'));
  }
}

function load(path: string): BadgeAsset | null {
  try {
    const body = readFileSync(path);
    return { body, version: createHash('sha256').update(body).digest('hex').slice(0, 10) };
  } catch {
    return null;
  }
}
