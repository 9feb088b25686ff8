import { Hono } from 'hono';
import type { DeliveryStatus } from '../forwarder';
import { errorBody } from '../http/errors';
import type { Store } from '../store/types';

export interface HealthDeps {
  store: Pick<Store, 'probeWritable'>;
  delivery: () => DeliveryStatus;
}

/**
 * `/healthz`: the process answers (use it for liveness and load balancers).
 * `/readyz`: the database takes writes and delivery is not paused (use it for alerting):
 * a paused relay still accepts and queues signups.
 */
export function healthRoutes({ store, delivery }: HealthDeps) {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const status = delivery();
    let database = 'writable';
    try {
      await store.probeWritable();
    } catch {
      database = 'not writable';
    }
    const paused = status.paused && status.reason !== 'held';
    if (database !== 'writable' || paused) {
      const message = database !== 'writable' ? 'The database does not accept writes' : `Delivery is paused: ${status.message}`;
      return c.json({ ...errorBody(503, message), database, delivery: status }, 503);
    }
    return c.json({ status: 'ready', database, delivery: status });
  });
  return app;
}
