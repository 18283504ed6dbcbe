import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { PresenceCluster } from '@presently/presence-core';
import { PresenceModule } from '@presently/presence-nest';
import { AuthenticatedSocketsGauge } from './authenticated-sockets.gauge';
import { BadgeScriptController } from './badge-script.controller';
import type { ServerConfig } from './config';
import { DemoTokenController } from './demo-token.controller';
import { DemoTokens } from './demo-tokens';
import { HealthController } from './health.controller';
import { HttpExceptionFilter } from './http-exception.filter';
import { Lifecycle } from './lifecycle';
import { ProcessMetrics } from './process-metrics';
import { StaticSite } from './static-site';
import { WelcomePageController } from './welcome-page.controller';

@Module({})
export class AppModule {
  static forRoot(config: ServerConfig, site: StaticSite | null = null, cluster?: PresenceCluster): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The configuration names the module's options as the module does.
        PresenceModule.forRoot({ ...config, cluster }),
      ],
      // Demo tokens exist only when asked for: without DEMO_TOKENS=1 the route is not there at all.
      // Without a web app, `/` says what this server is.
      controllers: [
        HealthController,
        BadgeScriptController,
        ...(config.demoTokens ? [DemoTokenController] : []),
        ...(site ? [] : [WelcomePageController]),
      ],
      providers: [
        ...(config.demoTokens && config.jwtSecret ? [{ provide: DemoTokens, useValue: new DemoTokens(config.jwtSecret) }] : []),
        Lifecycle,
        ProcessMetrics,
        AuthenticatedSocketsGauge,
        { provide: StaticSite, useValue: site },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
