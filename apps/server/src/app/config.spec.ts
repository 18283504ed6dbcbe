import { getHeapStatistics } from 'node:v8';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: undefined,
      redis: undefined,
      redisPrefix: 'presently:',
      heartbeatMs: 3000,
      heartbeatTtlMs: 10000,
      jwtSecret: undefined,
      demoTokens: false,
      anonIdSecret: undefined,
      maxTokenTtlS: 2592000,
      corsOrigins: undefined,
      apiKey: undefined,
      polls: [],
      countIntervalMs: 250,
      graceMs: 5000,
      rosterMax: 1000,
      typingMs: 6000,
      recentMs: 600000,
      historyPages: 1000,
      maxPagesPerSocket: 100,
      maxWatchedPerSocket: 1000,
      maxRoomsPerSocket: 100,
      rateLimitPerS: 100,
      rateLimitBurst: 200,
      maxHttpBufferSize: 262144,
      shutdownTimeoutMs: 10000,
      handoffMs: 6000,
      maxConnectionsPerIp: 1000,
      maxBufferedBytes: 4194304,
      slowClientMs: 5000,
      handshakesPerS: 20,
      handshakeBurst: 50,
      connectTimeoutMs: 5000,
      maxBytesPerAddress: 16 * 1024 * 1024,
      maxStateBytes: Math.floor(getHeapStatistics().heap_size_limit / 4),
      trustProxy: 0,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      JWT_SECRET: 's3cret',
      ANON_ID_SECRET: '0123456789abcdef',
      MAX_TOKEN_TTL_S: '86400',
      CORS_ORIGINS: ' https://a.example , https://b.example,',
      COUNT_INTERVAL_MS: '100',
      GRACE_MS: '0',
      TYPING_MS: '300',
      RECENT_MS: '0',
      HISTORY_PAGES: '0',
      MAX_PAGES_PER_SOCKET: '5',
      MAX_WATCHED_PER_SOCKET: '6',
      MAX_ROOMS_PER_SOCKET: '7',
      MAX_HTTP_BUFFER_SIZE: '65536',
      MAX_CONNECTIONS_PER_IP: '0',
      MAX_BUFFERED_BYTES: '65536',
      SLOW_CLIENT_MS: '500',
      HANDSHAKES_PER_S: '0',
      HANDSHAKE_BURST: '9',
      CONNECT_TIMEOUT_MS: '1000',
      MAX_BYTES_PER_ADDRESS: '65536',
      MAX_STATE_BYTES: '0',
      TRUST_PROXY: '2',
      API_KEY: 'k',
      POLLS: ' red-or-blue , launch:2026,red-or-blue,',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      port: 0,
      jwtSecret: 's3cret',
      anonIdSecret: '0123456789abcdef',
      maxTokenTtlS: 86400,
      corsOrigins: ['https://a.example', 'https://b.example'],
      countIntervalMs: 100,
      graceMs: 0,
      typingMs: 300,
      recentMs: 0,
      historyPages: 0,
      maxPagesPerSocket: 5,
      maxWatchedPerSocket: 6,
      maxRoomsPerSocket: 7,
      maxHttpBufferSize: 65536,
      maxConnectionsPerIp: 0,
      maxBufferedBytes: 65536,
      slowClientMs: 500,
      handshakesPerS: 0,
      handshakeBurst: 9,
      connectTimeoutMs: 1000,
      maxBytesPerAddress: 65536,
      maxStateBytes: 0,
      trustProxy: 2,
      apiKey: 'k',
      polls: ['red-or-blue', 'launch:2026'],
      logLevel: 'warn',
    });
  });

  it('mints demo tokens only with DEMO_TOKENS=1, with JWT_SECRET or else a secret made at start (one process only)', () => {
    expect(loadConfig({ DEMO_TOKENS: '1', JWT_SECRET: 's3cret' })).toMatchObject({ demoTokens: true, jwtSecret: 's3cret' });
    const made = loadConfig({ DEMO_TOKENS: '1' }).jwtSecret;
    expect(made).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loadConfig({ DEMO_TOKENS: '1' }).jwtSecret).not.toBe(made);
    expect(loadConfig({ DEMO_TOKENS: '0' })).toMatchObject({ demoTokens: false, jwtSecret: undefined });
    expect(() => loadConfig({ DEMO_TOKENS: '1', REDIS_URL: 'redis://localhost:6379' })).toThrow(/DEMO_TOKENS: needs JWT_SECRET with several processes/);
    expect(loadConfig({ DEMO_TOKENS: '1', REDIS_URL: 'redis://localhost:6379', JWT_SECRET: 's' })).toMatchObject({ demoTokens: true });
  });

  it('keeps the hand-off of a stopping process within its shutdown timeout', () => {
    expect(loadConfig({ GRACE_MS: '3000' })).toMatchObject({ handoffMs: 4000 });
    expect(loadConfig({ GRACE_MS: '60000', SHUTDOWN_TIMEOUT_MS: '30000' })).toMatchObject({ handoffMs: 28000 });
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '1000' })).toMatchObject({ handoffMs: 0 });
  });

  it('reads REDIS_URL and the key prefix, by default presently:', () => {
    expect(loadConfig({ REDIS_URL: 'redis://localhost:6379' })).toMatchObject({ redis: { url: 'redis://localhost:6379' }, redisPrefix: 'presently:' });
    expect(loadConfig({})).toMatchObject({ redis: undefined });
  });

  it('reads REDIS_SENTINELS and REDIS_SENTINEL_NAME instead of REDIS_URL', () => {
    expect(loadConfig({ REDIS_SENTINELS: 'sentinel-a:26379, 10.0.0.2:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'presence' })).toMatchObject({
      redis: {
        sentinels: [
          { host: 'sentinel-a', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
          { host: '::1', port: 26381 },
        ],
        name: 'presence',
      },
    });
  });

  it('refuses REDIS_URL and REDIS_SENTINELS together, and either Sentinel variable without the other', () => {
    const sentinels = { REDIS_SENTINELS: 'localhost:26379', REDIS_SENTINEL_NAME: 'presence' };
    expect(() => loadConfig({ REDIS_URL: 'redis://localhost:6379', ...sentinels })).toThrow(/REDIS_URL: set either REDIS_URL or REDIS_SENTINELS .*not both/);
    expect(() => loadConfig({ REDIS_SENTINELS: 'localhost:26379' })).toThrow(/REDIS_SENTINEL_NAME: required with REDIS_SENTINELS/);
    expect(() => loadConfig({ REDIS_SENTINEL_NAME: 'presence' })).toThrow(/REDIS_SENTINELS: required with REDIS_SENTINEL_NAME/);
  });

  it('reads the heartbeat of the several-process mode, whose time to live is at least twice its interval', () => {
    expect(loadConfig({ REDIS_HEARTBEAT_MS: '200', REDIS_HEARTBEAT_TTL_MS: '400' })).toMatchObject({ heartbeatMs: 200, heartbeatTtlMs: 400 });
    expect(() => loadConfig({ REDIS_HEARTBEAT_MS: '200', REDIS_HEARTBEAT_TTL_MS: '399' })).toThrow(/REDIS_HEARTBEAT_TTL_MS: at least twice/);
  });

  it('reads the webhook receiver, its secret and its retry delays; delivers at shutdown until a second before the timeout', () => {
    expect(loadConfig({})).toMatchObject({ webhook: undefined });
    expect(loadConfig({ WEBHOOK_URL: 'https://hooks.example/presence', WEBHOOK_SECRET: 'whsec-0123456789' })).toMatchObject({
      webhook: { url: 'https://hooks.example/presence', secret: 'whsec-0123456789', retryBaseMs: 1000, retryMaxMs: 60000, shutdownMs: 9000 },
    });
    expect(
      loadConfig({
        WEBHOOK_URL: 'http://127.0.0.1:9999/hook',
        WEBHOOK_SECRET: 'whsec-0123456789',
        WEBHOOK_RETRY_BASE_MS: '50',
        WEBHOOK_RETRY_MAX_MS: '200',
        SHUTDOWN_TIMEOUT_MS: '500',
      }),
    ).toMatchObject({ webhook: { url: 'http://127.0.0.1:9999/hook', retryBaseMs: 50, retryMaxMs: 200, shutdownMs: 0 } });
  });

  it('refuses to start with WEBHOOK_URL but no WEBHOOK_SECRET, saying what is missing', () => {
    expect(() => loadConfig({ WEBHOOK_URL: 'https://hooks.example/presence' })).toThrow(/WEBHOOK_SECRET: required with WEBHOOK_URL/);
    expect(() => loadConfig({ WEBHOOK_URL: 'https://hooks.example/presence', WEBHOOK_SECRET: '' })).toThrow(/WEBHOOK_SECRET: required with WEBHOOK_URL/);
    expect(() => loadConfig({ WEBHOOK_RETRY_BASE_MS: '5000', WEBHOOK_RETRY_MAX_MS: '4000' })).toThrow(/WEBHOOK_RETRY_MAX_MS: at least WEBHOOK_RETRY_BASE_MS/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', JWT_SECRET: '', CORS_ORIGINS: '' })).toMatchObject({
      port: 3000,
      jwtSecret: undefined,
      corsOrigins: undefined,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['GRACE_MS', '-1'],
    ['COUNT_INTERVAL_MS', '1.5'],
    ['MAX_PAGES_PER_SOCKET', '0'],
    ['MAX_HTTP_BUFFER_SIZE', '1000'],
    ['LOG_LEVEL', 'loud'],
    ['MAX_CONNECTIONS_PER_IP', '-1'],
    ['MAX_BYTES_PER_ADDRESS', '-1'],
    ['MAX_STATE_BYTES', '1.5'],
    ['TRUST_PROXY', 'yes'],
    ['MAX_TOKEN_TTL_S', '0'],
    ['POLLS', `a,${'p'.repeat(513)}`],
    ['POLLS', 'a,b\u0001'],
    ['MAX_TOKEN_TTL_S', '1e308'],
    ['TRUST_PROXY', '33'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_PREFIX', 'has space'],
    ['ANON_ID_SECRET', '0123456789abcde'],
    ['REDIS_SENTINELS', 'localhost'],
    ['REDIS_SENTINELS', 'localhost:0'],
    ['REDIS_SENTINELS', 'localhost:65536'],
    ['REDIS_SENTINELS', 'localhost:26379,'],
    ['REDIS_SENTINELS', 'redis://localhost:26379'],
    ['REDIS_SENTINELS', '::1:26379'],
    ['REDIS_SENTINEL_NAME', 'has space'],
    ['REDIS_HEARTBEAT_MS', '10'],
    ['REDIS_HEARTBEAT_TTL_MS', 'soon'],
    ['WEBHOOK_URL', 'hooks.example/presence'],
    ['WEBHOOK_URL', 'ftp://hooks.example/presence'],
    ['WEBHOOK_SECRET', '0123456789abcde'],
    ['WEBHOOK_RETRY_BASE_MS', '0'],
    ['WEBHOOK_RETRY_MAX_MS', '600001'],
    ['TYPING_MS', '0'],
    ['TYPING_MS', '99'],
    ['RECENT_MS', '-1'],
    ['RECENT_MS', '1.5'],
    ['DEMO_TOKENS', 'yes'],
    ['DEMO_TOKENS', 'true'],
    ['HISTORY_PAGES', '-1'],
    ['HISTORY_PAGES', '2.5'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });
});
