import * as fc from 'fast-check';
import { z } from 'zod';
import { ErrorCodes, type ErrorCode } from './errors';
import { CLIENT_EVENTS, type ClientEventName } from './events';
import {
  CLIENT_ID_PATTERN,
  KEY_MAX_LENGTH,
  META_MAX_BYTES,
  NAME_MAX_LENGTH,
  PAYLOAD_MAX_DEPTH,
  STATUS_MAX_LENGTH,
  USER_ID_MAX_LENGTH,
  WATCH_BATCH_MAX,
} from './limits';
import {
  inspectPayload,
  isValidClientId,
  payloadSchemas,
  tokenClaimsSchema,
  utf8Length,
  validate,
  validatePayload,
  type Validation,
} from './validation';

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const BAD_REQUEST = 'BAD_REQUEST';
const LIMIT_EXCEEDED = 'LIMIT_EXCEEDED';

/** One astral code point: two UTF-16 code units (a surrogate pair), four UTF-8 bytes. */
const EMOJI = '😀';

const run = (event: ClientEventName, input: unknown): Validation<unknown> => validatePayload(event, input);

/** Asserts success and returns the validated value. */
function expectOk<T>(result: Validation<T>): T {
  if (!result.ok) {
    throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  }
  return result.value;
}

/**
 * Asserts a failure with `code`; when `field` is given, the message must name it
 * (a dotted path such as `pages.3` or `profile.meta`).
 */
function expectFail(result: Validation<unknown>, code: ErrorCode, field?: string): void {
  expect(result).toMatchObject({ ok: false, error: { code } });
  if (result.ok) return;
  expect(typeof result.error.message).toBe('string');
  expect(result.error.message.length).toBeGreaterThan(0);
  if (field !== undefined) expect(result.error.message).toContain(field);
}

/** Bytes of `JSON.stringify(value)` as UTF-8, measured by Node itself. */
const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * A meta object `{ m: "<filler…><x…>" }` whose JSON is exactly `bytes` bytes,
 * made mostly of `filler` and padded with ASCII.
 */
function metaOfBytes(bytes: number, filler: string): { m: string } {
  const room = bytes - jsonBytes({ m: '' });
  const unit = jsonBytes(filler) - 2; // the filler's bytes inside a JSON string
  const count = Math.floor(room / unit);
  return { m: filler.repeat(count) + 'x'.repeat(room - count * unit) };
}

/** `n` nested arrays: nestArrays(1) is `[]`, nestArrays(2) is `[[]]`. */
function nestArrays(n: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 1; i < n; i++) value = [value];
  return value;
}

/** `n` nested objects: nestObjects(1) is `{}`, nestObjects(2) is `{ a: {} }`. */
function nestObjects(n: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < n; i++) value = { a: value };
  return value;
}

const CONTROL_CHARS: Array<[string, string]> = [
  ['NUL \\u0000 (C0)', '\u0000'],
  ['SOH \\u0001 (C0)', '\u0001'],
  ['TAB \\u0009 (C0)', '\t'],
  ['LF \\u000a (C0)', '\n'],
  ['CR \\u000d (C0)', '\r'],
  ['ESC \\u001b (C0)', '\u001b'],
  ['US \\u001f (C0, last)', '\u001f'],
  ['DEL \\u007f', '\u007f'],
  ['PAD \\u0080 (C1, first)', '\u0080'],
  ['NEL \\u0085 (C1)', '\u0085'],
  ['APC \\u009f (C1, last)', '\u009f'],
];

/** Neighbours of the control ranges and other non-Cc characters: all allowed. */
const NON_CONTROL_CHARS: Array<[string, string]> = [
  ['space \\u0020', ' '],
  ['tilde \\u007e', '~'],
  ['NBSP \\u00a0', '\u00a0'],
  ['\\u00ff', '\u00ff'],
  ['line separator \\u2028 (Zl, not Cc)', '\u2028'],
  ['emoji', EMOJI],
];

// Every client event that carries a page or room key, and how to put a key in it.
interface KeyedEvent {
  event: ClientEventName;
  /** Payload carrying `key` where the event's key belongs. */
  withKey: (key: unknown) => Record<string, unknown>;
  /** The field path the error message must name. */
  path: string;
}

const KEYED_EVENTS: KeyedEvent[] = [
  { event: 'page:enter', withKey: (k) => ({ page: k }), path: 'page' },
  { event: 'page:leave', withKey: (k) => ({ page: k }), path: 'page' },
  { event: 'page:watch', withKey: (k) => ({ pages: ['/ok', k] }), path: 'pages.1' },
  { event: 'page:unwatch', withKey: (k) => ({ pages: ['/ok', k] }), path: 'pages.1' },
  { event: 'room:join', withKey: (k) => ({ room: k }), path: 'room' },
  { event: 'room:leave', withKey: (k) => ({ room: k }), path: 'room' },
  { event: 'room:update', withKey: (k) => ({ room: k, profile: {} }), path: 'room' },
];

/** Events whose payload has a profile; `room:update` requires it. */
const PROFILE_EVENTS = ['room:join', 'room:update'] as const;
const withProfile = (profile: unknown) => ({ room: 'lobby', profile });

/** Where the forbidden keys are planted, relative to a valid payload. */
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

// ---------------------------------------------------------------------------
// Contract constants
// ---------------------------------------------------------------------------

describe('limits the contract fixes', () => {
  it('match protocol v1', () => {
    expect(KEY_MAX_LENGTH).toBe(512);
    expect(NAME_MAX_LENGTH).toBe(64);
    expect(STATUS_MAX_LENGTH).toBe(32);
    expect(META_MAX_BYTES).toBe(1024);
    expect(WATCH_BATCH_MAX).toBe(100);
    expect(ErrorCodes.BadRequest).toBe(BAD_REQUEST);
    expect(ErrorCodes.LimitExceeded).toBe(LIMIT_EXCEEDED);
  });

  it('has a payload schema for exactly the client events', () => {
    expect(Object.keys(payloadSchemas).sort()).toEqual([...CLIENT_EVENTS].sort());
  });
});

// ---------------------------------------------------------------------------
// validatePayload: shapes
// ---------------------------------------------------------------------------

