import { split } from './split';

describe('split', () => {
  it('is even before the first vote', () => expect(split(0, 0)).toEqual({ a: 50, b: 50, total: 0 }));
  it('rounds to whole percentages that add up to 100', () => {
    expect(split(2, 1)).toEqual({ a: 67, b: 33, total: 3 });
    expect(split(1, 2)).toEqual({ a: 33, b: 67, total: 3 });
    expect(split(1, 0)).toEqual({ a: 100, b: 0, total: 1 });
    expect(split(1, 199)).toEqual({ a: 1, b: 99, total: 200 });
  });
});
