import { digestHex, textHash, type Member } from '@presently/protocol';

/**
 * A room as one of its sockets is told of it: a small room's member list
 * and who types (what `room:sync` carries, and its digest as that socket
 * would hold it: {@link digestFor}), or a large room's total (what
 * `room:count` carries).
 */
export type RoomView =
  | { room: string; large: false; members: Member[]; total: number; typing: string[]; digest: string }
  | { room: string; large: true; total: number };

/**
 * The digest of a member list as a socket holds it: the XOR over its
 * members of a 64-bit hash of every field a member event carries but
 * `connections` (a change of connections alone is not announced), so that
 * two lists read at two moments can be compared without keeping either.
 * The asking socket's own member counts without its activity: a socket is
 * never told of a change it caused, and the activity of its member is the
 * one field its own reports move.
 *
 * O(members); {@link digestFor} reuses a list's digest for any asker in O(1).
 */
export function listDigest(members: readonly Member[]): Digest {
  const digest: Digest = [0, 0];
  for (const member of members) xorInto(digest, member, member.activity);
  return digest;
}

/** Two 32-bit halves. */
export type Digest = [number, number];

/**
 * `base` (a list's {@link listDigest}) as the socket of member `own` holds
 * it, its own activity left out, with who types in the room (`room:typing`
 * moves it as member events move the list; in any order). O(typing).
 */
export function digestFor(base: Digest, own: Member | null, typing: readonly string[]): string {
  const digest: Digest = [base[0], base[1]];
  if (own) {
    xorInto(digest, own, own.activity);
    xorInto(digest, own, '');
  }
  for (const userId of typing) xorText(digest, `\u0001typing\u0000${userId}`);
  return digestHex(digest[0], digest[1]);
}

function xorInto(digest: Digest, member: Member, activity: string): void {
  xorText(digest, `${member.userId}\u0000${member.name}\u0000${member.status}\u0000${JSON.stringify(member.meta)}\u0000${member.since}\u0000${activity}`);
}

function xorText(digest: Digest, text: string): void {
  const [high, low] = textHash(text);
  digest[0] ^= high;
  digest[1] ^= low;
}
