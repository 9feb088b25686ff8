/**
 * `/v1/admin/webhook-payloads` (behind adminAuth): the verified payloads that could not be
 * mapped. List, inspect, replay with the source's *current* mapping, or discard.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { toFieldIssues, describeFieldIssues, type TFieldIssue } from '@vantio/shared';
import { ApiError } from '../http/errors';
import type { Logger } from '../logger';
import type { PayloadRow, PayloadSummary } from '../store/repos/webhooks';
import type { Store } from '../store/types';
import type { Intake } from './intake';
import { describeOutcome, renderOutcome } from './routes';
import type { WebhookSources } from './sources';

export interface WebhookAdminDeps {
  sources: WebhookSources;
  store: Pick<Store, 'read' | 'transaction'>;
  intake: Intake;
  logger: Logger;
}

/** The list query (strict: unknown parameters are a 400); the OpenAPI document uses it as is. */
export const ZPayloadListQuery = z.strictObject({
  status: z
    .enum(['pending', 'ingested'], { error: 'must be pending or ingested' })
    .optional()
    .describe('pending: waiting for a mapping fix; ingested: replayed into a signup'),
  source: z.string().max(63).optional().describe('Only this source'),
  before: z.string().max(64).optional().describe('`next_before` from the previous page'),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(1)
    .max(200, 'must be at most 200')
    .default(50)
    .describe('Page size (1–200)'),
});

const iso = (ms: number) => new Date(ms).toISOString();

export function toPayloadView(row: PayloadSummary | PayloadRow) {
  return {
    id: row.id,
    source: row.source,
    delivery_id: row.delivery_id,
    status: row.status,
    received_at: iso(row.received_at),
    updated_at: iso(row.updated_at),
    issues: JSON.parse(row.issues) as TFieldIssue[],
    signup_id: row.signup_id,
    ...('body' in row ? { payload: JSON.parse(row.body) as unknown } : {}),
  };
}

export function webhookAdminRoutes({ sources, store, intake, logger }: WebhookAdminDeps) {
  const app = new Hono();
  const find = async (id: string) => {
    const payload = await store.read.webhooks.getPayload(id);
    if (!payload) throw new ApiError(404, 'No kept webhook payload with that id');
    return payload;
  };

  app.get('/', async (c) => {
    const parsed = ZPayloadListQuery.safeParse(c.req.query());
    if (!parsed.success) {
      const issues = toFieldIssues(parsed.error);
      throw new ApiError(400, describeFieldIssues(issues), { issues });
    }
    const rows = await store.read.webhooks.listPayloads(parsed.data);
    return c.json({
      payloads: rows.map(toPayloadView),
      counts: await store.read.webhooks.countPayloads(),
      next_before: rows.length === parsed.data.limit ? rows[rows.length - 1]!.id : null,
    });
  });

  app.get('/:id', async (c) => c.json(toPayloadView(await find(c.req.param('id')))));

  app.post('/:id/replay', async (c) => {
    const payload = await find(c.req.param('id'));
    if (payload.status === 'ingested') {
      throw new ApiError(409, `This payload was already replayed into signup ${payload.signup_id ?? '(erased)'}`);
    }
    const source = sources.get(payload.source);
    if (!source) {
      throw new ApiError(409, `Source "${payload.source}" is no longer configured; add it back to RELAY_SOURCES_FILE to replay`);
    }
    const outcome = await intake.replayPayload(source, payload);
    logger.info({ source: source.name, payload_id: payload.id, ...describeOutcome(outcome) }, 'webhook payload replayed');
    if (outcome.kind === 'ignored') {
      throw new ApiError(
        422,
        `Source "${source.name}" now ignores event type ${outcome.eventType ?? '(none)'}; change its "events" to replay this payload`,
      );
    }
    return renderOutcome(c, outcome, payload.delivery_id);
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await store.transaction((tx) => tx.webhooks.deletePayload(id)))) throw new ApiError(404, 'No kept webhook payload with that id');
    return c.body(null, 204);
  });

  return app;
}
