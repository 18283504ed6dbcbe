import { badgeLabel, badgeText, DEFAULT_LABEL, UNKNOWN } from './text';

describe('badgeText', () => {
  it('puts the number before a label without {n}', () => {
    expect(badgeText(12, DEFAULT_LABEL)).toBe('12 reading now');
    expect(badgeText(0, 'readers')).toBe('0 readers');
  });

  it('puts the number in place of every {n}', () => {
    expect(badgeText(3, '{n} readers on this post')).toBe('3 readers on this post');
    expect(badgeText(1, 'Lecteurs : {n}')).toBe('Lecteurs : 1');
    expect(badgeText(2, '{n}/{n}')).toBe('2/2');
  });

  it('shows the number alone for an empty label, and a dash while the count is unknown', () => {
    expect(badgeText(7, '')).toBe('7');
    expect(badgeText(null, DEFAULT_LABEL)).toBe(`${UNKNOWN} reading now`);
  });
});

describe('badgeLabel', () => {
  it('takes the attribute, empty included, and the default without one', () => {
    expect(badgeLabel('{n} here')).toBe('{n} here');
    expect(badgeLabel('')).toBe('');
    expect(badgeLabel(null)).toBe(DEFAULT_LABEL);
  });

  it.each([
    ['a right-to-left override', 'readers \u202e{n}'],
    ['a left-to-right isolate', '\u2066{n} here'],
    ['a line separator', 'a\u2028b'],
    ['a paragraph separator', 'a\u2029b'],
  ])('shows the default instead of a label with %s, as the server refuses it', (_label, attribute) => {
    expect(badgeLabel(attribute)).toBe(DEFAULT_LABEL);
  });
});
