import { DEFAULT_LIMITS } from '@presently/protocol';
import { DEFAULT_PRESENCE_OPTIONS, presenceOptions } from './presence.options';

describe('presenceOptions', () => {
  it('gives every required option its default when nothing is set', () => {
    expect(presenceOptions()).toEqual(DEFAULT_PRESENCE_OPTIONS);
    expect(presenceOptions({}).graceMs).toBe(DEFAULT_LIMITS.graceMs);
    expect(presenceOptions({}).maxRoomsPerSocket).toBe(DEFAULT_LIMITS.maxRoomsPerSocket);
  });

  it('keeps what is set, zero included, and takes an undefined setting for a missing one', () => {
    const options = presenceOptions({ graceMs: 0, countIntervalMs: undefined, jwtSecret: 'secret', maxConnectionsPerIp: 5 });
    expect(options.graceMs).toBe(0);
    expect(options.countIntervalMs).toBe(DEFAULT_LIMITS.countIntervalMs);
    expect(options.jwtSecret).toBe('secret');
    expect(options.maxConnectionsPerIp).toBe(5);
  });
});
