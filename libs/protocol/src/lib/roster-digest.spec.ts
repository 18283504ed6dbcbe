import { entryHash, rosterDigest } from './roster-digest';

const member = (userId: string, name = userId, status = 'online') => ({ userId, name, status });

describe('rosterDigest', () => {
  it('is 16 hex digits, zero for nobody, and the same whatever the order', () => {
    expect(rosterDigest([])).toBe('0000000000000000');
    const digest = rosterDigest([member('ada'), member('bob'), member('cy')]);
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    expect(rosterDigest([member('cy'), member('ada'), member('bob')])).toBe(digest);
  });

  it('changes with any member, name or status, and comes back when the change is undone', () => {
    const before = rosterDigest([member('ada'), member('bob')]);
    expect(rosterDigest([member('ada'), member('bob', 'bob', 'away')])).not.toBe(before);
    expect(rosterDigest([member('ada'), member('bob', 'Bob')])).not.toBe(before);
    expect(rosterDigest([member('ada')])).not.toBe(before);
    expect(rosterDigest([member('ada'), member('bob'), member('cy')])).not.toBe(before);
    expect(rosterDigest([member('bob'), member('ada')])).toBe(before);
  });

  it('keeps fields apart: the same characters split differently are another entry', () => {
    expect(entryHash(member('ab', 'c'))).not.toEqual(entryHash(member('a', 'bc')));
  });

  it('is what the contract says: FNV-1a of the entry, two bases', () => {
    // FNV-1a 32 of "" is its basis; one entry XORed with nothing is its hash.
    const [high, low] = entryHash({ userId: '', name: '', status: '' });
    const step = (hash: number, code: number) => Math.imul(hash ^ code, 0x01000193) >>> 0;
    expect(high).toBe(step(step(0x811c9dc5, 0), 0));
    expect(low).toBe(step(step(0x01000193, 0), 0));
    expect(rosterDigest([{ userId: '', name: '', status: '' }])).toBe(high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0'));
  });
});
