/**
 * Prometheus metrics (prom-client). Each relay has its own Registry — never the global
 * one — so tests can run many relays in one process. Counters are fed by hooks (ingest
 * results, bots, delivery attempts); queue and pause figures are read at scrape time.
 */
import { Hono } from 'hono';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptEvent, DeliveryStatus } from './forwarder';
import { bearerAuth } from './http/admin-auth';
import type { Ingestor } from './ingest';
import type { QueueSnapshot } from './store/repos/stats';
import type { AcceptResult } from './store/types';

const PREFIX = 'vantio_relay_';

export interface MetricsOptions {
  queue: () => Promise<QueueSnapshot>;
  delivery: () => DeliveryStatus;
  now: () => number;
  /** Node process metrics (CPU, memory, event loop); off in tests, which start many relays. */
  processMetrics?: boolean;
}

export interface RelayMetrics {
  readonly registry: Registry;
  /** Wraps an ingestor so every result (new, duplicate, replay, key conflict) is counted by source. */
  instrument(ingestor: Ingestor): Ingestor;
  countBot(): void;
  /** A request refused by the CORS allowlist; the first few origins get their own label. */
  countRefusedOrigin(origin: string): void;
  observeAttempt(event: AttemptEvent): void;
}

/** Distinct `origin` label values on the refused-origin counter; later ones are counted as "other". */
export const REFUSED_ORIGIN_LABELS = 20;

