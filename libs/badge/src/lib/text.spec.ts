import { badgeText, DEFAULT_LABEL, UNKNOWN } from './text';

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
