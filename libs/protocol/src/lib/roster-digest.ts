import type { Member } from './types';

/**
 * The digest of a room's member list (an optional extension, see
 * `room:digest`): 16 lowercase hex digits, the XOR over its members of a
 * 64-bit hash of `userId`, `name` and `status`. Order does not matter and a
 * member's change moves it in O(1) (XOR its old entry out, its new one in),
 * so a client can compare the list it holds with the server's without the
 * list being sent.
 *
 * The hash of an entry is two 32-bit FNV-1a hashes of the UTF-16 code units
 * of `userId + "\u0000" + name + "\u0000" + status`, with the offset bases
 * 0x811c9dc5 (high half) and 0x01000193 (low half).
 *
 * @example
 * rosterDigest([]) // '0000000000000000'
 */
export function rosterDigest(members: readonly Pick<Member, 'userId' | 'name' | 'status'>[]): string {
  let high = 0;
  let low = 0;
  for (const member of members) {
    const hash = entryHash(member);
    high ^= hash[0];
    low ^= hash[1];
  }
  return digestHex(high, low);
}

/** The two 32-bit halves of one member's entry hash. */
export function entryHash(member: Pick<Member, 'userId' | 'name' | 'status'>): [number, number] {
  return textHash(`${member.userId}\u0000${member.name}\u0000${member.status}`);
}

/**
 * The 64-bit hash a digest XORs per entry, as two 32-bit halves: FNV-1a of
 * the UTF-16 code units of `text`, with the offset bases 0x811c9dc5 (high)
 * and 0x01000193 (low).
 */
export function textHash(text: string): [number, number] {
  return [fnv1a(text, 0x811c9dc5), fnv1a(text, 0x01000193)];
}

/** A digest's two 32-bit halves as 16 lowercase hex digits. */
export function digestHex(high: number, low: number): string {
  return hex(high) + hex(low);
}

function fnv1a(text: string, basis: number): number {
  let hash = basis;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
