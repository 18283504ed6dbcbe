import { type DynamicModule, Module } from '@nestjs/common';
import { ConnectionAdmission } from './connection-admission';
import { ConnectionHooks } from './connection-hooks';
import { EmitController } from './emit.controller';
import { EventRouter } from './event-router';
import { PresenceEvents } from './lifecycle-events';
import { BadgeSvgController } from './badge-svg.controller';
import { LiveStreamController } from './live-stream.controller';
import { PollGateway } from './poll.gateway';
import { PollService } from './poll.service';
import { PresenceController } from './presence.controller';
import { PresenceEmitter } from './presence-emitter';
import { PresenceMetrics } from './presence-metrics';
import { PresenceGateway } from './presence.gateway';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from './presence.options';
import { PresenceService } from './presence.service';
import { SessionAuthenticator } from './session-authenticator';
import { SessionExpiry } from './session-expiry';

/**
 * Live presence for a Nest application: the `/presence` Socket.IO namespace,
 * the HTTP endpoints under `/api` (`POST /api/emit` included), the
 * `/api/pages/live` stream and the `/api/pages/badge.svg` image, and for the
 * application's own providers `PresenceEmitter` (send events to users, roles,
 * rooms), `PresenceEvents` (the lifecycle stream) and `PresenceMetrics`.
 *
 * @example
 * PresenceModule.forRoot({ graceMs: 5000, countIntervalMs: 250, maxPagesPerSocket: 100,
 *   maxWatchedPerSocket: 1000, maxRoomsPerSocket: 100, rateLimitPerS: 100, rateLimitBurst: 200,
 *   jwtSecret: process.env.JWT_SECRET, apiKey: process.env.API_KEY,
 *   authorize: async ({ identity }) => !(await bans.has(identity.userId)) })
 */
@Module({})
export class PresenceModule {
  static forRoot(options: PresenceModuleOptions): DynamicModule {
    return {
      module: PresenceModule,
      controllers: [PresenceController, EmitController, LiveStreamController, BadgeSvgController],
      providers: [
        { provide: PRESENCE_OPTIONS, useValue: options },
        PresenceService,
        SessionAuthenticator,
        EventRouter,
        PresenceGateway,
        PollService,
        PollGateway,
        PresenceEvents,
        PresenceMetrics,
        PresenceEmitter,
        ConnectionAdmission,
        SessionExpiry,
        ConnectionHooks,
      ],
      exports: [PresenceService, PollService, SessionAuthenticator, PresenceEmitter, PresenceEvents, PresenceMetrics],
    };
  }
}
