export * from './lib/connection-status.component';
export * from './lib/live-count.component';
export * from './lib/online-list.component';
export * from './lib/polite-announcer.component';
export * from './lib/presence.service';
export * from './lib/provide-presently';
