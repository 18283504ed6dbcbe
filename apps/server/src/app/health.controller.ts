import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import { PresenceService } from '@presently/presence-nest';
import type { Response } from 'express';
import { Lifecycle } from './lifecycle';

/** Liveness, readiness and a minimal Prometheus view. */
@Controller()
export class HealthController {
  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly service: PresenceService,
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

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): string {
    const sizes = this.service.presence.sizes();
    const gauges: Array<[string, string, number]> = [
      ['presently_connections', 'Connections, held ones included.', sizes.connections],
      ['presently_visitors', 'Distinct clients connected or held.', sizes.visitors],
      ['presently_held_connections', 'Disconnected connections within their grace period.', sizes.held],
      ['presently_pages', 'Pages with at least one viewer.', sizes.pages],
      ['presently_rooms', 'Rooms with at least one member.', sizes.rooms],
    ];
    return gauges.map(([name, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`).join('');
  }
}
