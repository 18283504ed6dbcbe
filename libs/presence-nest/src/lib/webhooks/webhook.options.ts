/** Where and how webhooks are delivered (`WEBHOOK_URL` and friends); unset: none are. */
export interface WebhookOptions {
  /** The receiver's `http://` or `https://` URL; every batch is POSTed there. */
  url: string;
  /** Signs every request (`x-presently-signature`). */
  secret: string;
  /** The first retry's delay after a failed request (ms); each further one doubles it. Default 1000. */
  retryBaseMs?: number;
  /** The longest delay between two retries (ms). Default 60000. */
  retryMaxMs?: number;
  /**
   * How long after the shutdown began the process may still deliver what
   * waits (ms); keep it under the application's shutdown timeout. Default 5000.
   */
  shutdownMs?: number;
}
