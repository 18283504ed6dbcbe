import { type DynamicModule, Module } from '@nestjs/common';
import { BadgeSvgController } from './badge-svg.controller';
import { LiveStreamController } from './live-stream.controller';
import { PollGateway } from './poll.gateway';
import { PollService } from './poll.service';
import { PresenceController } from './presence.controller';
import { PresenceGateway } from './presence.gateway';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from './presence.options';
import { PresenceService } from './presence.service';
import { SessionAuthenticator } from './session-authenticator';

/**
 * Live presence for a Nest application: the `/presence` Socket.IO namespace,
 * the read-only HTTP endpoints under `/api`, the `/api/pages/live` stream and
 * the `/api/pages/badge.svg` image.
 *
 * @example
 * PresenceModule.forRoot({ graceMs: 5000, countIntervalMs: 250, maxPagesPerSocket: 100,
 *   maxWatchedPerSocket: 1000, maxRoomsPerSocket: 100, jwtSecret: process.env.JWT_SECRET })
 */
@Module({})
export class PresenceModule {
  static forRoot(options: PresenceModuleOptions): DynamicModule {
    return {
      module: PresenceModule,
      controllers: [PresenceController, LiveStreamController, BadgeSvgController],
      providers: [
        { provide: PRESENCE_OPTIONS, useValue: options },
        PresenceService,
        SessionAuthenticator,
        PresenceGateway,
        PollService,
        PollGateway,
      ],
      exports: [PresenceService, PollService, SessionAuthenticator],
    };
  }
}
