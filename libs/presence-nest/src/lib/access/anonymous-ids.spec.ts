import { ANONYMOUS_ID_PATTERN } from '@presently/protocol';
import type { PresenceCluster } from '@presently/presence-core';
import type { PresenceModuleOptions } from '../presence.options';
import { AnonymousIds, anonymousUserId } from './anonymous-ids';

const OPTIONS = { graceMs: 0, countIntervalMs: 0, rateLimitPerS: 1, rateLimitBurst: 1, maxPagesPerSocket: 1, maxWatchedPerSocket: 1, maxRoomsPerSocket: 1 } satisfies PresenceModuleOptions;
const SECRET = 'a-secret-of-32-characters-000000';

describe('anonymousUserId', () => {
  it('is a_ and 22 characters of [A-Za-z0-9_-], the same for the same clientId and secret', () => {
    const id = anonymousUserId(SECRET, 'client-id-1');
    expect(id).toMatch(ANONYMOUS_ID_PATTERN);
    expect(anonymousUserId(SECRET, 'client-id-1')).toBe(id);
  });

  it('differs for other clientIds and other secrets, and does not contain the clientId', () => {
    const clientIds = Array.from({ length: 1000 }, (_, i) => `client-${i}-xyz`);
    const ids = new Set(clientIds.map((clientId) => anonymousUserId(SECRET, clientId)));
    expect(ids.size).toBe(clientIds.length);
    expect(anonymousUserId(`${SECRET}!`, 'client-id-1')).not.toBe(anonymousUserId(SECRET, 'client-id-1'));
    // Even a clientId that looks like an anonymous id is not kept.
    const lookalike = 'a_' + 'Q'.repeat(22);
    expect(anonymousUserId(SECRET, lookalike)).not.toBe(lookalike);
    expect(anonymousUserId(SECRET, lookalike)).not.toContain(lookalike.slice(2));
  });
});

describe('AnonymousIds', () => {
  it('derives with the configured secret, and refuses one shorter than 16 characters', async () => {
    const ids = new AnonymousIds({ ...OPTIONS, anonIdSecret: SECRET });
    await ids.onModuleInit();
    expect(ids.of('client-id-1')).toBe(anonymousUserId(SECRET, 'client-id-1'));
    expect(() => new AnonymousIds({ ...OPTIONS, anonIdSecret: '0123456789abcde' })).toThrow(/at least 16/);
  });

  it('without a secret, makes a random one per process (two processes disagree)', () => {
    expect(new AnonymousIds(OPTIONS).of('client-id-1')).not.toBe(new AnonymousIds(OPTIONS).of('client-id-1'));
    expect(new AnonymousIds(OPTIONS).of('client-id-1')).toMatch(ANONYMOUS_ID_PATTERN);
  });

  it('with a cluster and no secret, derives with the one the cluster shares, and follows a later adoption', async () => {
    let adopt: (secret: string) => void = () => undefined;
    const candidates: string[] = [];
    const cluster = {
      sharedSecret: async (candidate: string, adopted: (secret: string) => void) => {
        candidates.push(candidate);
        adopt = adopted;
        return SECRET;
      },
    } as unknown as PresenceCluster;
    const ids = new AnonymousIds({ ...OPTIONS, cluster });
    await ids.onModuleInit();
    expect(candidates).toHaveLength(1);
    expect(candidates[0].length).toBeGreaterThanOrEqual(32);
    expect(ids.of('client-id-1')).toBe(anonymousUserId(SECRET, 'client-id-1'));
    adopt('another-secret-0000000000000000');
    expect(ids.of('client-id-1')).toBe(anonymousUserId('another-secret-0000000000000000', 'client-id-1'));
  });

  it('with a cluster and a configured secret, asks the cluster for nothing', async () => {
    const cluster = { sharedSecret: () => Promise.reject(new Error('not asked')) } as unknown as PresenceCluster;
    const ids = new AnonymousIds({ ...OPTIONS, cluster, anonIdSecret: SECRET });
    await ids.onModuleInit();
    expect(ids.of('client-id-1')).toBe(anonymousUserId(SECRET, 'client-id-1'));
  });
});
