import { BADGE_EVERY_MS, badgeEvery } from './every';

describe('badgeEvery', () => {
  it('asks for one count per 5 s by default', () => {
    expect(BADGE_EVERY_MS).toBe(5000);
    expect(badgeEvery(null)).toBe(5000);
  });

  it('takes any of the protocol rates, 0 (the server\'s own) included', () => {
    for (const every of [0, 250, 500, 1000, 2000, 5000, 10000, 30000, 60000]) expect(badgeEvery(String(every))).toBe(every);
  });

  it('falls back to the default for anything else, so that the stream is never refused', () => {
    for (const value of ['', ' ', 'fast', '3000', '-1000', '1e3', '5000.0', '05000x', '99999999999999999999']) {
      expect({ value, every: badgeEvery(value) }).toEqual({ value, every: 5000 });
    }
  });
});
