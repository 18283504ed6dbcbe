/** Where what one connection holds is charged: its address's total. */
export interface Account {
  /** The address it charges. */
  readonly address: string;
  /** Bytes this connection holds now. */
  readonly bytes: number;
  /** Adds `delta` bytes (negative: releases them). Never refuses: ask {@link AddressBudget.fits} first. */
  charge(delta: number): void;
}

/**
 * The bytes of presence state each client address makes the server hold
 * (keys, profiles, watch entries, held places, as `state-cost.ts` estimates
 * them), and their sum over every address. An addition that would take an
 * address past `maxBytesPerAddress` is refused by whoever asks
 * {@link fits} first; a release is never refused. An address whose total
 * comes back to 0 takes no memory. O(1) per operation.
 *
 * @example
 * const budget = new AddressBudget(16 * 1024 * 1024);
 * const account = budget.account('203.0.113.7');
 * if (!budget.fits('203.0.113.7', keyCost(page))) return refuse('LIMIT_EXCEEDED');
 * account.charge(keyCost(page));
 */
export class AddressBudget {
  private readonly totals = new Map<string, number>();
  private sum = 0;

  /** `maxBytesPerAddress` 0: no limit (everything is still counted). */
  constructor(readonly maxBytesPerAddress: number) {}

  /** Whether `address` may hold `bytes` more. */
  fits(address: string, bytes: number): boolean {
    return this.maxBytesPerAddress === 0 || bytes <= 0 || this.bytesOf(address) + bytes <= this.maxBytesPerAddress;
  }

  /** Adds `delta` bytes to `address` (negative: releases them). */
  charge(address: string, delta: number): void {
    if (delta === 0) return;
    const total = (this.totals.get(address) ?? 0) + delta;
    if (total > 0) this.totals.set(address, total);
    else this.totals.delete(address);
    this.sum += delta;
  }

  /** A connection's account: what it holds, charged to `address`. */
  account(address: string): Account {
    return new ConnectionAccount(this, address);
  }

  /** Bytes `address` holds. */
  bytesOf(address: string): number {
    return this.totals.get(address) ?? 0;
  }

  /** Bytes every address holds together. */
  get total(): number {
    return this.sum;
  }

  /** Addresses holding anything. */
  get addresses(): number {
    return this.totals.size;
  }
}

class ConnectionAccount implements Account {
  bytes = 0;

  constructor(
    private readonly budget: AddressBudget,
    readonly address: string,
  ) {}

  charge(delta: number): void {
    this.bytes += delta;
    this.budget.charge(this.address, delta);
  }
}
