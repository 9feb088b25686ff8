/**
 * Builds the relay's Hono app without listening: tests call `app.request()`, `main.ts`
 * serves it. Everything stateful (store, clock, delivery) is injected.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { HttpBindings } from '@hono/node-server';
import { adminRoutes, type AdminServices } from './admin/routes';
import type { DeliveryStatus } from './forwarder';
import { adminAuth } from './http/admin-auth';
import { clientIp } from './http/client-ip';
import { corsAllowlist } from './http/cors';
import { createErrorHandler, errorResponse } from './http/errors';
import { createOriginCheck } from './http/origins';
import { rateLimit } from './http/rate-limit';
import type { RefusedOrigins } from './http/refused-origins';
import { adminResponseHeaders, htmlBaseline } from './http/security-headers';
import type { Ingestor } from './ingest';
import type { Logger } from './logger';
import { metricsRoutes, type RelayMetrics } from './metrics';
import { openApiRoutes } from './openapi/routes';
import { dashboardRoutes } from './dashboard-routes';
import { healthRoutes } from './routes/health';
import { signupRoutes } from './routes/signups';
import type { Store } from './store/types';
import type { Webhooks } from './webhooks';

export interface AppConfig {
  allowedOrigins: string[];
  adminToken: string | undefined;
  rateLimitPerMinute: number;
  minFillMs: number;
  trustProxy: boolean;
  /** RELAY_PUBLIC_URL: the relay's own origin for CORS; never taken from the Host header. */
  publicUrl?: string | undefined;
  /** A scrape-only bearer token for /metrics (the admin token works too). */
  metricsToken?: string | undefined;
}

export interface AppDeps {
  config: AppConfig;
  store: Store;
  ingestor: Ingestor;
  delivery: () => DeliveryStatus;
  now: () => number;
  logger: Logger;
  metrics?: RelayMetrics;
  /** The admin API's stores and delivery control (see admin/routes.ts). */
  admin: AdminServices;
  /** Webhook sources: `/v1/webhooks/:source` and `/v1/admin/webhook-payloads` (webhooks/index.ts). */
  webhooks?: Pick<Webhooks, 'routes' | 'adminRoutes'> & Partial<Pick<Webhooks, 'links'>>;
  /** Counts requests from origins off the allowlist, for the operator (http/refused-origins.ts). */
  refusedOrigins?: RefusedOrigins;
  /** Extra routes mounted at the root (widget bundles, demo page). */
  extraRoutes?: Hono[];
}

export type AppEnv = { Bindings: Partial<HttpBindings> };

export function createApp(deps: AppDeps) {
  const { config, store, ingestor, now, logger } = deps;
  const app = new Hono<AppEnv>();

  app.onError(
    createErrorHandler((error, c, storage) =>
      storage
        ? logger.error({ err: error, reason: storage.reason, route: c.req.routePath, request_id: c.get('requestId') }, 'storage unavailable')
        : logger.error({ err: error, route: c.req.routePath, request_id: c.get('requestId') }, 'unhandled error'),
    ),
  );
  app.notFound((c) => errorResponse(c, 404, `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));

  app.use(requestId());
  app.use(htmlBaseline());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // The route pattern, never the path: paths can carry emails (DELETE /people/:email).
    logger.info(
      {
        request_id: c.get('requestId'),
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  });

  // Public API: an origin allowlist (403 for others, before anything is read), CORS, rate limit.
  app.use(
    '/v1/signups',
    corsAllowlist({
      isAllowed: createOriginCheck(config.allowedOrigins, config.publicUrl),
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Idempotency-Key'],
      exposeHeaders: ['Retry-After', 'Idempotent-Replayed'],
      maxAgeSeconds: 600,
      onRefused: (origin) => deps.refusedOrigins?.record(origin),
    }),
  );
  app.use(
    '/v1/signups',
    rateLimit({ perMinute: config.rateLimitPerMinute, now, key: (c) => clientIp(c, config.trustProxy) }),
  );
  // Photo uploads (routes in pictures/, mounted when RELAY_PICTURES is on): the same allowlist and limit.
  app.use(
    '/v1/pictures',
    corsAllowlist({
      isAllowed: createOriginCheck(config.allowedOrigins, config.publicUrl),
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['Content-Type'],
      exposeHeaders: ['Retry-After'],
      maxAgeSeconds: 600,
    }),
  );
  app.use(
    '/v1/pictures',
    rateLimit({ perMinute: config.rateLimitPerMinute, now, key: (c) => clientIp(c, config.trustProxy) }),
  );
  app.route(
    '/v1/signups',
    signupRoutes({ ingestor, store, now, minFillMs: config.minFillMs, onBot: deps.metrics?.countBot }),
  );

  // Senders authenticate by signature, not origin: no CORS, no per-IP limit (one sender, many events).
  if (deps.webhooks) app.route('/v1/webhooks', deps.webhooks.routes);
  // Poster QR codes → the form with the impression prefilled (webhooks/links.ts). A redirect to
  // a saved, re-checked target: no CORS, and no per-IP limit (a lecture hall shares one IP).
  if (deps.webhooks?.links) app.route('/go', deps.webhooks.links.routes);

  app.route('/', healthRoutes({ store, delivery: deps.delivery }));
  if (deps.metrics) {
    app.route('/', metricsRoutes({ metrics: deps.metrics, metricsToken: config.metricsToken, adminToken: config.adminToken }));
  }

  app.route('/', openApiRoutes());
  app.route('/', dashboardRoutes());

  app.use('/v1/admin/*', adminResponseHeaders());
  app.use('/v1/admin/*', adminAuth(config.adminToken));
  if (deps.webhooks) app.route('/v1/admin/webhook-payloads', deps.webhooks.adminRoutes);
  if (deps.webhooks?.links) {
    app.route('/v1/admin/links', deps.webhooks.links.adminRoutes);
    app.route('/v1/admin/link-origins', deps.webhooks.links.originRoutes);
  }
  app.route('/v1/admin', adminRoutes({ ...deps.admin, store, now, logger, refusedOrigins: deps.refusedOrigins }));

  for (const routes of deps.extraRoutes ?? []) app.route('/', routes);
  return app;
}
