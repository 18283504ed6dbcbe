import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The built badge.js (the `test` target builds it first). */
const BUILT = join(__dirname, '../../../dist/libs/badge/badge.js');
const LIMIT_BYTES = 5 * 1024;

describe('built badge.js', () => {
  const source = readFileSync(BUILT);

  it(`weighs at most ${LIMIT_BYTES} bytes gzipped`, () => {
    const gzipped = gzipSync(source, { level: 9 }).length;
    expect({ gzipped, withinLimit: gzipped <= LIMIT_BYTES }).toEqual({ gzipped, withinLimit: true });
  });

  it('is one self-contained script: no imports, no requires, no console output', () => {
    const text = source.toString('utf8');
    expect(text).not.toMatch(/\brequire\(|^import |\bimport\(|console\./m);
    expect(text.startsWith('"use strict";(()=>{')).toBe(true);
  });
});
