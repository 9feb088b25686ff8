/**
 * Webhook sources, wired: the store, the intake pipeline and the two route sets
 * (`/v1/webhooks/:source` for senders, `/v1/admin/webhook-payloads` for admins), plus the
 * poster links (`/go/:slug`) that bring Google Forms respondents in with their impression.
 */
import type { Ingestor } from '../ingest';
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import { webhookAdminRoutes } from './admin-routes';
import { createIntake } from './intake';
import { linkAdminRoutes, linkOriginRoutes, linkRoutes } from './links';
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
    /** Poster links: `/go` (public), `/v1/admin/links` and `/v1/admin/link-origins` (admin). */
    links: {
      routes: linkRoutes({ store, now, logger }),
      adminRoutes: linkAdminRoutes({ store, now, logger }),
      originRoutes: linkOriginRoutes({ store, now, logger }),
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
