/**
 * Relay configuration from the environment, validated once at start with one clear
 * message per bad variable. Nothing else reads `process.env`.
 */
import { z } from 'zod';

/** What a lease must outlast beyond one upstream call: recording its outcome. */
const LEASE_MARGIN_MS = 5_000;
const DEFAULT_RETRY_SCHEDULE = '5,300,1800,7200,18000,36000,36000';

const port = (fallback: number) =>
  z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535).default(fallback);
const nonNegativeInt = (fallback: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').default(fallback);
const optionalText = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional();

const ZEnv = z
  .object({
    RELAY_HOST: z.string().trim().min(1).default('127.0.0.1'),
    RELAY_PORT: port(8787),
    RELAY_DB: z.string().trim().min(1).default('./data/relay.sqlite'),
    // Never echoed in an error: the URL usually carries the database password.
    RELAY_DATABASE_URL: optionalText.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a PostgreSQL URL such as postgres://user:password@host:5432/relay')
        .optional(),
    ),
    RELAY_LEASE_S: z.coerce.number({ error: 'must be a number of seconds' }).positive('must be more than 0').max(86_400, 'must be at most 86400').optional(),
    VANTIO_API_URL: optionalText.pipe(
      z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://vantio.app' })
        .optional(),
    ),
    VANTIO_SECRET_KEY: optionalText,
    RELAY_ALLOWED_ORIGINS: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((origin) => origin.trim().replace(/\/$/, '')).filter(Boolean))
      .pipe(
        z.array(
          z.string().regex(/^(\*|https?:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?)$/i, {
            error: (issue) => `"${String(issue.input)}" is not an origin like https://club.example.edu`,
          }),
        ),
      ),
    RELAY_ADMIN_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    RELAY_METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    RELAY_RATE_LIMIT_PER_MIN: nonNegativeInt(120),
    RELAY_FORWARD_CONCURRENCY: nonNegativeInt(4).pipe(z.number().max(256, 'must be at most 256')),
    RELAY_RETRY_SCHEDULE: z
      .string()
      .default(DEFAULT_RETRY_SCHEDULE)
      .transform((value) => value.split(',').map((part) => part.trim()))
      .pipe(
        z
          .array(
            z
              .string()
              .regex(/^\d+(\.\d+)?$/, 'must be a comma list of seconds, e.g. 5,300,1800')
              .transform(Number),
          )
          .min(1, 'needs at least one delay'),
      ),
    RELAY_MIN_FILL_MS: nonNegativeInt(1200),
    RELAY_UPSTREAM_TIMEOUT_MS: nonNegativeInt(10_000).pipe(
      z.number().min(100, 'must be at least 100').max(600_000, 'must be at most 600000 (10 minutes)'),
    ),
    RELAY_SHUTDOWN_TIMEOUT_MS: nonNegativeInt(10_000).pipe(z.number().max(600_000, 'must be at most 600000 (10 minutes)')),
    RELAY_AUTH_PROBE_S: nonNegativeInt(60).pipe(z.number().min(1, 'must be at least 1').max(86_400, 'must be at most 86400')),
    RELAY_TRUST_PROXY: z
      .enum(['true', 'false', '1', '0', ''], { error: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true' || value === '1'),
    RELAY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    RELAY_SOURCES_FILE: optionalText,
    RELAY_RETENTION_DAYS: nonNegativeInt(0),
    EMULATOR_PORT: port(4010),
    EMULATOR_SECRET_KEY: z.string().trim().min(1).default('sk_test_sandbox'),
  })
  .superRefine((env, ctx) => {
    // A lease shorter than one upstream call would let a second relay send the same signup meanwhile.
    if (env.RELAY_LEASE_S !== undefined && env.RELAY_LEASE_S * 1000 < env.RELAY_UPSTREAM_TIMEOUT_MS + LEASE_MARGIN_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['RELAY_LEASE_S'],
        message: `must be at least RELAY_UPSTREAM_TIMEOUT_MS + ${LEASE_MARGIN_MS / 1000} s (${(env.RELAY_UPSTREAM_TIMEOUT_MS + LEASE_MARGIN_MS) / 1000})`,
      });
    }
    if (env.VANTIO_API_URL && !env.VANTIO_SECRET_KEY) {
      ctx.addIssue({ code: 'custom', path: ['VANTIO_SECRET_KEY'], message: 'is required when VANTIO_API_URL is set' });
    }
    // The secret key travels in a header: plain http only to this machine (a local emulator).
    if (env.VANTIO_API_URL?.startsWith('http:') && !LOOPBACK.test(new URL(env.VANTIO_API_URL).hostname)) {
      ctx.addIssue({ code: 'custom', path: ['VANTIO_API_URL'], message: 'must be https (http only for localhost)' });
    }
  });

