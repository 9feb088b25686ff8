import { Hono } from 'hono';
import type { DeliveryStatus } from '../forwarder';
import { errorBody } from '../http/errors';
import { isStorageUnavailable, LowDiskSpaceError } from '../store/errors';
import type { Store } from '../store/types';

export interface HealthDeps {
  store: Pick<Store, 'probeWritable'>;
  delivery: () => DeliveryStatus;
  /** How long one write probe answers for /readyz (a probe per request would be a write per request). */
  probeCacheMs?: number;
}

const DEFAULT_PROBE_CACHE_MS = 2_000;

/** Why a probe failed, for people; null when it wrote. */
function describeProbeFailure(error: unknown): string {
  if (error instanceof LowDiskSpaceError) return error.message;
  const storage = isStorageUnavailable(error);
  const reasons = { full: 'its disk is full', readonly: 'it is read-only', io: 'it reported an I/O error', busy: 'it stayed locked', closed: 'it is closed', unreachable: 'it cannot be reached' };
  return storage ? reasons[storage.reason] : 'the write probe failed';
}

/**
 * `/healthz`: the process answers (use it for liveness and load balancers).
 * `/readyz`: a real write to the database succeeded (and its disk has room) and delivery is
 * not paused (use it for alerting): a paused relay still accepts and queues signups.
 */
export function healthRoutes({ store, delivery, probeCacheMs = DEFAULT_PROBE_CACHE_MS }: HealthDeps) {
  const app = new Hono();
  // Shared by every /readyz within probeCacheMs, including one still in flight. A monotonic
  // clock on purpose: this paces writes, it is not business time.
  let cached: { at: number; failure: Promise<string | null> } | undefined;
  const probe = () => {
    const at = performance.now();
    if (cached && at - cached.at < probeCacheMs) return cached.failure;
    cached = { at, failure: store.probeWritable().then(() => null, describeProbeFailure) };
    return cached.failure;
  };

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const failure = await probe();
    const status = delivery();
    const database = failure === null ? 'writable' : 'not writable';
    const paused = status.paused && status.reason !== 'held';
    c.header('Cache-Control', 'no-store');
    if (failure !== null || paused) {
      const message = failure !== null ? `The database does not accept writes: ${failure}` : `Delivery is paused: ${status.message}`;
      return c.json({ ...errorBody(503, message), database, delivery: status }, 503);
    }
    return c.json({ status: 'ready', database, delivery: status });
  });
  return app;
}
