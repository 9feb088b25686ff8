/**
 * Counts create calls for one idempotency key that overlap in time: two relays (or a relay
 * and its stale twin) sending the same signup at once. The proofs assert there are none.
 * Runs first on the referral route, so a call counts from arrival until its answer (or the
 * dropped connection), faults and latency included.
 */
import type { MiddlewareHandler } from 'hono';
import type { EmulatorState } from './state';

export function trackInFlight(state: EmulatorState): MiddlewareHandler {
  return async (c, next) => {
    const key = await idempotencyKeyOf(c.req.text());
    if (key === undefined) return next();
    const inFlight = (state.inFlightByKey.get(key) ?? 0) + 1;
    state.inFlightByKey.set(key, inFlight);
    if (inFlight > 1) state.overlappingCallsByKey.set(key, (state.overlappingCallsByKey.get(key) ?? 0) + 1);
    state.maxInFlightPerKey = Math.max(state.maxInFlightPerKey, inFlight);
    try {
      await next();
    } finally {
      const left = (state.inFlightByKey.get(key) ?? 1) - 1;
      if (left > 0) state.inFlightByKey.set(key, left);
      else state.inFlightByKey.delete(key);
    }
  };
}

async function idempotencyKeyOf(text: Promise<string>): Promise<string | undefined> {
  try {
    const body = JSON.parse(await text) as { idempotency_key?: unknown };
    return typeof body?.idempotency_key === 'string' && body.idempotency_key ? body.idempotency_key : undefined;
  } catch {
    return undefined; // not JSON: the handler answers 400
  }
}
