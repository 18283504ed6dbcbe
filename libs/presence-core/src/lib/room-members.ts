interface Entry<M> {
  key: string;
  member: M;
}

/**
 * A room's members by key (one per user), listed in the order they first
 * joined. It reads like a `Map` (`get`, `has`, `set`, `delete`, `size`,
 * iteration in that order), and a member may also change its key in place
 * ({@link rekey}: a sign-in that replaces the member keeps its place in the
 * list), which a `Map` cannot do without rebuilding itself. Every operation
 * is O(1).
 *
 * @example
 * const members = new RoomMembers<RoomMember>();
 * members.set('a:a_x', member);
 * members.rekey('a:a_x', 'u:ada'); // same member, same place
 */
export class RoomMembers<M> {
  private readonly byKey = new Map<string, Entry<M>>();
  /** First-join order (a Set keeps insertion order). */
  private readonly order = new Set<Entry<M>>();

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): M | undefined {
    return this.byKey.get(key)?.member;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Adds a member last, or replaces the member of `key` in its place. */
  set(key: string, member: M): this {
    const entry = this.byKey.get(key);
    if (entry) {
      entry.member = member;
      return this;
    }
    const added = { key, member };
    this.byKey.set(key, added);
    this.order.add(added);
    return this;
  }

  delete(key: string): boolean {
    const entry = this.byKey.get(key);
    if (!entry) return false;
    this.byKey.delete(key);
    this.order.delete(entry);
    return true;
  }

  /** The member of `from` is now the member of `to`, in the same place; false if `from` has none or `to` has one. */
  rekey(from: string, to: string): boolean {
    const entry = this.byKey.get(from);
    if (!entry || this.byKey.has(to)) return false;
    this.byKey.delete(from);
    entry.key = to;
    this.byKey.set(to, entry);
    return true;
  }

  *values(): IterableIterator<M> {
    for (const entry of this.order) yield entry.member;
  }

  *entries(): IterableIterator<[string, M]> {
    for (const entry of this.order) yield [entry.key, entry.member];
  }

  [Symbol.iterator](): IterableIterator<[string, M]> {
    return this.entries();
  }
}
