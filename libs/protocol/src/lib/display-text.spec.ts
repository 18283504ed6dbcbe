import { BIDI_CONTROLS, isBlank, isShowableInline, LINE_SEPARATORS, normalizeText } from './display-text';

const codePoints = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

describe('shown text rules', () => {
  it('names every bidi control as one: embeddings, overrides and isolates, and their neighbours are not', () => {
    for (const c of [...codePoints(0x202a, 0x202e), ...codePoints(0x2066, 0x2069)]) {
      expect(BIDI_CONTROLS.test(c)).toBe(true);
      expect(isShowableInline(`Ada ${c}x`)).toBe(false);
    }
    // The U+200E/U+200F marks, U+2065 (unassigned), U+202F (a space) and U+2029 (a separator) are not bidi controls.
    for (const c of ['\u200e', '\u200f', '\u2065', '\u202f', '\u2029', 'a']) expect(BIDI_CONTROLS.test(c)).toBe(false);
  });

  it('refuses the line and paragraph separators inline', () => {
    expect(LINE_SEPARATORS.test('\u2028')).toBe(true);
    expect(LINE_SEPARATORS.test('\u2029')).toBe(true);
    expect(isShowableInline('Ada\u2028Admin')).toBe(false);
    expect(isShowableInline('Ada\u2029Admin')).toBe(false);
    expect(isShowableInline('Zoë Ünal 李 😀 عربي')).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['spaces', '   '],
    ['zero-width spaces', '\u200b\u200b'],
    ['zero-width joiner and non-joiner', '\u200d\u200c'],
    ['a word joiner and a BOM', '\u2060\ufeff'],
    ['ideographic and no-break spaces', '\u3000\u00a0'],
    ['a Hangul filler', '\u3164'],
    ['a variation selector', '\ufe0f'],
    ['a soft hyphen', '\u00ad'],
    ['a tab and a line separator', '\t\u2028'],
    ['a tag character', '\u{e0041}'],
  ])('calls %s blank', (_label, s) => {
    expect(isBlank(s)).toBe(true);
  });

  it.each([['a letter', 'a'], ['a letter among zero-width spaces', '\u200ba\u200b'], ['an emoji', '😀'], ['a dot', '.']])('calls %s not blank', (_label, s) => {
    expect(isBlank(s)).toBe(false);
  });

  it('normalises to NFC: a composed and a decomposed é are the same text', () => {
    expect(normalizeText('Ade\u0301le')).toBe('Ad\u00e9le');
    expect(normalizeText('Ad\u00e9le')).toBe('Ad\u00e9le');
    expect(normalizeText('\ud800')).toBe('\ud800');
  });
});