describe('validatePayload: valid payloads', () => {
  const cases: Array<[ClientEventName, unknown]> = [
    ['page:enter', { page: '/blog/hello-world' }],
    ['page:leave', { page: '/blog/hello-world' }],
    ['page:watch', { pages: ['/blog/a', '/blog/b'] }],
    ['page:watch', { pages: ['/same', '/same'] }],
    ['page:unwatch', { pages: ['/blog/a'] }],
    ['room:join', { room: 'lobby' }],
    ['room:join', { room: 'lobby', profile: {} }],
    ['room:join', { room: 'lobby', profile: { name: 'Ada', status: 'busy', meta: { color: '#f00', n: 1, tags: ['a'] } } }],
    ['room:leave', { room: 'private:team' }],
    ['room:update', { room: 'lobby', profile: { status: 'away' } }],
    ['room:update', { room: 'lobby', profile: {} }],
    ['room:update', { room: 'role:admin:ops', profile: { meta: { nested: { deep: [1, null, true, 'x'] } } } }],
    ['stats:watch', {}],
    ['stats:unwatch', {}],
  ];

  it.each(cases)('%s accepts %j and returns it unchanged', (event, payload) => {
    expect(run(event, payload)).toStrictEqual({ ok: true, value: payload });
  });

  it('accepts values that merely look like forbidden keys (they are values, not keys)', () => {
    expect(expectOk(run('page:enter', { page: '__proto__' }))).toStrictEqual({ page: '__proto__' });
    expect(expectOk(run('room:join', { room: 'constructor', profile: { name: 'prototype' } }))).toStrictEqual({
      room: 'constructor',
      profile: { name: 'prototype' },
    });
    expect(expectOk(run('page:watch', { pages: ['__proto__', 'constructor', 'prototype'] }))).toStrictEqual({
      pages: ['__proto__', 'constructor', 'prototype'],
    });
  });

  it('accepts an explicitly undefined optional profile on room:join', () => {
    expect(expectOk(run('room:join', { room: 'lobby', profile: undefined }))).toEqual({ room: 'lobby' });
  });
});

describe('validatePayload: a payload that is not an object', () => {
  const notObjects: Array<[string, unknown]> = [
    ['missing (undefined)', undefined],
    ['null', null],
    ['0', 0],
    ['a number', 42],
    ['NaN', Number.NaN],
    ['true', true],
    ['an empty string', ''],
    ['a string', '/blog/x'],
    ['an empty array', []],
    ['an array of strings', ['/blog/x']],
    ['an array holding a valid payload', [{ page: '/blog/x', room: 'lobby' }]],
  ];

  for (const event of CLIENT_EVENTS) {
    it.each(notObjects)(`${event} rejects %s with BAD_REQUEST`, (_label, payload) => {
      expectFail(run(event, payload), BAD_REQUEST);
    });
  }
});

describe('validatePayload: required fields', () => {
  const cases: Array<[ClientEventName, unknown, string]> = [
    ['page:enter', {}, 'page'],
    ['page:leave', { room: '/blog/x' }, 'page'],
    ['page:watch', {}, 'pages'],
    ['page:watch', { page: '/blog/x' }, 'pages'],
    ['page:unwatch', {}, 'pages'],
    ['room:join', {}, 'room'],
    ['room:join', { page: 'lobby' }, 'room'],
    ['room:leave', {}, 'room'],
    ['room:update', {}, 'room'],
    ['room:update', { room: 'lobby' }, 'profile'],
    ['room:update', { profile: {} }, 'room'],
  ];

  it.each(cases)('%s rejects %j with BAD_REQUEST naming %s', (event, payload, field) => {
    expectFail(run(event, payload), BAD_REQUEST, field);
  });
});

describe('validatePayload: wrong types where a key belongs', () => {
  const notStrings: Array<[string, unknown]> = [
    ['null', null],
    ['a number', 7],
    ['a boolean', false],
    ['an object', { page: '/x' }],
    ['an array', ['/x']],
  ];

  for (const { event, withKey, path } of KEYED_EVENTS) {
    it.each(notStrings)(`${event} rejects a key that is %s`, (_label, key) => {
      expectFail(run(event, withKey(key)), BAD_REQUEST, path);
    });
  }
});

describe('validatePayload: pages is not an array', () => {
  const notArrays: Array<[string, unknown]> = [
    ['null', null],
    ['a string', '/blog/x'],
    ['a number', 1],
    ['an object', { 0: '/blog/x' }],
    ['an array-like object', { 0: '/blog/x', length: 1 }],
  ];

  for (const event of ['page:watch', 'page:unwatch'] as const) {
    it.each(notArrays)(`${event} rejects pages that is %s`, (_label, pages) => {
      expectFail(run(event, { pages }), BAD_REQUEST, 'pages');
    });
  }
});

// ---------------------------------------------------------------------------
// validatePayload: page and room keys
// ---------------------------------------------------------------------------

describe('validatePayload: key length (UTF-16 code units)', () => {
  const accepted: Array<[string, string]> = [
    ['1 character', 'a'],
    ['512 ASCII characters', 'a'.repeat(512)],
    ['512 two-byte characters', 'é'.repeat(512)],
    ['512 three-byte characters', '€'.repeat(512)],
    ['256 emoji (512 code units)', EMOJI.repeat(256)],
    ['mixed, 512 code units', 'a' + EMOJI.repeat(255) + 'b'],
    ['a single emoji', EMOJI],
    ['whitespace only', ' '],
  ];
  const rejected: Array<[string, string]> = [
    ['empty (0 characters)', ''],
    ['513 ASCII characters', 'a'.repeat(513)],
    ['513 two-byte characters', 'é'.repeat(513)],
    ['256 emoji and 1 ASCII (513 code units)', EMOJI.repeat(256) + 'a'],
    ['257 emoji (514 code units, only 257 code points)', EMOJI.repeat(257)],
    ['300 emoji (600 code units, only 300 code points)', EMOJI.repeat(300)],
  ];

  it('counts code units the way the fixtures assume', () => {
    expect(EMOJI.repeat(256)).toHaveLength(512);
    expect(EMOJI.repeat(256) + 'a').toHaveLength(513);
    expect([...EMOJI.repeat(300)]).toHaveLength(300);
  });

  for (const { event, withKey, path } of KEYED_EVENTS) {
    it.each(accepted)(`${event} accepts a key of %s`, (_label, key) => {
      expect(run(event, withKey(key))).toStrictEqual({ ok: true, value: withKey(key) });
    });

    it.each(rejected)(`${event} rejects a key of %s with BAD_REQUEST`, (_label, key) => {
      expectFail(run(event, withKey(key)), BAD_REQUEST, path);
    });
  }
});

