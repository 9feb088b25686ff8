/**
 * The admin API, mounted at `/v1/admin` behind `adminAuth` (see docs/admin.md).
 */
import { Hono } from 'hono';
import type { RefusedOrigins } from '../http/refused-origins';
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import { backupRoutes } from './backup';
import { deliveryRoutes, type DeliveryControl } from './delivery';
import { exportRoutes } from './export';
import { heldRoutes } from './held';
import { peopleRoutes, type ErasePayloads } from './people';
import { signupAdminRoutes } from './signups';
import { statsRoutes } from './stats';

/** What the relay hands the admin API (built in relay.ts). */
export interface AdminServices {
  control: DeliveryControl;
  /** Directory for the temporary backup copy (the database's own). */
  backupDir: string;
  retentionDays: number;
  erasePayloads?: ErasePayloads | undefined;
}

export interface AdminRouteDeps extends AdminServices {
  store: Store;
  now: () => number;
  logger: Logger;
  refusedOrigins?: RefusedOrigins | undefined;
}

export function adminRoutes(deps: AdminRouteDeps) {
  const { store, control, now, logger } = deps;
  const app = new Hono();
  app.route('/', signupAdminRoutes({ store, now, notify: () => control.notify() }));
  app.route('/', heldRoutes({ store, now, notify: () => control.notify() }));
  app.route(
    '/',
    statsRoutes({ store, delivery: () => control.status(), now, retentionDays: deps.retentionDays, refusedOrigins: deps.refusedOrigins }),
  );
  app.route('/', exportRoutes({ store, now, logger }));
  app.route('/', peopleRoutes({ store, erasePayloads: deps.erasePayloads }));
  app.route('/', backupRoutes({ store, backupDir: deps.backupDir, now }));
  app.route('/', deliveryRoutes({ control }));
  return app;
}