export type RelayEnv = z.infer<typeof ZEnv>;

export interface RelayConfig {
  host: string;
  port: number;
  dbPath: string;
  /** RELAY_DATABASE_URL: PostgreSQL shared by several relays; unset = SQLite at dbPath. */
  databaseUrl: string | undefined;
  /** RELAY_LEASE_S: how long a claimed signup is this relay's; unset = the relay's default. */
  leaseMs: number | undefined;
  /** Unset: sandbox mode (the relay starts the emulator and forwards to it). */
  vantioApiUrl: string | undefined;
  vantioSecretKey: string | undefined;
  allowedOrigins: string[];
  adminToken: string | undefined;
  /** Bearer token for /metrics only (Prometheus); the admin token is accepted too. */
  metricsToken: string | undefined;
  rateLimitPerMinute: number;
  forwardConcurrency: number;
  retryScheduleMs: number[];
  minFillMs: number;
  upstreamTimeoutMs: number;
  shutdownTimeoutMs: number;
  authProbeMs: number;
  trustProxy: boolean;
  logLevel: RelayEnv['RELAY_LOG_LEVEL'];
  sourcesFile: string | undefined;
  retentionDays: number;
  emulatorPort: number;
  emulatorSecretKey: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid relay configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** Parses the environment; throws a ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): RelayConfig {
  // A variable set to nothing (`RELAY_PORT=` in a compose file) means "unset", not 0.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = ZEnv.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
  }
  const e = parsed.data;
  return {
    host: e.RELAY_HOST,
    port: e.RELAY_PORT,
    dbPath: e.RELAY_DB,
    databaseUrl: e.RELAY_DATABASE_URL,
    leaseMs: e.RELAY_LEASE_S === undefined ? undefined : Math.round(e.RELAY_LEASE_S * 1000),
    vantioApiUrl: e.VANTIO_API_URL,
    vantioSecretKey: e.VANTIO_SECRET_KEY,
    allowedOrigins: e.RELAY_ALLOWED_ORIGINS,
    adminToken: e.RELAY_ADMIN_TOKEN,
    metricsToken: e.RELAY_METRICS_TOKEN,
    rateLimitPerMinute: e.RELAY_RATE_LIMIT_PER_MIN,
    forwardConcurrency: e.RELAY_FORWARD_CONCURRENCY,
    retryScheduleMs: e.RELAY_RETRY_SCHEDULE.map((seconds) => Math.round(seconds * 1000)),
    minFillMs: e.RELAY_MIN_FILL_MS,
    upstreamTimeoutMs: e.RELAY_UPSTREAM_TIMEOUT_MS,
    shutdownTimeoutMs: e.RELAY_SHUTDOWN_TIMEOUT_MS,
    authProbeMs: e.RELAY_AUTH_PROBE_S * 1000,
    trustProxy: e.RELAY_TRUST_PROXY,
    logLevel: e.RELAY_LOG_LEVEL,
    sourcesFile: e.RELAY_SOURCES_FILE,
    retentionDays: e.RELAY_RETENTION_DAYS,
    emulatorPort: e.EMULATOR_PORT,
    emulatorSecretKey: e.EMULATOR_SECRET_KEY,
  };
}
