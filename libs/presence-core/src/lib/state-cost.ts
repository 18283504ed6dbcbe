import type { Json, Profile } from '@presently/protocol';

/**
 * What one entry costs besides its key: the connection's set slot, the
 * registry's map entry and the Socket.IO room it subscribes to. An estimate,
 * not a measure: the `address-budget` benchmark found a watch of a
 * 512-character key taking about 880 bytes of heap (charged 1,536), a room
 * with the densest 1 KiB `meta` 1.16 times its charge, and a page entered
 * with a short key, alone on its page, about 730 bytes (charged about 540,
 * 1.37 times): with the sockets themselves, 16 MiB of any mix stays within
 * 36 MiB of heap.
 */
export const ENTRY_BYTES = 512;

/**
 * What each value of a parsed `meta` costs besides its text: an object, an
 * array, or one of their members. Parsed JSON takes more memory than its
 * text (`[{},{},…]` takes about 20 times its length), so `meta` costs its
 * JSON text and this much per value.
 */
export const JSON_VALUE_BYTES = 48;

/** A string's size as V8 may hold it: two bytes per UTF-16 code unit. */
export function stringCost(value: string): number {
  return 2 * value.length;
}

/** What an entry of a connection with key `key` costs: a page entered or watched, a room joined. */
export function keyCost(key: string): number {
  return ENTRY_BYTES + stringCost(key);
}

/** What a `meta` costs: its JSON text, and {@link JSON_VALUE_BYTES} per value in it. O(size of meta). */
export function metaCost(meta: Json): number {
  return stringCost(JSON.stringify(meta)) + JSON_VALUE_BYTES * jsonValues(meta);
}

/** What a member's profile costs: an entry, its name and status, its `meta`. */
export function profileCost(profile: Profile): number {
  return ENTRY_BYTES + stringCost(profile.name) + stringCost(profile.status) + metaCost(profile.meta);
}

/** Values in a JSON value, itself included. Iterative: validated input is at most 16 deep, but nothing here relies on it. */
function jsonValues(root: Json): number {
  let count = 0;
  const pending: Json[] = [root];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    count++;
    if (value !== null && typeof value === 'object') pending.push(...(Array.isArray(value) ? value : Object.values(value)));
  }
  return count;
}
