/**
 * A faithful emulator of Vantio's documented `POST /api/v1/referrals` (see
 * shared/vantio/create-referral.md), plus a test-only control surface under `/__emulator/`.
 * `createEmulatorApp` builds it without listening (tests use `app.request()`);
 * `startEmulator` serves it over real HTTP, which the connection-loss faults need.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { controlRoutes } from './control';
import { EmulatedConnectionLoss, faultInjection } from './faults';
import { jsonError } from './http';
import { mulberry32, randomSeed } from './random';
import { trackInFlight } from './overlaps';
import { createReferralHandler, REFERRALS_PATH, requireBearer } from './referrals';
import { EmulatorState } from './state';

export { EmulatedConnectionLoss, type FaultConfig } from './faults';
export { REFERRALS_PATH } from './referrals';
export { SEEDED_IMPRESSIONS, type EmulatedReferral, type Impression } from './state';

export interface EmulatorOptions {
  /** The only key `Authorization: Bearer …` accepts. */
  secretKey: string;
  /** Clock for `created_at`; default Date.now. */
  now?: () => number;
  /** Seed of the PRNG behind ids, fault shares and jitter; default random. */
  seed?: number;
}

export function createEmulatorApp(options: EmulatorOptions): Hono {
  if (!options.secretKey) throw new Error('createEmulatorApp: secretKey must not be empty');
  const state = new EmulatorState(mulberry32(options.seed ?? randomSeed()), options.now ?? Date.now);

  const app = new Hono();
  // Faults first: they strike before auth, like a flaky network or load balancer would.
  app.post(REFERRALS_PATH, trackInFlight(state), faultInjection(state), requireBearer(options.secretKey), createReferralHandler(state));
  app.route('/__emulator', controlRoutes(state));

  app.notFound((c) => jsonError(c, 404, `No route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    // Not an answer but the absence of one: let app.request() reject like fetch does.
    if (error instanceof EmulatedConnectionLoss) throw error;
    if (error instanceof HTTPException) return jsonError(c, error.status as ContentfulStatusCode, error.message);
    return jsonError(c, 500, 'Internal emulator error');
  });
  return app;
}

export interface RunningEmulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4010`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export function startEmulator(options: EmulatorOptions & { port?: number; host?: string }): Promise<RunningEmulator> {
  const { port = 0, host = '127.0.0.1', ...emulatorOptions } = options;
  const app = createEmulatorApp(emulatorOptions);
  return new Promise((resolve, reject) => {
    // serve() without createServer/http2 options always makes a node:http Server.
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      server.off('error', reject);
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({ url: `http://${urlHost}:${info.port}`, port: info.port, close: () => closeServer(server as Server) });
    });
    server.once('error', reject); // e.g. EADDRINUSE
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive and in-flight connections would otherwise hold close() open.
    server.closeAllConnections();
  });
}
