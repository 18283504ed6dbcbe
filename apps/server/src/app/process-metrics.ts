import { Injectable } from '@nestjs/common';
import { PresenceMetrics } from '@presently/presence-nest';
import { collectDefaultMetrics } from 'prom-client';

/**
 * The process's own metrics next to Presently's: CPU, memory, handles,
 * garbage collection and event-loop lag (`nodejs_eventloop_lag_*_seconds`,
 * sampled with `monitorEventLoopDelay`).
 */
@Injectable()
export class ProcessMetrics {
  constructor(metrics: PresenceMetrics) {
    collectDefaultMetrics({ register: metrics.registry });
  }
}
