import { ENTRY_BYTES, JSON_VALUE_BYTES, keyCost, metaCost, profileCost } from './state-cost';

describe('state cost', () => {
  it('charges a key its entry and two bytes per UTF-16 code unit', () => {
    expect(keyCost('/a')).toBe(ENTRY_BYTES + 4);
    expect(keyCost('p'.repeat(512))).toBe(ENTRY_BYTES + 1024);
    // An astral character is two code units.
    expect(keyCost('😀')).toBe(ENTRY_BYTES + 4);
  });

  it('charges meta its JSON text and each value in it', () => {
    expect(metaCost({})).toBe(2 * 2 + JSON_VALUE_BYTES);
    // {"a":[1,{}]}: the object, the array, 1 and {}.
    expect(metaCost({ a: [1, {}] })).toBe(2 * '{"a":[1,{}]}'.length + 4 * JSON_VALUE_BYTES);
  });

  it('charges the values of meta that take more memory than their text', () => {
    const dense = { a: Array.from({ length: 300 }, () => ({})) };
    const flat = { a: 'x'.repeat(900) };
    expect(metaCost(dense)).toBeGreaterThan(metaCost(flat) * 5);
  });

  it('charges a profile an entry, its name, its status and its meta', () => {
    expect(profileCost({ name: 'Ann', status: 'online', meta: {} })).toBe(ENTRY_BYTES + 6 + 12 + metaCost({}));
  });
});