describe('validatePayload: control characters in keys', () => {
  for (const { event, withKey, path } of KEYED_EVENTS) {
    describe(event, () => {
      it.each(CONTROL_CHARS)('rejects %s at the start, middle and end', (_label, c) => {
        for (const key of [c, `${c}/x`, `/a${c}b`, `/x${c}`, 'a'.repeat(511) + c]) {
          expectFail(run(event, withKey(key)), BAD_REQUEST, path);
        }
      });

      it.each(NON_CONTROL_CHARS)('accepts %s', (_label, c) => {
        const key = `/a${c}b`;
        expect(run(event, withKey(key))).toStrictEqual({ ok: true, value: withKey(key) });
      });
    });
  }

  it('accepts a key iff it has 1–512 code units and no Cc character (property)', () => {
    const unit = fc.oneof(
      { arbitrary: fc.constantFrom('\u0000', '\u001f', '\u007f', '\u0085', '\u009f', '\n'), weight: 1 },
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 10 },
    );
    // Random ends around a long run of BMP and astral characters, so lengths
    // straddle the limit (up to ~1100 code units) and counterexamples shrink fast.
    const key = fc
      .tuple(fc.string({ unit, maxLength: 8 }), fc.nat({ max: 540 }), fc.nat({ max: 300 }), fc.string({ unit, maxLength: 8 }))
      .map(([head, bmp, astral, tail]) => head + '€'.repeat(bmp) + EMOJI.repeat(astral) + tail);
    fc.assert(
      fc.property(key, (key) => {
        const valid = key.length >= 1 && key.length <= 512 && !/\p{Cc}/u.test(key);
        expect(run('page:enter', { page: key }).ok).toBe(valid);
        expect(run('room:join', { room: key }).ok).toBe(valid);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// validatePayload: page:watch / page:unwatch batches
// ---------------------------------------------------------------------------

describe('validatePayload: page batch size', () => {
  const pages = (n: number, key = (i: number) => `/p/${i}`) => Array.from({ length: n }, (_, i) => key(i));

  for (const event of ['page:watch', 'page:unwatch'] as const) {
    describe(event, () => {
      it('rejects 0 pages with BAD_REQUEST', () => {
        expectFail(run(event, { pages: [] }), BAD_REQUEST, 'pages');
      });

      it.each([1, 2, 99, 100])('accepts %i pages and keeps their order', (n) => {
        expect(run(event, { pages: pages(n) })).toStrictEqual({ ok: true, value: { pages: pages(n) } });
      });

      it.each([101, 1000])('rejects %i pages with LIMIT_EXCEEDED', (n) => {
        expectFail(run(event, { pages: pages(n) }), LIMIT_EXCEEDED, 'pages');
      });

      it('accepts 100 pages of 512 non-ASCII code units each', () => {
        const big = pages(100, (i) => (String(i).padStart(3, '0') + '€'.repeat(509)));
        expect(big.every((p) => p.length === 512)).toBe(true);
        expect(expectOk(run(event, { pages: big }))).toStrictEqual({ pages: big });
      });

      it.each([
        ['an empty key', ''],
        ['a 513-character key', 'a'.repeat(513)],
        ['a key with \\u0000', '/x\u0000'],
        ['a key with \\u0085', '/x\u0085'],
        ['a number', 5],
        ['null', null],
        ['an object', {}],
      ])('rejects a batch holding %s, naming its index', (_label, bad) => {
        const batch: unknown[] = pages(100);
        batch[57] = bad;
        expectFail(run(event, { pages: batch }), BAD_REQUEST, 'pages.57');
        expectFail(run(event, { pages: [bad] }), BAD_REQUEST, 'pages.0');
      });
    });
  }
});

// ---------------------------------------------------------------------------
// validatePayload: profiles (name, status, meta)
// ---------------------------------------------------------------------------

describe('validatePayload: profile', () => {
  for (const event of PROFILE_EVENTS) {
    describe(event, () => {
      it.each([
        ['null', null],
        ['a string', 'Ada'],
        ['a number', 3],
        ['an array', []],
        ['an array of a profile', [{ name: 'Ada' }]],
      ])('rejects a profile that is %s', (_label, profile) => {
        expectFail(run(event, withProfile(profile)), BAD_REQUEST, 'profile');
      });

      it.each([
        ['64 ASCII characters', 'n'.repeat(64)],
        ['32 emoji (64 code units)', EMOJI.repeat(32)],
        ['one character', 'A'],
        ['non-ASCII', 'Zoë Ünal 李'],
      ])('accepts a name of %s', (_label, name) => {
        expect(run(event, withProfile({ name }))).toStrictEqual({ ok: true, value: withProfile({ name }) });
      });

      it.each([
        ['65 ASCII characters', 'n'.repeat(65)],
        ['63 ASCII characters and an emoji (65 code units)', 'n'.repeat(63) + EMOJI],
        ['33 emoji (66 code units)', EMOJI.repeat(33)],
        ['a number', 42],
        ['null', null],
        ['an object', { first: 'Ada' }],
        ['an array', ['Ada']],
        ['a control character', 'Ada\u0000'],
      ])('rejects a name of %s with BAD_REQUEST', (_label, name) => {
        expectFail(run(event, withProfile({ name })), BAD_REQUEST, 'profile.name');
      });

      it.each([
        ['online', 'online'],
        ['away', 'away'],
        ['busy', 'busy'],
        ["an app's own", 'in a meeting'],
        ['32 ASCII characters', 's'.repeat(32)],
        ['16 emoji (32 code units)', EMOJI.repeat(16)],
      ])('accepts a status of %s', (_label, status) => {
        expect(run(event, withProfile({ status }))).toStrictEqual({ ok: true, value: withProfile({ status }) });
      });

      it.each([
        ['33 ASCII characters', 's'.repeat(33)],
        ['31 ASCII characters and an emoji (33 code units)', 's'.repeat(31) + EMOJI],
        ['a number', 1],
        ['null', null],
        ['an array', ['away']],
        ['a control character', 'away\u009f'],
      ])('rejects a status of %s with BAD_REQUEST', (_label, status) => {
        expectFail(run(event, withProfile({ status })), BAD_REQUEST, 'profile.status');
      });

      it.each([
        ['an array', []],
        ['an array of objects', [{ a: 1 }]],
        ['a string', '{"a":1}'],
        ['null', null],
        ['a number', 1],
        ['a boolean', true],
      ])('rejects meta that is %s with BAD_REQUEST', (_label, meta) => {
        expectFail(run(event, withProfile({ meta })), BAD_REQUEST, 'profile.meta');
      });

      it('accepts an empty meta and arbitrary JSON inside meta', () => {
        for (const meta of [{}, { a: null, b: [1, 'x', false, { c: [] }], d: { e: { f: -1.5 } }, '': 0 }]) {
          expect(run(event, withProfile({ meta }))).toStrictEqual({ ok: true, value: withProfile({ meta }) });
        }
      });
    });
  }

  for (const [field, max] of [
    ['name', NAME_MAX_LENGTH],
    ['status', STATUS_MAX_LENGTH],
  ] as const) {
    describe(`${field}: text shown to others`, () => {
      const profile = (value: string) => withProfile({ [field]: value });

      it.each([
        ['a right-to-left override', 'Ada\u202e nimda'],
        ['a left-to-right embedding', '\u202aAda'],
        ['a pop directional formatting', 'Ada\u202c'],
        ['a right-to-left isolate', 'Ada \u2067x'],
        ['a pop directional isolate', 'Ada\u2069'],
        ['a line separator', 'Ada\u2028Admin'],
        ['a paragraph separator', 'Ada\u2029'],
        ['only zero-width spaces', '\u200b\u200b\u200b'],
        ['only a zero-width joiner and spaces', ' \u200d '],
        ['only spaces', '   '],
        ['only ideographic spaces', '\u3000'],
        ['only a BOM', '\ufeff'],
        ['only Hangul fillers', '\u3164\u3164'],
      ])(`refuses a ${field} with %s, BAD_REQUEST naming it`, (_label, value) => {
        for (const event of PROFILE_EVENTS) expectFail(run(event, profile(value)), BAD_REQUEST, `profile.${field}`);
      });

      it(`normalises a ${field} to NFC before anything else`, () => {
        const decomposed = 'Ade\u0301le';
        expect(expectOk(run('room:update', profile(decomposed)))).toEqual(profile('Ad\u00e9le'));
        expect(expectOk(run('room:join', profile('Ad\u00e9le')))).toEqual(profile('Ad\u00e9le'));
      });

      it(`measures a ${field} after NFC: ${max} decomposed letters fit, since they compose to ${max} code units`, () => {
        // e + U+0301 is two code units, é one: twice the limit as given, the limit once normalised.
        expect(expectOk(run('room:join', profile('e\u0301'.repeat(max))))).toEqual(profile('\u00e9'.repeat(max)));
        expectFail(run('room:join', profile('e\u0301'.repeat(max + 1))), BAD_REQUEST, `profile.${field}`);
        // U+0958 has no composed form: NFC gives two code units for one, so the limit counts them.
        expectFail(run('room:join', profile('\u0958'.repeat(Math.floor(max / 2) + 1))), BAD_REQUEST, `profile.${field}`);
        expect(run('room:join', profile('\u0958'.repeat(Math.floor(max / 2)))).ok).toBe(true);
      });

      it(`keeps a ${field} with visible text among invisible characters, and right-to-left letters`, () => {
        for (const value of ['\u200bAda', 'عربي', 'Zoë\u200d']) expect(expectOk(run('room:join', profile(value)))).toEqual(profile(value));
      });
    });
  }

  it('leaves keys as given: not normalised, bidi controls allowed (identifiers, not shown text)', () => {
    expect(expectOk(run('room:join', { room: 'Ade\u0301le' }))).toEqual({ room: 'Ade\u0301le' });
    expect(expectOk(run('page:enter', { page: '/p\u202e' }))).toEqual({ page: '/p\u202e' });
  });

  it('accepts a name or status iff, once NFC, it has 1–64 / 1–32 code units, no Cc, bidi control or separator, and is not blank (property)', () => {
    const unit = fc.oneof(
      { arbitrary: fc.constantFrom('\u0000', '\u007f', '\u0085'), weight: 1 },
      { arbitrary: fc.constantFrom('\u202e', '\u2066', '\u2028', '\u200b', ' ', 'e\u0301', '\u0958'), weight: 5 },
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 10 },
      { arbitrary: fc.constantFrom('a', 'é', EMOJI), weight: 100 },
    );
    const text = fc.oneof(
      fc.string({ unit, minLength: 1, maxLength: 8 }),
      fc.string({ unit, minLength: 16, maxLength: 70 }),
    );
    fc.assert(
      fc.property(text, (s) => {
        const nfc = s.normalize('NFC');
        const shown = !/[\p{Cc}\u202a-\u202e\u2066-\u2069\u2028\u2029]/u.test(nfc) && /[^\p{Default_Ignorable_Code_Point}\p{White_Space}]/u.test(nfc);
        expect(run('room:join', withProfile({ name: s })).ok).toBe(shown && nfc.length <= 64);
        expect(run('room:update', withProfile({ status: s })).ok).toBe(shown && nfc.length <= 32);
      }),
      { numRuns: 300 },
    );
  });
});

describe('validatePayload: meta size (UTF-8 bytes of JSON.stringify)', () => {
  const fillers: Array<[string, string]> = [
    ['ASCII', 'x'],
    ['two-byte é', 'é'],
    ['three-byte €', '€'],
    ['four-byte emoji', EMOJI],
    ['a lone high surrogate (escaped as \\ud800 by JSON.stringify)', '\ud800'],
    ['a lone low surrogate (escaped as \\udc00 by JSON.stringify)', '\udc00'],
    ['a quote (escaped as \\")', '"'],
    ['a backslash (escaped as \\\\)', '\\'],
    ['a newline (escaped as \\n)', '\n'],
    ['a C0 control (escaped as \\u0001)', '\u0001'],
  ];

  for (const event of PROFILE_EVENTS) {
    describe(event, () => {
      it.each(fillers)('accepts exactly 1024 bytes of %s', (_label, filler) => {
        const meta = metaOfBytes(1024, filler);
        expect(jsonBytes(meta)).toBe(1024);
        expect(meta.m).toContain(filler);
        expect(run(event, withProfile({ meta }))).toStrictEqual({ ok: true, value: withProfile({ meta }) });
      });

      it.each(fillers)('rejects 1025 bytes of %s with LIMIT_EXCEEDED', (_label, filler) => {
        const meta = metaOfBytes(1025, filler);
        expect(jsonBytes(meta)).toBe(1025);
        expectFail(run(event, withProfile({ meta })), LIMIT_EXCEEDED, 'profile.meta');
      });

      it('counts bytes, not characters: 300 emoji are 600 code units but 1200 bytes', () => {
        const meta = { m: EMOJI.repeat(300) };
        expect(JSON.stringify(meta).length).toBeLessThan(1024);
        expect(jsonBytes(meta)).toBeGreaterThan(1024);
        expectFail(run(event, withProfile({ meta })), LIMIT_EXCEEDED, 'profile.meta');
      });

      it('accepts 1024 bytes spread over many keys and nested values, rejects one byte more', () => {
        const base = { a: 1, b: [true, null, 'é'], c: { d: '€', e: [{ f: EMOJI }] }, pad: '' };
        const pad = 'p'.repeat(1024 - jsonBytes(base));
        const meta = { ...base, pad };
        expect(jsonBytes(meta)).toBe(1024);
        expect(expectOk(run(event, withProfile({ meta })))).toStrictEqual(withProfile({ meta }));
        const over = { ...base, pad: pad + 'p' };
        expect(jsonBytes(over)).toBe(1025);
        expectFail(run(event, withProfile({ meta: over })), LIMIT_EXCEEDED, 'profile.meta');
      });

      it('rejects a very large meta with LIMIT_EXCEEDED', () => {
        const meta = { list: Array.from({ length: 100_000 }, (_, i) => i) };
        expectFail(run(event, withProfile({ meta })), LIMIT_EXCEEDED, 'profile.meta');
      });
    });
  }

  it('accepts a meta iff its JSON has at most 1024 UTF-8 bytes (property)', () => {
    const hasForbiddenKey = (v: unknown): boolean =>
      v !== null &&
      typeof v === 'object' &&
      (Array.isArray(v)
        ? v.some(hasForbiddenKey)
        : Object.keys(v).some((k) => (FORBIDDEN_KEYS as readonly string[]).includes(k)) ||
          Object.values(v).some(hasForbiddenKey));
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    const stringUnit = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), lone);
    const metaArb = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3, stringUnit }), {
      maxKeys: 6,
    });
    fc.assert(
      fc.property(metaArb, fc.integer({ min: 990, max: 1060 }), (generated, target) => {
        // Through JSON, as the wire delivers it; then padded to the target size.
        const base = JSON.parse(JSON.stringify(generated)) as Record<string, unknown>;
        delete base['pad'];
        const size = jsonBytes({ ...base, pad: '' });
        fc.pre(size <= target && !hasForbiddenKey(base));
        const meta = { ...base, pad: 'x'.repeat(target - size) };
        expect(jsonBytes(meta)).toBe(target);
        const result = run('room:update', withProfile({ meta }));
        if (target <= 1024) expect(result).toStrictEqual({ ok: true, value: withProfile({ meta }) });
        else expectFail(result, LIMIT_EXCEEDED, 'profile.meta');
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// validatePayload: unknown fields
// ---------------------------------------------------------------------------

describe('validatePayload: unknown fields are stripped', () => {
  const cases: Array<[ClientEventName, unknown, unknown]> = [
    ['page:enter', { page: '/a', extra: 1, room: 'lobby' }, { page: '/a' }],
    ['page:leave', { page: '/a', pages: ['/b'] }, { page: '/a' }],
    ['page:watch', { pages: ['/a'], page: '/b', x: { y: 1 } }, { pages: ['/a'] }],
    ['page:unwatch', { pages: ['/a'], all: true }, { pages: ['/a'] }],
    ['room:join', { room: 'r', userId: 'admin', roles: ['admin'] }, { room: 'r' }],
    [
      'room:join',
      { room: 'r', profile: { name: 'Ada', userId: 'admin', since: 0, connections: 9 } },
      { room: 'r', profile: { name: 'Ada' } },
    ],
    ['room:leave', { room: 'r', reason: 'node-down' }, { room: 'r' }],
    ['room:update', { room: 'r', profile: { status: 'away', roles: ['x'] }, extra: null }, { room: 'r', profile: { status: 'away' } }],
    ['stats:watch', { top: 1000, page: '/a' }, {}],
    ['stats:unwatch', { anything: [1, 2, 3] }, {}],
  ];

  it.each(cases)('%s strips unknown fields from %j', (event, payload, expected) => {
    expect(run(event, payload)).toStrictEqual({ ok: true, value: expected });
  });

  it('keeps every key of meta, which is free-form JSON', () => {
    const meta = { anything: 1, userId: 'x', profile: { name: 'y' } };
    expect(expectOk(run('room:join', withProfile({ meta })))).toStrictEqual(withProfile({ meta }));
  });

  it('does not mutate its input', () => {
    const input = { room: 'r', profile: { name: 'Ada', extra: 1, meta: { a: [1] } }, extra: 2 };
    const copy = structuredClone(input);
    validatePayload('room:join', input);
    validatePayload('room:update', input);
    expect(input).toStrictEqual(copy);
  });
});

// ---------------------------------------------------------------------------
// validatePayload: prototype keys and nesting
// ---------------------------------------------------------------------------

describe('validatePayload: prototype keys', () => {
  // Each template's `$KEY` becomes a forbidden key; JSON.parse makes it an own property.
  const placements: Array<[ClientEventName, string]> = [
    ['page:enter', '{"page":"/a","$KEY":{"polluted":true}}'],
    ['page:leave', '{"page":"/a","$KEY":1}'],
    ['page:watch', '{"pages":["/a"],"$KEY":{"x":1}}'],
    ['page:unwatch', '{"$KEY":[],"pages":["/a"]}'],
    ['room:join', '{"room":"r","$KEY":{}}'],
    ['room:join', '{"room":"r","profile":{"$KEY":{"name":"x"}}}'],
    ['room:join', '{"room":"r","profile":{"meta":{"$KEY":{"polluted":true}}}}'],
    ['room:join', '{"room":"r","profile":{"meta":{"a":{"b":{"$KEY":1}}}}}'],
    ['room:join', '{"room":"r","profile":{"meta":{"list":[1,{"$KEY":"x"}]}}}'],
    ['room:leave', '{"room":"r","$KEY":"x"}'],
    ['room:update', '{"room":"r","profile":{"status":"away","$KEY":{}}}'],
    ['room:update', '{"room":"r","profile":{"meta":{"ok":1,"$KEY":null}}}'],
    ['stats:watch', '{"$KEY":{"polluted":true}}'],
    ['stats:unwatch', '{"$KEY":0}'],
  ];

  for (const key of FORBIDDEN_KEYS) {
    it.each(placements)(`%s rejects "${key}" in %s with BAD_REQUEST`, (event, template) => {
      const payload: unknown = JSON.parse(template.replace('$KEY', key));
      expectFail(run(event, payload), BAD_REQUEST, key);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });
  }

  it('builds the fixtures as own properties', () => {
    const payload = JSON.parse('{"page":"/a","__proto__":{"x":1}}') as object;
    expect(Object.keys(payload)).toContain('__proto__');
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
  });

  it('accepts keys that only resemble the forbidden ones', () => {
    const meta = JSON.parse('{"__proto":1,"proto":2,"_proto_":3,"Constructor":4,"PROTOTYPE":5,"__proto__ ":6,"constructors":7}');
    expect(run('room:join', withProfile({ meta }))).toStrictEqual({ ok: true, value: withProfile({ meta }) });
  });
});

describe('validatePayload: nesting depth', () => {
  // The payload and profile are two levels; meta adds the rest.
  const joinWithMetaLevels = (levels: number) => withProfile({ meta: nestObjects(levels) });

  it(`accepts a payload nested exactly PAYLOAD_MAX_DEPTH (${PAYLOAD_MAX_DEPTH}) levels`, () => {
    const payload = joinWithMetaLevels(PAYLOAD_MAX_DEPTH - 2);
    expect(run('room:join', payload)).toStrictEqual({ ok: true, value: payload });
  });

  it('rejects a payload nested one level deeper with BAD_REQUEST', () => {
    expectFail(run('room:join', joinWithMetaLevels(PAYLOAD_MAX_DEPTH - 1)), BAD_REQUEST);
    expectFail(run('room:update', joinWithMetaLevels(PAYLOAD_MAX_DEPTH - 1)), BAD_REQUEST);
  });

  it('rejects deep arrays inside meta with BAD_REQUEST', () => {
    expectFail(run('room:join', withProfile({ meta: { a: nestArrays(PAYLOAD_MAX_DEPTH) } })), BAD_REQUEST);
    expect(run('room:join', withProfile({ meta: { a: nestArrays(PAYLOAD_MAX_DEPTH - 3) } })).ok).toBe(true);
  });

  for (const event of CLIENT_EVENTS) {
    it(`${event} rejects deep nesting in an unknown field with BAD_REQUEST`, () => {
      expectFail(run(event, { page: '/a', pages: ['/a'], room: 'r', profile: {}, junk: nestArrays(PAYLOAD_MAX_DEPTH) }), BAD_REQUEST);
    });

    it(`${event} survives a 100,000-deep nested array and object`, () => {
      const deepArray = nestArrays(100_000);
      const deepObject = nestObjects(100_000);
      for (const deep of [deepArray, deepObject]) {
        expect(() => validatePayload(event, deep)).not.toThrow();
        expectFail(run(event, deep), BAD_REQUEST);
        expectFail(run(event, { page: '/a', pages: ['/a'], room: 'r', profile: { meta: { deep } }, deep }), BAD_REQUEST);
      }
    });
  }
});

// ---------------------------------------------------------------------------
// inspectPayload
// ---------------------------------------------------------------------------

describe('inspectPayload', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 1],
    ['a string', '__proto__'],
    ['a boolean', true],
    ['an empty object', {}],
    ['an empty array', []],
    ['a flat payload', { page: '/a', n: 1, list: [1, 2, 'x'] }],
  ])('finds nothing wrong with %s', (_label, input) => {
    expect(inspectPayload(input)).toBeNull();
  });

  it(`allows ${PAYLOAD_MAX_DEPTH} levels of arrays or objects and rejects ${PAYLOAD_MAX_DEPTH + 1}`, () => {
    expect(inspectPayload(nestArrays(PAYLOAD_MAX_DEPTH))).toBeNull();
    expect(inspectPayload(nestObjects(PAYLOAD_MAX_DEPTH))).toBeNull();
    expect(inspectPayload(nestArrays(PAYLOAD_MAX_DEPTH + 1))).toEqual(expect.any(String));
    expect(inspectPayload(nestObjects(PAYLOAD_MAX_DEPTH + 1))).toEqual(expect.any(String));
    expect(inspectPayload(nestArrays(PAYLOAD_MAX_DEPTH + 1))).toContain(String(PAYLOAD_MAX_DEPTH));
  });

  it('counts only containers: a primitive at the deepest level is fine', () => {
    let value: unknown = 'leaf';
    for (let i = 0; i < PAYLOAD_MAX_DEPTH; i++) value = [value];
    expect(inspectPayload(value)).toBeNull();
    expect(inspectPayload([value])).not.toBeNull();
  });

  it('mixes arrays and objects when counting levels', () => {
    let value: unknown = {};
    for (let i = 1; i < PAYLOAD_MAX_DEPTH; i++) value = i % 2 ? [value] : { k: value };
    expect(inspectPayload(value)).toBeNull();
    expect(inspectPayload({ k: value })).not.toBeNull();
  });

  it('finds the one deep branch among shallow siblings', () => {
    const input = { a: 1, b: [1, 2], c: { d: {} }, e: [[[nestObjects(PAYLOAD_MAX_DEPTH)]]], f: 'x' };
    expect(inspectPayload(input)).not.toBeNull();
  });

  it('honours a custom maxDepth', () => {
    expect(inspectPayload(nestArrays(3), 3)).toBeNull();
    expect(inspectPayload(nestArrays(4), 3)).not.toBeNull();
    expect(inspectPayload({}, 0)).not.toBeNull();
    expect(inspectPayload('x', 0)).toBeNull();
    expect(inspectPayload(nestArrays(30), 30)).toBeNull();
  });

  it('does not throw on 100,000-deep arrays and objects, and rejects them', () => {
    for (const deep of [nestArrays(100_000), nestObjects(100_000)]) {
      expect(() => inspectPayload(deep)).not.toThrow();
      expect(inspectPayload(deep)).toEqual(expect.stringContaining(String(PAYLOAD_MAX_DEPTH)));
    }
  });

  it('does not throw on a 100,000-deep array even when nothing limits depth', () => {
    expect(() => inspectPayload(nestArrays(100_000), Number.POSITIVE_INFINITY)).not.toThrow();
    expect(inspectPayload(nestArrays(100_000), Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('handles very wide input', () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, [i]]));
    expect(inspectPayload(wide)).toBeNull();
    expect(inspectPayload(Array.from({ length: 100_000 }, () => ({})))).toBeNull();
  });

  describe.each(FORBIDDEN_KEYS)('the key "%s"', (key) => {
    it.each([
      ['at the top', '{"$KEY":1}'],
      ['beside other keys', '{"a":1,"$KEY":{},"b":2}'],
      ['nested in objects', '{"a":{"b":{"c":{"$KEY":null}}}}'],
      ['inside an array', '[1,[2,{"$KEY":"x"}]]'],
      ['ten levels down', '{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"$KEY":1}}}}}}}}}}'],
    ])('is rejected %s, and the message names it', (_label, template) => {
      const problem = inspectPayload(JSON.parse(template.replace('$KEY', key)));
      expect(problem).toEqual(expect.stringContaining(key));
    });
  });

  it('does not mutate its input', () => {
    const input = { a: [1, { b: 2 }], c: { d: 'e' } };
    const copy = structuredClone(input);
    inspectPayload(input);
    expect(input).toStrictEqual(copy);
  });
});

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

describe('validate', () => {
  it('returns the parsed value on success', () => {
    expect(validate(z.string(), 'x')).toStrictEqual({ ok: true, value: 'x' });
    expect(validate(z.object({ a: z.number() }), { a: 1, b: 2 })).toStrictEqual({ ok: true, value: { a: 1 } });
  });

  it('answers BAD_REQUEST for a wrong type, naming the field when there is one', () => {
    expectFail(validate(z.number(), 'x'), BAD_REQUEST);
    expectFail(validate(z.object({ count: z.number() }), { count: 'x' }), BAD_REQUEST, 'count');
    expectFail(validate(z.object({ a: z.object({ b: z.array(z.string()) }) }), { a: { b: ['x', 2] } }), BAD_REQUEST, 'a.b.1');
  });

  it('carries the code a refinement names in its params', () => {
    const schema = z.string().refine(() => false, { message: 'too much', params: { code: LIMIT_EXCEEDED } });
    expect(validate(schema, 'x')).toStrictEqual({ ok: false, error: { code: LIMIT_EXCEEDED, message: 'too much' } });
  });

  it('inspects before parsing: prototype keys and deep nesting are BAD_REQUEST whatever the schema', () => {
    const anything = z.any();
    for (const key of FORBIDDEN_KEYS) {
      expectFail(validate(anything, JSON.parse(`{"${key}":1}`)), BAD_REQUEST, key);
    }
    expectFail(validate(anything, nestArrays(PAYLOAD_MAX_DEPTH + 1)), BAD_REQUEST);
    expect(validate(anything, nestArrays(PAYLOAD_MAX_DEPTH)).ok).toBe(true);
    expect(() => validate(anything, nestArrays(100_000))).not.toThrow();
    expectFail(validate(anything, nestArrays(100_000)), BAD_REQUEST);
  });

  it('works with the exported event schemas', () => {
    expect(validate(payloadSchemas['page:enter'], { page: '/a' })).toStrictEqual({ ok: true, value: { page: '/a' } });
    expectFail(validate(payloadSchemas['page:watch'], { pages: [] }), BAD_REQUEST, 'pages');
  });
});

// ---------------------------------------------------------------------------
// utf8Length
// ---------------------------------------------------------------------------

describe('utf8Length', () => {
  it.each([
    ['the empty string', '', 0],
    ['ASCII', 'hello', 5],
    ['NUL', '\u0000', 1],
    ['the last 1-byte code point \\u007f', '\u007f', 1],
    ['the first 2-byte code point \\u0080', '\u0080', 2],
    ['é (2 bytes)', 'é', 2],
    ['the last 2-byte code point \\u07ff', '\u07ff', 2],
    ['the first 3-byte code point \\u0800', '\u0800', 3],
    ['€ (3 bytes)', '€', 3],
    ['\\ud7ff, just below the surrogates', '\ud7ff', 3],
    ['\\ue000, just above the surrogates', '\ue000', 3],
    ['\\uffff', '\uffff', 3],
    ['an emoji (surrogate pair, 4 bytes)', EMOJI, 4],
    ['U+10000 (first astral)', '\u{10000}', 4],
    ['U+10FFFF (last astral)', '\u{10ffff}', 4],
    ['a lone high surrogate', '\ud800', 3],
    ['a lone high surrogate \\udbff', '\udbff', 3],
    ['a lone low surrogate', '\udc00', 3],
    ['a lone low surrogate \\udfff', '\udfff', 3],
    ['a reversed pair (low, high)', '\udc00\ud800', 6],
    ['two high surrogates then a low one', '\ud800\ud800\udc00', 7],
    ['a high surrogate followed by ASCII', '\ud800a', 4],
    ['ASCII followed by a high surrogate', 'a\ud800', 4],
    ['a pair followed by a lone low surrogate', '\ud83d\ude00\ude00', 7],
    ['mixed', 'aé€😀', 10],
  ])('counts %s', (_label, s, expected) => {
    expect(utf8Length(s)).toBe(expected);
    expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
  });

  it('matches Buffer.byteLength for any well-formed string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches Buffer.byteLength for any sequence of UTF-16 code units, lone surrogates included (property)', () => {
    const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    const unit = fc.oneof(anyCodeUnit, surrogate, fc.constantFrom('a', 'é', '€', EMOJI));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 200 }), (s) => {
        expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
      }),
      { numRuns: 2000 },
    );
  });

  it('handles long strings', () => {
    const s = `${'a'.repeat(100_000)}${'é'.repeat(100_000)}${'€'.repeat(100_000)}${EMOJI.repeat(100_000)}\ud800`;
    expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
    expect(utf8Length(s)).toBe(100_000 * (1 + 2 + 3 + 4) + 3);
  });
});

