/**
 * Fault injection for `POST /api/v1/referrals`: latency, 5xx, 429 with Retry-After,
 * connections dropped before processing, and responses lost after processing.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { jsonError } from './http';
import { chance, uniformInt } from './random';
import type { EmulatorState } from './state';

const rate = z.number().min(0).max(1);
const milliseconds = z.number().int().min(0).max(120_000);

/** `POST /__emulator/faults` body; every field optional, missing ones take their default. */
export const ZFaultConfig = z.strictObject({
  latency_ms: milliseconds.default(0),
  latency_jitter_ms: milliseconds.default(0),
  error_rate: rate.default(0),
  error_status: z.number().int().min(500).max(599).default(503),
  rate_limit_rate: rate.default(0),
  retry_after_s: z.number().int().min(0).max(86_400).default(1),
  drop_rate: rate.default(0),
  lost_response_rate: rate.default(0),
});
export type FaultConfig = z.output<typeof ZFaultConfig>;

export const DEFAULT_FAULTS: FaultConfig = Object.freeze(ZFaultConfig.parse({}));

export type ConnectionLossKind = 'drop' | 'lost_response';

/**
 * Thrown instead of destroying a socket when there is none (in-process `app.request()`):
 * the app's onError rethrows it, so `app.request()` rejects just like `fetch` would.
 */
export class EmulatedConnectionLoss extends Error {
  constructor(readonly kind: ConnectionLossKind) {
    super(
      kind === 'drop'
        ? 'emulated fault: connection dropped before the request was processed'
        : 'emulated fault: request processed, then the connection was dropped without an answer',
    );
    this.name = 'EmulatedConnectionLoss';
  }
}

/**
 * Kills the client's TCP connection. Under @hono/node-server the raw socket is in
 * `c.env.incoming`; RESPONSE_ALREADY_SENT tells the adapter not to write anything.
 */
function abandonConnection(c: Context, kind: ConnectionLossKind): Response {
  // c.env is undefined for app.request() and HttpBindings under serve().
  const socket = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket;
  if (!socket) throw new EmulatedConnectionLoss(kind);
  socket.destroy();
  return RESPONSE_ALREADY_SENT;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs first on the referral route, before auth: a load balancer or a network fails
 * without looking at credentials. Each fault draws from the seeded PRNG in a fixed order.
 */
export function faultInjection(state: EmulatorState): MiddlewareHandler {
  return async (c, next) => {
    state.totalRequests += 1;
    // Snapshot: a config change while this request sleeps does not change its fate.
    const faults = state.faults;

    const delayMs = faults.latency_ms + uniformInt(state.random, faults.latency_jitter_ms);
    if (delayMs > 0) await sleep(delayMs);

    if (chance(state.random, faults.drop_rate)) return abandonConnection(c, 'drop');

    if (chance(state.random, faults.error_rate)) {
      const status = faults.error_status as ContentfulStatusCode;
      return jsonError(c, status, `Emulated fault: HTTP ${status} before processing`);
    }

    if (chance(state.random, faults.rate_limit_rate)) {
      c.header('Retry-After', String(faults.retry_after_s));
      return jsonError(c, 429, `Rate limit exceeded; retry after ${faults.retry_after_s} s`);
    }

    await next();

    // The work is done (a referral may exist now); the client just never hears about it.
    if (chance(state.random, faults.lost_response_rate)) c.res = abandonConnection(c, 'lost_response');
  };
}
