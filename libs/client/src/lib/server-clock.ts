/**
 * The server's clock as this client estimates it: the `serverTime` of the
 * last `session`, moved on by the local clock. Times the server gives
 * (`leftAt`) are compared with this rather than with `Date.now()`, which
 * may be minutes off on a visitor's machine.
 */
export class ServerClock {
  private offset = 0;

  constructor(private readonly local: () => number = () => Date.now()) {}

  /** A `session` arrived with the server's time. */
  synced(serverTime: number): void {
    if (Number.isFinite(serverTime)) this.offset = serverTime - this.local();
  }

  now(): number {
    return this.local() + this.offset;
  }
}