// ---------------------------------------------------------------------------
// isValidClientId
// ---------------------------------------------------------------------------

describe('isValidClientId', () => {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

  it.each([
    ['8 characters', 'abcdefgh'],
    ['64 characters', 'a'.repeat(64)],
    ['the whole alphabet', ALPHABET],
    ['digits only', '12345678'],
    ['dashes and underscores only', '-_-_-_-_'],
    ['a UUID', '3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
  ])('accepts %s', (_label, id) => {
    expect(isValidClientId(id)).toBe(true);
    expect(isValidClientId(id)).toBe(true); // no regex state between calls
  });

  it.each([
    ['the empty string', ''],
    ['7 characters', 'abcdefg'],
    ['65 characters', 'a'.repeat(65)],
    ['a dot', 'abcd.efgh'],
    ['a space', 'abcd efgh'],
    ['a plus', 'abcd+efgh'],
    ['a slash', 'abcd/efgh'],
    ['base64 padding', 'abcdefgh=='],
    ['a trailing newline', 'abcdefgh\n'],
    ['a leading newline', '\nabcdefgh'],
    ['a NUL', 'abcdefgh\u0000'],
    ['non-ASCII letters', 'abcdéfgh'],
    ['fullwidth digits', '１２３４５６７８'],
    ['an emoji', `abcdefg${EMOJI}`],
  ])('rejects %s', (_label, id) => {
    expect(isValidClientId(id)).toBe(false);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 12345678],
    ['an array', ['abcdefgh']],
    ['an object', { toString: () => 'abcdefgh' }],
    ['a String object', new String('abcdefgh')],
  ])('rejects %s (not a string)', (_label, id) => {
    expect(isValidClientId(id)).toBe(false);
  });

  it('accepts exactly 8–64 characters of [A-Za-z0-9_-] (property)', () => {
    const unit = fc.oneof(
      { arbitrary: fc.constantFrom(...ALPHABET.split('')), weight: 20 },
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 70 }), (id) => {
        const expected = id.length >= 8 && id.length <= 64 && id.split('').every((c) => ALPHABET.includes(c));
        expect(isValidClientId(id)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with CLIENT_ID_PATTERN', () => {
    expect(CLIENT_ID_PATTERN.test('abcdefgh')).toBe(isValidClientId('abcdefgh'));
    expect(CLIENT_ID_PATTERN.flags).not.toContain('g');
  });
});

// ---------------------------------------------------------------------------
// tokenClaimsSchema
// ---------------------------------------------------------------------------

describe('tokenClaimsSchema', () => {
  const exp = 2_000_000_000;
  const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'user-1', exp, ...extra });
  const parse = (input: unknown) => validate(tokenClaimsSchema, input);

  it.each([
    ['sub and exp only', claims()],
    ['a name', claims({ name: 'Ada Lovelace' })],
    ['a 64-character name', claims({ name: 'n'.repeat(64) })],
    ['roles', claims({ roles: ['admin', 'ops'] })],
    ['no roles', claims({ roles: [] })],
    ['a 256-character sub', { sub: 's'.repeat(USER_ID_MAX_LENGTH), exp }],
    ['a non-ASCII sub', { sub: 'ユーザー', exp }],
    ['a sub that contains a_ after its start', { sub: 'ba_x', exp }],
    ['a sub that starts with A_', { sub: 'A_x', exp }],
    ['a fractional exp', claims({ exp: 1.5 })],
  ])('accepts %s', (_label, input) => {
    expect(parse(input)).toStrictEqual({ ok: true, value: input });
    expect(tokenClaimsSchema.safeParse(input).success).toBe(true);
  });

  it('normalises the name claim to NFC, and measures it after', () => {
    expect(expectOk(parse(claims({ name: 'Ade\u0301le' })))).toStrictEqual(claims({ name: 'Ad\u00e9le' }));
    expect(expectOk(parse(claims({ name: 'e\u0301'.repeat(64) })))).toStrictEqual(claims({ name: '\u00e9'.repeat(64) }));
  });

  it('strips registered and custom claims it does not use', () => {
    const input = claims({ iat: 1, nbf: 1, iss: 'me', aud: 'you', jti: 'x', email: 'a@b.c' });
    expect(expectOk(parse(input))).toStrictEqual({ sub: 'user-1', exp });
  });

  it.each([
    ['no sub', { exp }, 'sub'],
    ['an empty sub', { sub: '', exp }, 'sub'],
    ['a numeric sub', { sub: 42, exp }, 'sub'],
    ['a null sub', { sub: null, exp }, 'sub'],
    ['a 257-character sub', { sub: 's'.repeat(USER_ID_MAX_LENGTH + 1), exp }, 'sub'],
    ['a sub of 255 ASCII characters and an emoji (257 code units)', { sub: 's'.repeat(USER_ID_MAX_LENGTH - 1) + EMOJI, exp }, 'sub'],
    ['a name of 63 ASCII characters and an emoji (65 code units)', claims({ name: 'n'.repeat(63) + EMOJI }), 'name'],
    ['a sub with a control character', { sub: 'user\u0000', exp }, 'sub'],
    ['a sub that starts with a_ (an anonymous id)', { sub: 'a_x', exp }, 'sub'],
    ['a sub shaped like an anonymous id', { sub: 'a_' + 'A'.repeat(22), exp }, 'sub'],
    ['no exp', { sub: 'user-1' }, 'exp'],
    ['a string exp', { sub: 'user-1', exp: '2000000000' }, 'exp'],
    ['a null exp', { sub: 'user-1', exp: null }, 'exp'],
    ['a 65-character name', claims({ name: 'n'.repeat(65) }), 'name'],
    ['a name with a right-to-left override', claims({ name: 'Ada\u202e' }), 'name'],
    ['a name with a line separator', claims({ name: 'Ada\u2028Admin' }), 'name'],
    ['a blank name (zero-width spaces)', claims({ name: '\u200b\u200b' }), 'name'],
    ['a numeric name', claims({ name: 7 }), 'name'],
    ['roles that is a string', claims({ roles: 'admin' }), 'roles'],
    ['roles that is an object', claims({ roles: { admin: true } }), 'roles'],
    ['roles that is null', claims({ roles: null }), 'roles'],
    ['roles holding a number', claims({ roles: ['admin', 1] }), 'roles.1'],
    ['roles holding an object', claims({ roles: [{ name: 'admin' }] }), 'roles.0'],
  ])('rejects %s, naming the claim', (_label, input, field) => {
    expectFail(parse(input), BAD_REQUEST, field);
    expect(tokenClaimsSchema.safeParse(input).success).toBe(false);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'user-1'],
    ['an array', [claims()]],
  ])('rejects claims that are %s', (_label, input) => {
    expectFail(parse(input), BAD_REQUEST);
  });

  it.each(FORBIDDEN_KEYS)('rejects claims carrying "%s" when run through validate', (key) => {
    expectFail(parse(JSON.parse(`{"sub":"u","exp":1,"${key}":{"roles":["admin"]}}`)), BAD_REQUEST, key);
  });
});

