/**
 * Wires one relay together: store → ingest → forwarder → app. `main.ts` adds the HTTP
 * server and signals; integration tests use this directly with a temp database.
 */
import type { Hono } from 'hono';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { createVantioClient, type VantioClient } from '@vantio/shared';
import { startRetention, type RetentionJob } from './admin/retention';
import type { ErasePayloads } from './admin/people';
import { createApp, type AppConfig } from './app';
import { Forwarder, type AttemptEvent } from './forwarder';
import { createRefusedOrigins } from './http/refused-origins';
import { storeRefusedOrigins } from './store/repos/refused-origins';
import { createIngestor } from './ingest';
import type { Logger } from './logger';
import { createMetrics, type RelayMetrics } from './metrics';
import { openStore } from './store/open';
import type { Store } from './store/types';
import { createWebhooks, type WebhookSources } from './webhooks';
import { pageAdminRoutes, pageRoutes } from './pages';
import { createPictures, pictureRoutes, withPictureUses, type Pictures } from './pictures';

export interface RelayOptions extends AppConfig {
  dbPath: string;
  /** RELAY_DATABASE_URL: a PostgreSQL database shared by several relays (else SQLite at dbPath). */
  databaseUrl?: string | undefined;
  /** How long a claimed outbox row is this relay's (default: the upstream timeout + 20 s, at least 30 s). */
  leaseMs?: number;
  /** How often an idle forwarder looks at the outbox without a wake-up (default 60 s). */
  idleLookMs?: number;
  vantioApiUrl: string;
  vantioSecretKey: string;
  forwardConcurrency: number;
  retryScheduleMs: number[];
  upstreamTimeoutMs: number;
  authProbeMs: number;
  logger: Logger;
  now?: () => number;
  random?: () => number;
  /** Replaces the HTTP client to Vantio (tests of exotic failures). */
  client?: VantioClient;
  extraRoutes?: Hono[];
  onAttempt?: (event: AttemptEvent) => void;
  /** Node process metrics on /metrics (main.ts turns them on; tests start many relays). */
  processMetrics?: boolean;
  /** RELAY_MIN_FREE_DISK_MB in bytes: /readyz fails below it (default 0: not checked). */
  minFreeDiskBytes?: number;
  /** RELAY_RETENTION_DAYS: personal data of signups delivered longer ago is removed; 0 = keep. */
  retentionDays?: number;
  /** How often the retention sweep runs (default hourly). */
  retentionIntervalMs?: number;
  /** Erases stored webhook payloads of an email (DELETE /v1/admin/people/:email). */
  erasePayloads?: ErasePayloads;
  /** Webhook sources: `loadSourcesFile(RELAY_SOURCES_FILE)`, or `compileSources({...})` in tests. */
  webhookSources?: WebhookSources;
  /** RELAY_PICTURES: photo uploads, stored in the database and served at /pictures/:id.webp. */
  pictures?: boolean;
}

export interface Relay {
  app: ReturnType<typeof createApp>;
  store: Store;
  forwarder: Forwarder;
  metrics: RelayMetrics;
  pictures: Pictures | undefined;
  /** Starts delivery (including rows a crash left behind) and the retention sweep. */
  start(): void;
  /** Runs the retention sweep now (it also runs on start and hourly); resolves with rows purged. */
  runRetention(): Promise<number>;
  /** Stops delivery (bounded wait for in-flight calls), then closes the database. */
  stop(timeoutMs: number): Promise<void>;
}

