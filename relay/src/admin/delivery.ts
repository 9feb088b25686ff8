/**
 * Pause and resume all delivery (an upstream incident). Signups keep being accepted and
 * queued; `/readyz` reports the pause; the flag survives restarts.
 */
import { Hono } from 'hono';
import type { DeliveryStatus } from '../forwarder';

export interface DeliveryControl {
  status(): DeliveryStatus;
  setAdminPaused(paused: boolean): Promise<void>;
  /** Delivers whatever is due now (after a retry or replay). */
  notify(): void;
}

export function deliveryRoutes({ control }: { control: DeliveryControl }) {
  const app = new Hono();
  app.get('/delivery', (c) => c.json({ delivery: control.status() }));
  app.post('/delivery/pause', async (c) => {
    await control.setAdminPaused(true);
    return c.json({ delivery: control.status() });
  });
  app.post('/delivery/resume', async (c) => {
    await control.setAdminPaused(false);
    return c.json({ delivery: control.status() });
  });
  return app;
}
