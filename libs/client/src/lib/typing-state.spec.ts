import { NOBODY_TYPING, typingOf, withoutTyping, withTyping } from './typing-state';

describe('typing state', () => {
  it('takes a list over without this user and without repeats', () => {
    expect(typingOf(['bob', 'me', 'cy', 'bob'], 'me')).toEqual(['bob', 'cy']);
    expect(Object.isFrozen(typingOf(['bob'], null))).toBe(true);
    expect(typingOf(undefined, null)).toBe(NOBODY_TYPING);
    expect(typingOf(['me'], 'me')).toBe(NOBODY_TYPING);
  });

  it('adds who starts at the end and removes who stops, in new arrays; the same array when nothing changed', () => {
    const bob = withTyping(NOBODY_TYPING, 'bob', true, 'me');
    const both = withTyping(bob, 'cy', true, 'me');
    expect(both).toEqual(['bob', 'cy']);
    expect(bob).toEqual(['bob']);
    expect(withTyping(both, 'bob', true, 'me')).toBe(both);
    expect(withTyping(both, 'me', true, 'me')).toBe(both);
    expect(withTyping(both, 'dan', false, 'me')).toBe(both);
    expect(withTyping(both, 'bob', false, 'me')).toEqual(['cy']);
    expect(withoutTyping(bob, 'bob')).toBe(NOBODY_TYPING);
    expect(withoutTyping(bob, 'cy')).toBe(bob);
  });
});
