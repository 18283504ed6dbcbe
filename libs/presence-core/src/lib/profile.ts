import { DEFAULT_NAME, DEFAULT_STATUS, type Profile, type ProfileInput } from '@presently/protocol';
import type { Identity } from './types';

/**
 * A member's profile after `input`: what the input sets, else what it was,
 * else the defaults. An authenticated user's name always comes from its token.
 */
export function resolveProfile(current: Profile | null, input: ProfileInput | undefined, identity: Identity): Profile {
  return {
    name: identity.authenticated
      ? (identity.name ?? identity.userId)
      : (input?.name ?? current?.name ?? DEFAULT_NAME),
    status: input?.status ?? current?.status ?? DEFAULT_STATUS,
    meta: input?.meta ?? current?.meta ?? {},
  };
}

/** A profile resolved once for a join or an update, with what it costs to hold (`profileCost`). */
export interface ResolvedProfile {
  profile: Profile;
  cost: number;
}

/** Whether two profiles read the same (`meta` compared by its JSON). */
export function sameProfile(a: Profile, b: Profile): boolean {
  return a.name === b.name && a.status === b.status && (a.meta === b.meta || JSON.stringify(a.meta) === JSON.stringify(b.meta));
}
