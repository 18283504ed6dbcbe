import type { Account } from './address-budget';
import { keyCost } from './state-cost';

/**
 * A connection's set of keys (pages it is on or watches, rooms it joined)
 * that charges each key to the connection's {@link Account} as it is added,
 * and releases it as it is deleted or cleared: every way into or out of the
 * set is accounted, whichever part of the registry takes it. A key may carry
 * an extra charge (a room's profile) that is replaced when set again and
 * released with the key.
 */
export class AccountedKeys extends Set<string> {
  private extras: Map<string, number> | null = null;

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
    if (!super.delete(key)) return false;
    this.account.charge(-keyCost(key) - this.dropExtra(key));
    return true;
  }

  override clear(): void {
    let bytes = 0;
    for (const key of this) bytes += keyCost(key) + (this.extras?.get(key) ?? 0);
    super.clear();
    this.extras = null;
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

  /** The extra charge of `key` (0 if none). */
  extra(key: string): number {
    return this.extras?.get(key) ?? 0;
  }

  private dropExtra(key: string): number {
    const bytes = this.extra(key);
    if (bytes > 0) this.extras?.delete(key);
    return bytes;
  }
}
