import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { Figures, PresenceMetrics } from '@presently/presence-nest';
import type { Response } from 'express';
import { Lifecycle } from './lifecycle';

/** Liveness, readiness and the Prometheus metrics. */
@Controller()
export class HealthController {
  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly metrics: PresenceMetrics,
    private readonly figures: Figures,
  ) {}

  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** Ready: not shutting down and, with `REDIS_URL`, the cluster store reachable and holding this process's share. */
  @Get('readyz')
  readyz(@Res() response: Response): void {
    if (!this.lifecycle.ready) response.status(HttpStatus.SERVICE_UNAVAILABLE).json({ status: 'shutting-down' });
    else if (!this.figures.ready) response.status(HttpStatus.SERVICE_UNAVAILABLE).json({ status: 'redis-unavailable' });
    else response.status(HttpStatus.OK).json({ status: 'ready' });
  }

  /** Prometheus text format: Presently's metrics and the process's. */
  @Get('metrics')
  async scrape(@Res() response: Response): Promise<void> {
    const registry = this.metrics.registry;
    const text = await registry.metrics();
    response.status(HttpStatus.OK).setHeader('Content-Type', registry.contentType).send(text);
  }
}
