import { createHmac, randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ANONYMOUS_ID_PREFIX } from '@presently/protocol';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';

/** The shortest `anonIdSecret` (`ANON_ID_SECRET`) accepted, in characters. */
export const ANON_ID_SECRET_MIN_LENGTH = 16;

/** Characters of the HMAC (base64url) after the prefix: 132 bits. */
const DIGEST_CHARS = 22;

/**
 * An anonymous visitor's public userId: `a_` and the first 22 characters of
 * the base64url HMAC-SHA256 of its clientId under `secret`. Whoever sees it
 * cannot recover the clientId (the browser's credential) from it, and the
 * same clientId gives the same id wherever the secret is the same.
 */
export function anonymousUserId(secret: string, clientId: string): string {
  return ANONYMOUS_ID_PREFIX + createHmac('sha256', secret).update(clientId).digest('base64url').slice(0, DIGEST_CHARS);
}

/**
 * Derives anonymous visitors' public ids with the deployment's secret: the
 * configured `anonIdSecret` (stable across restarts); without one, with a
 * cluster, the secret the cluster shares (a random one the first process
 * stored; the store stores it again if Redis restarts empty); in one process,
 * a random one made at start (ids change with a restart).
 */
@Injectable()
export class AnonymousIds implements OnModuleInit {
  private secret: string;

  constructor(@Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions) {
    const configured = options.anonIdSecret;
    if (configured !== undefined && configured.length < ANON_ID_SECRET_MIN_LENGTH) {
      throw new Error(`anonIdSecret must be at least ${ANON_ID_SECRET_MIN_LENGTH} characters`);
    }
    this.secret = configured ?? randomBytes(32).toString('base64url');
  }

  /** With a cluster and no configured secret, adopts the cluster's before any connection is admitted. */
  async onModuleInit(): Promise<void> {
    const cluster = this.options.cluster;
    if (this.options.anonIdSecret !== undefined || !cluster) return;
    this.secret = await cluster.sharedSecret(this.secret, (secret) => (this.secret = secret));
  }

  /** The public userId of an anonymous visitor with this clientId. */
  of(clientId: string): string {
    return anonymousUserId(this.secret, clientId);
  }
}
