import { type DynamicModule, Module } from '@nestjs/common';
import { ConnectionAdmission } from './access/connection-admission';
import { ConnectionHooks } from './socket/connection-hooks';
import { EmitController } from './http/emit.controller';
import { PollsController } from './http/polls.controller';
import { EventRouter } from './socket/event-router';
import { PresenceLifecycle } from './hooks/presence-lifecycle';
import { BadgeSvgController } from './http/badge-svg.controller';
import { HistoryController } from './history/history.controller';
import { LiveStreamController } from './http/live-stream.controller';
import { PollGateway } from './polls/poll.gateway';
import { PollService } from './polls/poll.service';
import { PresenceController } from './http/presence.controller';
import { PresenceEmitter } from './hooks/presence-emitter';
import { PresenceMetrics } from './hooks/presence-metrics';
import { PresenceGateway } from './socket/presence.gateway';
import { WatchRates } from './socket/watch-rates';
import { RecentLeaversGateway } from './socket/recent-leavers.gateway';
import { TypingGateway } from './socket/typing.gateway';
import { PRESENCE_OPTIONS, presenceOptions, type PresenceModuleSettings } from './presence.options';
import { PresenceRegistry } from './presence-registry';
import { ClusterFigures } from './figures/cluster/cluster-figures';
import { Figures } from './figures/figures';
import { LocalFigures } from './figures/local-figures';
import { RoomDigests } from './figures/room-digests';
import { PollChanges } from './polls/poll-changes';
import { SessionAuthenticator } from './access/session-authenticator';
import { AnonymousIds } from './access/anonymous-ids';
import { SessionExpiry } from './access/session-expiry';
import { SessionSwitch } from './access/session-switch';
import { SessionGateway } from './socket/session.gateway';
import { SlowReaderGuard } from './socket/slow-reader-guard';
import { ModerationController } from './http/moderation.controller';
import { Moderation } from './moderation/moderation';
import { StateCeiling } from './access/state-ceiling';
import { WebhookPublisher } from './webhooks/webhook-publisher';
import { PassiveSockets } from './socket/passive-sockets';

/**
 * Live presence for a Nest application: the `/presence` Socket.IO namespace,
 * the HTTP endpoints under `/api` (`POST /api/emit` and `POST /api/disconnect` included), the
 * `/api/pages/live` stream, the `/api/pages/badge.svg` image and the
 * `/api/pages/history(.svg)` occupancy history, and for the
 * application's own providers `PresenceEmitter` (send events to users, roles,
 * rooms), `PresenceLifecycle` (the lifecycle stream) and `PresenceMetrics`.
 *
 * Every option has a default (the standalone server's), so `forRoot()` is a
 * complete setup.
 *
 * @example
 * PresenceModule.forRoot({ graceMs: 5000, countIntervalMs: 250, maxPagesPerSocket: 100,
 *   maxWatchedPerSocket: 1000, maxRoomsPerSocket: 100, rateLimitPerS: 100, rateLimitBurst: 200,
 *   jwtSecret: process.env.JWT_SECRET, apiKey: process.env.API_KEY,
 *   authorize: async ({ identity }) => !(await bans.has(identity.userId)) })
 */
@Module({})
export class PresenceModule {
  static forRoot(settings: PresenceModuleSettings = {}): DynamicModule {
    const options = presenceOptions(settings);
    return {
      module: PresenceModule,
      controllers: [PresenceController, EmitController, ModerationController, PollsController, LiveStreamController, BadgeSvgController, HistoryController],
      providers: [
        { provide: PRESENCE_OPTIONS, useValue: options },
        PresenceRegistry,
        PollChanges,
        {
          provide: Figures,
          inject: [PresenceRegistry, PollChanges, PresenceMetrics],
          useFactory: (registry: PresenceRegistry, polls: PollChanges, metrics: PresenceMetrics): Figures =>
            options.cluster ? new ClusterFigures(options.cluster, registry, options, polls, metrics) : new LocalFigures(registry.presence),
        },
        AnonymousIds,
        SessionAuthenticator,
        EventRouter,
        WatchRates,
        PresenceGateway,
        TypingGateway,
        RecentLeaversGateway,
        PollService,
        PollGateway,
        PresenceLifecycle,
        PresenceMetrics,
        PresenceEmitter,
        ConnectionAdmission,
        SessionExpiry,
        SessionSwitch,
        SessionGateway,
        ConnectionHooks,
        SlowReaderGuard,
        Moderation,
        StateCeiling,
        RoomDigests,
        WebhookPublisher,
        PassiveSockets,
      ],
      exports: [PresenceRegistry, Figures, Moderation, PollService, SessionAuthenticator, PresenceEmitter, PresenceLifecycle, PresenceMetrics, ConnectionAdmission, WebhookPublisher],
    };
  }
}