export async function createRelay(options: RelayOptions): Promise<Relay> {
  const now = options.now ?? Date.now;
  const { logger } = options;
  const store = await openStore(options);
  const client = withoutSecretInMessages(
    options.client ??
      createVantioClient({
        baseUrl: options.vantioApiUrl,
        secretKey: options.vantioSecretKey,
        timeoutMs: options.upstreamTimeoutMs,
        now,
      }),
    options.vantioSecretKey,
  );
  // Scrape-time gauges read the forwarder's status; the forwarder reports each attempt back.
  const metrics = createMetrics({
    queue: () => store.read.stats.queue(),
    delivery: () => forwarder.status(),
    now,
    processMetrics: options.processMetrics ?? false,
  });
  const forwarder = new Forwarder({
    store,
    client,
    now,
    concurrency: options.forwardConcurrency,
    retryScheduleMs: options.retryScheduleMs,
    authProbeMs: options.authProbeMs,
    leaseMs: options.leaseMs ?? Math.max(30_000, options.upstreamTimeoutMs + 20_000),
    ...(options.random ? { random: options.random } : {}),
    ...(options.idleLookMs ? { idleLookMs: options.idleLookMs } : {}),
    onAttempt: (event) => {
      const level = event.outcome === 'created' ? 'debug' : 'warn';
      logger[event.stale ? 'warn' : level](
        {
          signup_id: event.signupId,
          outcome: event.outcome,
          status: event.status,
          ms: event.durationMs,
          next: event.next,
          ...(event.stale ? { stale: 'another relay had taken this signup over; only the attempt was recorded' } : {}),
          ...(event.location === undefined ? {} : { location: event.location }),
        },
        'delivery attempt',
      );
      metrics.observeAttempt(event);
      options.onAttempt?.(event);
    },
    onError: (error, context) => logger.error({ err: error, context }, 'forwarder error'),
  });
  const { publicUrl } = options;
  const pictures = options.pictures ? createPictures({ store, now, publicUrl }) : undefined;
  const baseIngestor = metrics.instrument(createIngestor({ store, now, onAccepted: () => forwarder.notify() }));
  const ingestor = pictures ? withPictureUses(baseIngestor, pictures, now) : baseIngestor;
  const webhooks = createWebhooks({ sources: options.webhookSources ?? new Map(), store, ingestor, now, logger });
  const refusedOrigins = createRefusedOrigins({
    store: storeRefusedOrigins(store),
    logger,
    now,
    onRefused: (origin) => metrics.countRefusedOrigin(origin),
  });
  const retentionDays = options.retentionDays ?? 0;
  let retention: RetentionJob | undefined;
  const app = createApp({
    config: options,
    store,
    ingestor,
    delivery: () => forwarder.status(),
    now,
    logger,
    metrics,
    webhooks,
    refusedOrigins,
    admin: {
      control: forwarder,
      backupDir: options.dbPath === ':memory:' ? tmpdir() : dirname(options.dbPath),
      retentionDays,
      erasePayloads: async (email) => {
        const erased = await (options.erasePayloads ?? ((email) => store.transaction((tx) => tx.webhooks.erasePayloadsByEmail(email))))(email);
        // The person's signup rows are gone by now: their pictures have no use left.
        await pictures?.sweep();
        return erased;
      },
    },
    extraRoutes: [
      pageAdminRoutes({ store, now }),
      pageRoutes({
        ingestor,
        store,
        pictures,
        now,
        minFillMs: options.minFillMs,
        rateLimitPerMinute: options.rateLimitPerMinute,
        trustProxy: options.trustProxy,
        publicUrl,
        onBot: metrics.countBot,
      }),
      pictureRoutes(pictures),
      ...(options.extraRoutes ?? []),
    ],
  });
  await forwarder.load();
  let stopped = false;
  return {
    app,
    store,
    forwarder,
    metrics,
    pictures,
    start: () => {
      forwarder.start();
      refusedOrigins.start();
      retention ??= startRetention({
        store,
        purgePayloads: async (cutoff) => {
          const purged = await store.transaction((tx) => tx.webhooks.purgePayloads(cutoff));
          await pictures?.sweep(); // pictures of purged signups, and uploads never used
          return purged;
        },
        days: retentionDays,
        now,
        logger,
        ...(options.retentionIntervalMs ? { intervalMs: options.retentionIntervalMs } : {}),
      });
    },
    runRetention: () => retention?.runNow() ?? Promise.resolve(0),
    async stop(timeoutMs) {
      if (stopped) return;
      stopped = true;
      await Promise.all([forwarder.stop(timeoutMs), retention?.stop(), refusedOrigins.stop()]);
      await store.close();
    },
  };
}

/**
 * Upstream error text becomes `last_error`, the attempt history, and (for a 401) the pause
 * message on the public /readyz. A gateway that echoes the Authorization header back would
 * publish the key there, so the key and anything shaped like a Vantio key is masked.
 */
export function withoutSecretInMessages(client: VantioClient, secretKey: string): VantioClient {
  const mask = (message: string) =>
    (secretKey ? message.replaceAll(secretKey, '[secret key]') : message).replace(/\bsk_(live|test)_[A-Za-z0-9_-]*/g, 'sk_$1_[masked]');
  return {
    async createReferral(body, callOptions) {
      const outcome = await client.createReferral(body, callOptions);
      if (outcome.kind === 'created') return outcome;
      if (outcome.kind === 'misconfigured') {
        return { ...outcome, message: mask(outcome.message), location: outcome.location && mask(outcome.location) };
      }
      return { ...outcome, message: mask(outcome.message) };
    },
  };
}
