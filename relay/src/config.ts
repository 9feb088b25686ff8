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
const millis = (fallback: number, min: number, max: number) =>
  nonNegativeInt(fallback).pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
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
    RELAY_PUBLIC_URL: optionalText.pipe(
      z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://relay.club.example.edu' })
        .transform((url) => url.replace(/\/$/, ''))
        .refine((url) => /^https?:\/\/[^/?#@]+$/i.test(url), 'must be an origin (scheme, host, port): no path, query or user')
        // One spelling: lower case, no default port, as browsers send Origin.
        .transform((url) => new URL(url).origin)
        .optional(),
    ),
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
    RELAY_MIN_FILL_MS: nonNegativeInt(0),
    RELAY_UPSTREAM_TIMEOUT_MS: nonNegativeInt(10_000).pipe(
      z.number().min(100, 'must be at least 100').max(600_000, 'must be at most 600000 (10 minutes)'),
    ),
    RELAY_SHUTDOWN_TIMEOUT_MS: nonNegativeInt(10_000).pipe(z.number().max(600_000, 'must be at most 600000 (10 minutes)')),
    RELAY_AUTH_PROBE_S: nonNegativeInt(60).pipe(z.number().min(1, 'must be at least 1').max(86_400, 'must be at most 86400')),
    RELAY_HEADERS_TIMEOUT_MS: millis(20_000, 100, 600_000),
    RELAY_REQUEST_TIMEOUT_MS: millis(30_000, 100, 600_000),
    RELAY_KEEP_ALIVE_TIMEOUT_MS: millis(5_000, 100, 600_000),
    RELAY_IDLE_TIMEOUT_MS: millis(10_000, 100, 600_000),
    RELAY_MAX_CONNECTIONS: nonNegativeInt(4_096).pipe(z.number().min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000')),
    RELAY_MIN_FREE_DISK_MB: nonNegativeInt(16).pipe(z.number().max(1_000_000, 'must be at most 1000000')),
    RELAY_TRUST_PROXY: z
      .enum(['true', 'false', '1', '0', ''], { error: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true' || value === '1'),
    RELAY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    RELAY_SOURCES_FILE: optionalText,
    RELAY_RETENTION_DAYS: nonNegativeInt(0),
    RELAY_PICTURES: z
      .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
      .optional()
      .transform((value) => (value === undefined ? undefined : value === 'true' || value === '1')),
    RELAY_ALERT_WEBHOOK_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
    RELAY_ALERT_EMAIL: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((address) => address.trim()).filter(Boolean))
      .pipe(z.array(z.email({ error: (issue) => `"${String(issue.input)}" is not an email address` }))),
    RELAY_ALERT_EMAIL_FROM: optionalText.pipe(z.email({ error: 'must be an email address' }).optional()),
    RELAY_SMTP_URL: optionalText.pipe(
      z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.edu' }).optional(),
    ),
    RELAY_ALERT_QUEUE_AGE_S: nonNegativeInt(3600).pipe(z.number().min(60, 'must be at least 60')),
    EMULATOR_PORT: port(4010),
    EMULATOR_SECRET_KEY: z.string().trim().min(1).default('sk_test_sandbox'),
  })
  .superRefine((env, ctx) => {
    if (env.RELAY_ALERT_EMAIL.length > 0 && !env.RELAY_SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_SMTP_URL'], message: 'is required when RELAY_ALERT_EMAIL is set' });
    }
    // Slack and Discord put the webhook's secret in its URL: plain http only to this machine.
    if (env.RELAY_ALERT_WEBHOOK_URL?.startsWith('http:') && !LOOPBACK.test(new URL(env.RELAY_ALERT_WEBHOOK_URL).hostname)) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_ALERT_WEBHOOK_URL'], message: 'must be https (http only for localhost)' });
    }
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
    // Pictures are forwarded to Vantio as URLs under RELAY_PUBLIC_URL: without it they'd point
    // nowhere. Sandbox mode learns its own URL when it starts listening.
    if (env.RELAY_PICTURES && env.VANTIO_API_URL && !env.RELAY_PUBLIC_URL) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_PUBLIC_URL'], message: 'is required when RELAY_PICTURES is on' });
    }
    if (env.RELAY_PUBLIC_URL?.startsWith('http:') && env.VANTIO_API_URL && !LOOPBACK.test(new URL(env.RELAY_PUBLIC_URL).hostname)) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_PUBLIC_URL'], message: 'must be https (http only for localhost)' });
    }
    if (env.RELAY_HEADERS_TIMEOUT_MS > env.RELAY_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_HEADERS_TIMEOUT_MS'], message: 'must not be longer than RELAY_REQUEST_TIMEOUT_MS' });
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
  /**
   * RELAY_PUBLIC_URL: the relay's public origin, e.g. `https://relay.club.example.edu`. The only
   * source of its own origin (CORS) and of every absolute URL it writes; never the Host header.
   */
  publicUrl: string | undefined;
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
  /** The HTTP server's limits (see docs/operations.md). */
  server: ServerLimits;
  /** /readyz fails when the database's file system has less free space than this. */
  minFreeDiskBytes: number;
  trustProxy: boolean;
  logLevel: RelayEnv['RELAY_LOG_LEVEL'];
  sourcesFile: string | undefined;
  retentionDays: number;
  /** Photo uploads (RELAY_PICTURES): on by default in sandbox mode, off otherwise. */
  pictures: boolean;
  alertWebhookUrl: string | undefined;
  alertEmails: string[];
  alertEmailFrom: string | undefined;
  /** Holds a password: never printed or logged. */
  smtpUrl: string | undefined;
  /** Alert when the oldest queued signup waited longer than this. */
  alertQueueAgeS: number;
  emulatorPort: number;
  emulatorSecretKey: string;
}

export interface ServerLimits {
  /** A request's headers must arrive within this (Node closes with 408). */
  headersTimeoutMs: number;
  /** A whole request, body included, must arrive within this (408). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A new connection must have sent its first request's headers within this, or is closed. */
  idleTimeoutMs: number;
  /** Open connections at most; one more gets a 503 and is closed. */
  maxConnections: number;
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
    publicUrl: e.RELAY_PUBLIC_URL,
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
    server: {
      headersTimeoutMs: e.RELAY_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.RELAY_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.RELAY_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: e.RELAY_IDLE_TIMEOUT_MS,
      maxConnections: e.RELAY_MAX_CONNECTIONS,
    },
    minFreeDiskBytes: e.RELAY_MIN_FREE_DISK_MB * 1024 * 1024,
    trustProxy: e.RELAY_TRUST_PROXY,
    logLevel: e.RELAY_LOG_LEVEL,
    sourcesFile: e.RELAY_SOURCES_FILE,
    retentionDays: e.RELAY_RETENTION_DAYS,
    pictures: e.RELAY_PICTURES ?? e.VANTIO_API_URL === undefined,
    alertWebhookUrl: e.RELAY_ALERT_WEBHOOK_URL,
    alertEmails: e.RELAY_ALERT_EMAIL,
    alertEmailFrom: e.RELAY_ALERT_EMAIL_FROM,
    smtpUrl: e.RELAY_SMTP_URL,
    alertQueueAgeS: e.RELAY_ALERT_QUEUE_AGE_S,
    emulatorPort: e.EMULATOR_PORT,
    emulatorSecretKey: e.EMULATOR_SECRET_KEY,
  };
}
