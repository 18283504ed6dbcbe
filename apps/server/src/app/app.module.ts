import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { PresenceModule } from '@presently/presence-nest';
import type { ServerConfig } from './config';
import { HealthController } from './health.controller';
import { HttpExceptionFilter } from './http-exception.filter';
import { Lifecycle } from './lifecycle';

@Module({})
export class AppModule {
  static forRoot(config: ServerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PresenceModule.forRoot({
          graceMs: config.graceMs,
          countIntervalMs: config.countIntervalMs,
          maxPagesPerSocket: config.maxPagesPerSocket,
          maxWatchedPerSocket: config.maxWatchedPerSocket,
          maxRoomsPerSocket: config.maxRoomsPerSocket,
          rateLimitPerS: config.rateLimitPerS,
          rateLimitBurst: config.rateLimitBurst,
          jwtSecret: config.jwtSecret,
        }),
      ],
      controllers: [HealthController],
      providers: [Lifecycle, { provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
