import type { Account } from './address-budget';
import { keyCost, stringCost } from './state-cost';

/**
 * A connection's set of keys (pages it is on or watches, rooms it joined)
 * that charges each key to the connection's {@link Account} as it is added,
 * and releases it as it is deleted or cleared: every way into or out of the
 * set is accounted, whichever part of the registry takes it. A key may carry
 * an extra charge (a room's profile) that is replaced when set again and
 * released with the key, and a note (the name a connection last gave in a
 * room), charged as its text and released with the key too.
 */
export class AccountedKeys extends Set<string> {
  private extras: Map<string, number> | null = null;
  private notes: Map<string, string> | null = null;

  constructor(private readonly account: Account) {
    super();
  }

  override add(key: string): this {
    if (this.has(key)) return this;
    super.add(key);
    this.account.charge(keyCost(key));
    return this;
  }

  override delete(key: string): boolean {
    const bytes = this.bytesOf(key);
    if (!super.delete(key)) return false;
    this.extras?.delete(key);
    this.notes?.delete(key);
    this.account.charge(-bytes);
    return true;
  }

  override clear(): void {
    let bytes = 0;
    for (const key of this) bytes += this.bytesOf(key);
    super.clear();
    this.extras = null;
    this.notes = null;
    this.account.charge(-bytes);
  }

  /** Charges `bytes` for `key`, in place of its previous extra charge; nothing if `key` is not in the set. */
  chargeExtra(key: string, bytes: number): void {
    if (!this.has(key)) return;
    const before = this.extra(key);
    if (bytes === before) return;
    this.extras ??= new Map();
    if (bytes > 0) this.extras.set(key, bytes);
    else this.extras.delete(key);
    this.account.charge(bytes - before);
  }

  /** What `key` holds, as its deletion releases it: the key, its extra charge and its note (0 if it is not in the set). */
  bytesOf(key: string): number {
    return this.has(key) ? keyCost(key) + this.extra(key) + noteCost(this.note(key)) : 0;
  }

  /** The extra charge of `key` (0 if none). */
  extra(key: string): number {
    return this.extras?.get(key) ?? 0;
  }

  /** Keeps `note` with `key`, in place of its previous one; nothing if `key` is not in the set. */
  setNote(key: string, note: string): void {
    if (!this.has(key)) return;
    const before = noteCost(this.note(key));
    this.notes ??= new Map();
    this.notes.set(key, note);
    this.account.charge(noteCost(note) - before);
  }

  /** The note kept with `key`, if any. */
  note(key: string): string | undefined {
    return this.notes?.get(key);
  }
}

/** What a note costs: its text. */
export function noteCost(note: string | undefined): number {
  return note === undefined ? 0 : stringCost(note);
}
