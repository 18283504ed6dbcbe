/** Addresses in one process's block (`new SourceAddresses(perAddress, block)`). */
const ADDRESSES_PER_BLOCK = 160_000;

/**
 * Source addresses for client sockets, spread over 127.0.0.0/8 (all of it
 * reaches the loopback interface on Linux). A bound source address has about
 * 28,000 ephemeral ports, shared with the sockets of earlier runs still in
 * TIME_WAIT; so each run takes fresh addresses, at most `perAddress` sockets
 * each, and several processes take disjoint blocks.
 *
 * @example
 * const addresses = new SourceAddresses(500);
 * io(url, { localAddress: addresses.next() });
 */
export class SourceAddresses {
  private index: number;

  /** `block` (0–99) picks a disjoint range of 160,000 addresses, for another process. */
  constructor(
    private readonly perAddress = 500,
    block = 0,
  ) {
    this.index = block * ADDRESSES_PER_BLOCK * perAddress;
  }

  /** The source address of the next socket. */
  next(): string {
    // From 127.0.0.2 on (127.0.0.1 stays for the harness's own requests), last byte 1–254.
    const n = Math.floor(this.index++ / this.perAddress) + 1;
    const last = 1 + (n % 254);
    const rest = Math.floor(n / 254);
    return `127.${Math.floor(rest / 256) % 256}.${rest % 256}.${last}`;
  }

  /** Skips to a fresh address (the next run starts on addresses no earlier socket used). */
  fresh(): void {
    this.index = Math.ceil(this.index / this.perAddress) * this.perAddress;
  }
}
