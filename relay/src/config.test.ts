import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has working defaults: sandbox mode on 127.0.0.1:8787', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      dbPath: './data/relay.sqlite',
      vantioApiUrl: undefined,
      forwardConcurrency: 4,
      retryScheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      emulatorPort: 4010,
      emulatorSecretKey: 'sk_test_sandbox',
    });
  });

  it('reads production settings', () => {
    const config = loadConfig({
      VANTIO_API_URL: 'https://vantio.app',
      VANTIO_SECRET_KEY: 'sk_live_x',
      RELAY_ALLOWED_ORIGINS: 'https://club.example.edu/, https://*.campus.edu',
      RELAY_RETRY_SCHEDULE: '0.5, 2,10',
      RELAY_FORWARD_CONCURRENCY: '0',
      RELAY_TRUST_PROXY: 'true',
    });
    expect(config.allowedOrigins).toEqual(['https://club.example.edu', 'https://*.campus.edu']);
    expect(config.retryScheduleMs).toEqual([500, 2_000, 10_000]);
    expect(config.forwardConcurrency).toBe(0);
    expect(config.trustProxy).toBe(true);
  });

  it('reads the PostgreSQL URL and lease, and never echoes a bad URL (it carries a password)', () => {
    const config = loadConfig({ RELAY_DATABASE_URL: 'postgresql://relay:pw@db:5432/relay', RELAY_LEASE_S: '20' });
    expect(config.databaseUrl).toBe('postgresql://relay:pw@db:5432/relay');
    expect(config.leaseMs).toBe(20_000);
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(() => loadConfig({ RELAY_DATABASE_URL: 'mysql://u:hunter2@db/relay' })).toThrow(/RELAY_DATABASE_URL: must be a PostgreSQL URL/);
    try {
      loadConfig({ RELAY_DATABASE_URL: 'mysql://u:hunter2@db/relay' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
    // Shorter than one upstream call (10 s by default) + the margin: refused.
    expect(() => loadConfig({ RELAY_LEASE_S: '12' })).toThrow(/RELAY_LEASE_S: must be at least/);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        VANTIO_API_URL: 'ftp://vantio.app',
        RELAY_PORT: '99999',
        RELAY_RETRY_SCHEDULE: '5,soon',
        RELAY_ALLOWED_ORIGINS: 'club.example.edu',
        RELAY_ADMIN_TOKEN: 'short',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['VANTIO_API_URL', 'RELAY_PORT', 'RELAY_RETRY_SCHEDULE', 'RELAY_ALLOWED_ORIGINS', 'RELAY_ADMIN_TOKEN']) {
      expect(problems).toContain(name);
    }
  });

  it('requires the secret key when a Vantio URL is set, and never echoes it', () => {
    expect(() => loadConfig({ VANTIO_API_URL: 'https://vantio.app' })).toThrow(/VANTIO_SECRET_KEY: is required/);
    try {
      loadConfig({ VANTIO_API_URL: 'nope', VANTIO_SECRET_KEY: 'sk_live_do_not_print' });
    } catch (error) {
      expect((error as Error).message).not.toContain('sk_live_do_not_print');
    }
  });

  it('treats blank variables as unset, not as 0', () => {
    const config = loadConfig({ RELAY_PORT: '', RELAY_FORWARD_CONCURRENCY: ' ', RELAY_RATE_LIMIT_PER_MIN: '', RELAY_MIN_FILL_MS: '' });
    expect(config).toMatchObject({ port: 8787, forwardConcurrency: 4, rateLimitPerMinute: 120, minFillMs: 0 });
  });

  it('sends the secret key over https only, except to this machine', () => {
    expect(() => loadConfig({ VANTIO_API_URL: 'http://vantio.app', VANTIO_SECRET_KEY: 'sk_x' })).toThrow(/VANTIO_API_URL: must be https/);
    expect(loadConfig({ VANTIO_API_URL: 'http://127.0.0.1:4010', VANTIO_SECRET_KEY: 'sk_x' }).vantioApiUrl).toBe('http://127.0.0.1:4010');
    expect(loadConfig({ VANTIO_API_URL: 'http://localhost:4010', VANTIO_SECRET_KEY: 'sk_x' }).vantioApiUrl).toBe('http://localhost:4010');
  });

  it('bounds the timeouts (a huge one would make every call time out at once)', () => {
    expect(() => loadConfig({ RELAY_UPSTREAM_TIMEOUT_MS: '5000000000' })).toThrow(/RELAY_UPSTREAM_TIMEOUT_MS: must be at most/);
  });

  it('has server limits with defaults, each settable, the header timeout within the request timeout', () => {
    expect(loadConfig({}).server).toEqual({
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      idleTimeoutMs: 10_000,
      maxConnections: 4_096,
    });
    const set = loadConfig({
      RELAY_HEADERS_TIMEOUT_MS: '2000',
      RELAY_REQUEST_TIMEOUT_MS: '4000',
      RELAY_KEEP_ALIVE_TIMEOUT_MS: '7000',
      RELAY_IDLE_TIMEOUT_MS: '1500',
      RELAY_MAX_CONNECTIONS: '50',
      RELAY_MIN_FREE_DISK_MB: '64',
    });
    expect(set.server).toEqual({ headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 7000, idleTimeoutMs: 1500, maxConnections: 50 });
    expect(set.minFreeDiskBytes).toBe(64 * 1024 * 1024);
    expect(() => loadConfig({ RELAY_HEADERS_TIMEOUT_MS: '40000' })).toThrow(/RELAY_HEADERS_TIMEOUT_MS: must not be longer than RELAY_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ RELAY_IDLE_TIMEOUT_MS: '10' })).toThrow(/RELAY_IDLE_TIMEOUT_MS: must be at least 100/);
    expect(() => loadConfig({ RELAY_MAX_CONNECTIONS: '0' })).toThrow(/RELAY_MAX_CONNECTIONS: must be at least 1/);
  });

  it('reads RELAY_PUBLIC_URL as one origin spelling, refusing paths and other schemes', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ RELAY_PUBLIC_URL: 'https://Relay.Club.example.edu:443/' }).publicUrl).toBe('https://relay.club.example.edu');
    expect(loadConfig({ RELAY_PUBLIC_URL: 'http://127.0.0.1:8787' }).publicUrl).toBe('http://127.0.0.1:8787');
    for (const bad of ['relay.example.edu', 'ftp://relay.example.edu', 'https://relay.example.edu/signup', 'https://relay.example.edu?x=1', 'https://u@relay.example.edu']) {
      expect(() => loadConfig({ RELAY_PUBLIC_URL: bad }), bad).toThrow(/RELAY_PUBLIC_URL: must be/);
    }
  });
});
