import { fitsMeta, MESSAGE_MAX, messageMeta, messageOf, normalizeMessage } from './chat-message';

describe('chat messages', () => {
  it('travel in the member meta, and are read back from it', () => {
    const meta = messageMeta({ text: 'Hello there', at: 1_700_000_000_000 });
    expect(meta).toEqual({ message: { text: 'Hello there', at: 1_700_000_000_000 } });
    expect(messageOf({ meta })).toEqual({ text: 'Hello there', at: 1_700_000_000_000 });
  });

  it('read nothing from a meta without a message, or with one of another shape (it comes from other browsers)', () => {
    expect(messageOf({ meta: {} })).toBeNull();
    expect(messageOf({ meta: { message: 'hi' } })).toBeNull();
    expect(messageOf({ meta: { message: null } })).toBeNull();
    expect(messageOf({ meta: { message: { text: 42, at: 1 } } })).toBeNull();
    expect(messageOf({ meta: { message: { text: 'hi', at: '1' } } })).toBeNull();
    expect(messageOf({ meta: { message: { text: '   ', at: 1 } } })).toBeNull();
    expect(messageOf({ meta: { message: { text: 'x'.repeat(MESSAGE_MAX + 1), at: 1 } } })).toBeNull();
  });

  it('are sent with spaces folded and trimmed, and not at all when blank', () => {
    expect(normalizeMessage('  hello \n  world  ')).toBe('hello world');
    expect(normalizeMessage(' \t ')).toBeNull();
    expect(normalizeMessage('y'.repeat(MESSAGE_MAX + 10))).toHaveLength(MESSAGE_MAX);
  });

  it('fit the protocol\'s 1 KiB of meta, counted as UTF-8', () => {
    expect(fitsMeta(messageMeta({ text: 'a'.repeat(MESSAGE_MAX), at: Date.now() }))).toBe(true);
    // Three bytes each in UTF-8: 280 of them are 840 bytes, with the JSON around them still under 1 KiB.
    expect(fitsMeta(messageMeta({ text: '€'.repeat(MESSAGE_MAX), at: Date.now() }))).toBe(true);
    // Control characters are escaped in JSON (\u0001): six bytes each.
    expect(fitsMeta(messageMeta({ text: '\u0001'.repeat(MESSAGE_MAX), at: Date.now() }))).toBe(false);
  });
});