// ---------------------------------------------------------------------------
// v1.1 payloads
// ---------------------------------------------------------------------------

describe('validatePayload: v1.1 additions', () => {
  it.each([0, 250, 500, 1000, 2000, 5000, 10000, 30000, 60000])('page:watch accepts every: %d', (every) => {
    expect(expectOk(run('page:watch', { pages: ['/a'], every }))).toEqual({ pages: ['/a'], every });
  });

  it.each([1, 100, 3000, -250, 5000.5, '5000', null])('page:watch refuses every: %p', (every) => {
    expectFail(run('page:watch', { pages: ['/a'], every }), BAD_REQUEST, 'every');
  });

  it('stats:watch takes an optional every of its own list', () => {
    expect(expectOk(run('stats:watch', {}))).toEqual({});
    expect(expectOk(run('stats:watch', { every: 5000 }))).toEqual({ every: 5000 });
    expectFail(run('stats:watch', { every: 250 }), BAD_REQUEST, 'every');
    expectFail(run('stats:watch', { every: 0 }), BAD_REQUEST, 'every');
  });

  it.each(['active', 'idle', 'hidden'])('presence:activity accepts %s', (state) => {
    expect(expectOk(run('presence:activity', { state }))).toEqual({ state });
  });

  it.each(['away', '', 'ACTIVE', 1, null, undefined])('presence:activity refuses state %p', (state) => {
    expectFail(run('presence:activity', { state }), BAD_REQUEST, 'state');
  });

  it('room:typing needs a room key and a boolean', () => {
    expect(expectOk(run('room:typing', { room: 'lobby', typing: true }))).toEqual({ room: 'lobby', typing: true });
    expectFail(run('room:typing', { room: 'lobby', typing: 'yes' }), BAD_REQUEST, 'typing');
    expectFail(run('room:typing', { room: 'lobby' }), BAD_REQUEST, 'typing');
    expectFail(run('room:typing', { room: '', typing: false }), BAD_REQUEST, 'room');
  });

  it('session:token takes a string or null, and nothing else', () => {
    expect(expectOk(run('session:token', { token: null }))).toEqual({ token: null });
    expect(expectOk(run('session:token', { token: 'a.b.c' }))).toEqual({ token: 'a.b.c' });
    expectFail(run('session:token', {}), BAD_REQUEST, 'token');
    expectFail(run('session:token', { token: 42 }), BAD_REQUEST, 'token');
    expectFail(run('session:token', { token: 'x'.repeat(8193) }), BAD_REQUEST, 'token');
  });

  it('room:recent needs a room key', () => {
    expect(expectOk(run('room:recent', { room: 'lobby' }))).toEqual({ room: 'lobby' });
    expectFail(run('room:recent', {}), BAD_REQUEST, 'room');
  });
});
