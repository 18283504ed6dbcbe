import { getHeapStatistics } from 'node:v8';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: undefined,
      redisUrl: undefined,
      redisPrefix: 'presently:',
      jwtSecret: undefined,
      anonIdSecret: undefined,
      maxTokenTtlS: 2592000,
      corsOrigins: undefined,
      apiKey: undefined,
      polls: [],
      countIntervalMs: 250,
      graceMs: 5000,
      rosterMax: 1000,
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

  it('keeps the hand-off of a stopping process within its shutdown timeout', () => {
    expect(loadConfig({ GRACE_MS: '3000' })).toMatchObject({ handoffMs: 4000 });
    expect(loadConfig({ GRACE_MS: '60000', SHUTDOWN_TIMEOUT_MS: '30000' })).toMatchObject({ handoffMs: 28000 });
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '1000' })).toMatchObject({ handoffMs: 0 });
  });

  it('reads REDIS_URL and the key prefix, by default presently:', () => {
    expect(loadConfig({ REDIS_URL: 'redis://localhost:6379' })).toMatchObject({ redisUrl: 'redis://localhost:6379', redisPrefix: 'presently:' });
    expect(loadConfig({})).toMatchObject({ redisUrl: undefined });
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
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });
});
