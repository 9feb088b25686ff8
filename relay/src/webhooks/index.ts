/**
 * Webhook sources, wired: the store, the intake pipeline and the two route sets
 * (`/v1/webhooks/:source` for senders, `/v1/admin/webhook-payloads` for admins).
 */
import type { Ingestor } from '../ingest';
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import { webhookAdminRoutes } from './admin-routes';
import { createIntake } from './intake';
import { webhookRoutes } from './routes';
import type { WebhookSources } from './sources';

export { compileSources, describeSources, loadSourcesFile, type SourcesFile, type WebhookSources } from './sources';

export interface WebhooksDeps {
  sources: WebhookSources;
  store: Store;
  ingestor: Ingestor;
  now: () => number;
  logger: Logger;
}

export function createWebhooks({ sources, store, ingestor, now, logger }: WebhooksDeps) {
  const intake = createIntake({ sources, store, ingestor, now });
  return {
    /** Mount at `/v1/webhooks`. */
    routes: webhookRoutes({ sources, intake, now, logger }),
    /** Mount at `/v1/admin/webhook-payloads`, behind adminAuth. */
    adminRoutes: webhookAdminRoutes({ sources, store, intake, logger }),
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