export function createMetrics({ queue, delivery, now, processMetrics = false }: MetricsOptions): RelayMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (processMetrics) collectDefaultMetrics({ register: registry });

  const accepted = new Counter({
    name: `${PREFIX}signups_accepted_total`,
    help: 'New signups stored durably (each becomes one referral), by source',
    labelNames: ['source'] as const,
    registers,
  });
  const duplicates = new Counter({
    name: `${PREFIX}signups_duplicate_total`,
    help: 'Signups answered with an existing record: same person and impression, or a replayed idempotency key',
    labelNames: ['source', 'kind'] as const,
    registers,
  });
  const keyConflicts = new Counter({
    name: `${PREFIX}signups_key_conflict_total`,
    help: 'Idempotency keys reused with a different body (answered 422)',
    labelNames: ['source'] as const,
    registers,
  });
  const bots = new Counter({
    name: `${PREFIX}bots_total`,
    help: 'Widget submissions held as suspected bots (honeypot, or too fast when RELAY_MIN_FILL_MS is set): answered as accepted, stored held, never forwarded on their own',
    registers,
  });
  // Origins are chosen by whoever sends the request: a fixed number of label values keeps the
  // series count bounded; the admin stats list every refused origin by name.
  const refusedOrigins = new Counter({
    name: `${PREFIX}refused_origin_requests_total`,
    help: `Signup requests refused because their Origin is not in RELAY_ALLOWED_ORIGINS, by origin (the first ${REFUSED_ORIGIN_LABELS} seen; the rest as "other")`,
    labelNames: ['origin'] as const,
    registers,
  });
  const labelledOrigins = new Set<string>();
  const attempts = new Counter({
    name: `${PREFIX}delivery_attempts_total`,
    help: 'Calls to Vantio create-referral, by outcome (created, rejected, unauthorized, retryable)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const finished = new Counter({
    name: `${PREFIX}deliveries_finished_total`,
    help: 'Signups that left the queue, by final state (delivered, rejected, dead)',
    labelNames: ['state'] as const,
    registers,
  });
  const upstreamSeconds = new Histogram({
    name: `${PREFIX}upstream_request_duration_seconds`,
    help: 'Duration of each call to Vantio create-referral, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const deliverySeconds = new Histogram({
    name: `${PREFIX}delivery_latency_seconds`,
    help: 'Time from acceptance to delivery at Vantio, for delivered signups',
    buckets: [0.1, 0.5, 1, 5, 30, 60, 300, 1800, 3600, 21600, 86400],
    registers,
  });
  new Gauge({
    name: `${PREFIX}queue_depth`,
    help: 'Signups accepted and not yet delivered, rejected or dead',
    registers,
    async collect() {
      this.set((await queue()).depth);
    },
  });
  new Gauge({
    name: `${PREFIX}queue_oldest_age_seconds`,
    help: 'Age of the oldest queued signup (0 when the queue is empty)',
    registers,
    async collect() {
      const oldest = (await queue()).oldestCreatedAt;
      this.set(oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000));
    },
  });
  new Gauge({
    name: `${PREFIX}delivery_paused`,
    help: '1 while delivery is paused (bad Vantio key, an admin pause, or concurrency 0), else 0',
    labelNames: ['reason'] as const,
    registers,
    collect() {
      const status = delivery();
      this.reset();
      this.set({ reason: status.reason ?? 'none' }, status.paused ? 1 : 0);
    },
  });
  new Gauge({
    name: `${PREFIX}delivery_in_flight`,
    help: 'Calls to Vantio in flight right now',
    registers,
    collect() {
      this.set(delivery().inFlight);
    },
  });

  // Known label values start at 0, so rate() and alerts work before the first event.
  for (const outcome of ['created', 'rejected', 'unauthorized', 'misconfigured', 'mismatched', 'retryable']) {
    attempts.inc({ outcome }, 0);
    upstreamSeconds.zero({ outcome });
  }
  for (const state of ['delivered', 'rejected', 'dead']) finished.inc({ state }, 0);
  for (const source of ['widget', 'api']) accepted.inc({ source }, 0);

  const count = (source: string, result: AcceptResult['kind']) => {
    switch (result) {
      case 'created':
        return accepted.inc({ source });
      case 'duplicate':
        return duplicates.inc({ source, kind: 'same_person' });
      case 'replayed':
        return duplicates.inc({ source, kind: 'replayed_key' });
      case 'key_conflict':
        return keyConflicts.inc({ source });
    }
  };

  return {
    registry,
    instrument: (ingestor) => ({
      async ingest(request, also) {
        const result = await ingestor.ingest(request, also);
        // A held signup is a suspected bot (countBot counts it), not an accepted one.
        if (result.kind !== 'created' || result.signup.state !== 'held') count(request.source, result.kind);
        return result;
      },
    }),
    countBot: () => bots.inc(),
    countRefusedOrigin(origin) {
      if (!labelledOrigins.has(origin) && labelledOrigins.size < REFUSED_ORIGIN_LABELS) labelledOrigins.add(origin);
      refusedOrigins.inc({ origin: labelledOrigins.has(origin) ? origin : 'other' });
    },
    observeAttempt(event) {
      attempts.inc({ outcome: event.outcome });
      upstreamSeconds.observe({ outcome: event.outcome }, event.durationMs / 1000);
      if (event.next !== 'queued') finished.inc({ state: event.next });
      if (event.latencyMs !== undefined) deliverySeconds.observe(event.latencyMs / 1000);
    },
  };
}

export interface MetricsRouteOptions {
  metrics: RelayMetrics;
  /** A scrape-only token (RELAY_METRICS_TOKEN); the admin token is accepted too. */
  metricsToken: string | undefined;
  adminToken: string | undefined;
}

/**
 * `GET /metrics`, behind a bearer token: the figures carry no PII, but they do reveal
 * signup volume. Prometheus sends it with `authorization: { credentials: … }`.
 */
export function metricsRoutes({ metrics, metricsToken, adminToken }: MetricsRouteOptions) {
  const app = new Hono();
  const auth = bearerAuth({
    tokens: [metricsToken, adminToken],
    disabledMessage: '/metrics is disabled: set RELAY_METRICS_TOKEN (or RELAY_ADMIN_TOKEN) to enable it',
    tokenName: 'token (RELAY_METRICS_TOKEN or RELAY_ADMIN_TOKEN)',
    realm: 'vantio-relay metrics',
  });
  app.get('/metrics', auth, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  });
  return app;
}
