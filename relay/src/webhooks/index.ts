/**
 * Webhook sources, wired: the store, the intake pipeline and the two route sets
 * (`/v1/webhooks/:source` for senders, `/v1/admin/webhook-payloads` for admins), plus the
 * poster links (`/go/:slug`) that bring Google Forms respondents in with their impression.
 */
import type { Ingestor } from '../ingest';
import type { Logger } from '../logger';
import type { SqliteStore } from '../store/sqlite-store';
import { WebhookStore } from '../store/webhook-store';
import { webhookAdminRoutes } from './admin-routes';
import { createIntake } from './intake';
import { sqliteLinkRepository } from './link-store';
import { linkAdminRoutes, linkOriginRoutes, linkRoutes } from './links';
import { webhookRoutes } from './routes';
import type { WebhookSources } from './sources';

export { compileSources, describeSources, loadSourcesFile, type SourcesFile, type WebhookSources } from './sources';

export interface WebhooksDeps {
  sources: WebhookSources;
  store: SqliteStore;
  ingestor: Ingestor;
  now: () => number;
  logger: Logger;
}

export function createWebhooks({ sources, store, ingestor, now, logger }: WebhooksDeps) {
  const webhookStore = new WebhookStore(store);
  const intake = createIntake({ sources, webhookStore, store, ingestor, now });
  const links = sqliteLinkRepository(store);
  return {
    webhookStore,
    /** Mount at `/v1/webhooks`. */
    routes: webhookRoutes({ sources, intake, now, logger }),
    /** Mount at `/v1/admin/webhook-payloads`, behind adminAuth. */
    adminRoutes: webhookAdminRoutes({ sources, webhookStore, intake, logger }),
    /** Poster links: `/go` (public), `/v1/admin/links` and `/v1/admin/link-origins` (admin). */
    links: {
      routes: linkRoutes({ links, now, logger }),
      adminRoutes: linkAdminRoutes({ links, now, logger }),
      originRoutes: linkOriginRoutes({ links, now, logger }),
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
