import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { PresenceMetrics } from '@presently/presence-nest';
import type { Response } from 'express';
import { Lifecycle } from './lifecycle';

/** Liveness, readiness and the Prometheus metrics. */
@Controller()
export class HealthController {
  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly metrics: PresenceMetrics,
  ) {}

  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  readyz(@Res() response: Response): void {
    if (this.lifecycle.ready) response.status(HttpStatus.OK).json({ status: 'ready' });
    else response.status(HttpStatus.SERVICE_UNAVAILABLE).json({ status: 'shutting-down' });
  }

  /** Prometheus text format: Presently's metrics and the process's. */
  @Get('metrics')
  async scrape(@Res() response: Response): Promise<void> {
    const registry = this.metrics.registry;
    const text = await registry.metrics();
    response.status(HttpStatus.OK).setHeader('Content-Type', registry.contentType).send(text);
  }
}
