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

/**
 * A connection's member profile in a room once the connection changed
 * identity to `identity`: joining `target` (the new user's member there, or
 * its own member when the user is the same), that profile with the token's
 * name; else a new member's, with the status and meta of `own` (the member
 * it leaves) and the new identity's name: the token's, or for an anonymous
 * one `given` (the name the connection last gave in a profile there), else
 * `Anonymous`.
 */
export function switchedProfile(own: Profile, target: Profile | null, given: string | undefined, identity: Identity): Profile {
  if (target) return resolveProfile(target, undefined, identity);
  return resolveProfile({ ...own, name: DEFAULT_NAME }, given === undefined ? undefined : { name: given }, identity);
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
