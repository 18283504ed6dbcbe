import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PresenceLifecycle, PresenceMetrics } from '@presently/presence-nest';
import { Gauge } from 'prom-client';
import type { Subscription } from 'rxjs';

/**
 * An example of an application subscribing to the presence lifecycle: a
 * gauge of the sockets signed in with a valid token, kept from the
 * `connected`, `identityChanged` (`session:token`) and `disconnected`
 * events (no registry scan).
 */
@Injectable()
export class AuthenticatedSocketsGauge implements OnModuleInit, OnModuleDestroy {
  private readonly gauge: Gauge;
  private subscription: Subscription | null = null;

  constructor(
    private readonly events: PresenceLifecycle,
    metrics: PresenceMetrics,
  ) {
    this.gauge = new Gauge({
      name: 'presently_authenticated_sockets',
      help: 'Connected sockets signed in with a valid token (kept by a lifecycle subscriber).',
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    this.subscription = this.events.events$.subscribe((event) => {
      if (event.type === 'connected' && event.identity.authenticated) this.gauge.inc();
      if (event.type === 'disconnected' && event.identity.authenticated) this.gauge.dec();
      if (event.type === 'identityChanged' && event.previous.authenticated !== event.identity.authenticated) {
        this.gauge.inc(event.identity.authenticated ? 1 : -1);
      }
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
