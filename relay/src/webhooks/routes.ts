/**
 * `POST /v1/webhooks/:source`: unknown source → 404, then content type and size (415/413),
 * then the signature over the raw body (401), and only then is the JSON trusted.
 * 202 once the signup is on disk; replays, duplicates and ignored events are 200.
 */
import { Hono, type Context } from 'hono';
import type { TFieldIssue } from '@vantio/shared';
import { ApiError, errorBody } from '../http/errors';
import { jsonBody, type JsonBodyVariables } from '../http/json-body';
import { toReceipt } from '../ingest';
import type { Logger } from '../logger';
import type { Intake, IntakeOutcome } from './intake';
import type { WebhookSource, WebhookSources } from './sources';

/** Typeform sends the whole form definition with every answer; 256 KB leaves room. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;
export const SIGNATURE_REJECTED = 'The webhook signature is missing, invalid or expired';

export interface WebhookRouteDeps {
  sources: WebhookSources;
  intake: Intake;
  now: () => number;
  logger: Logger;
}

type WebhookEnv = { Variables: JsonBodyVariables & { webhookSource: WebhookSource } };

export function webhookRoutes({ sources, intake, now, logger }: WebhookRouteDeps) {
  const app = new Hono<WebhookEnv>();

  app.post(
    '/:source',
    async (c, next) => {
      const source = sources.get(c.req.param('source'));
      if (!source) throw new ApiError(404, 'No webhook source with that name is configured');
      c.set('webhookSource', source);
      await next();
    },
    jsonBody(WEBHOOK_BODY_LIMIT),
    async (c) => {
      const source = c.get('webhookSource');
      const raw = c.get('rawBody');
      const verification = source.verify({ header: (name) => c.req.header(name), body: raw, now: now() });
      if (!verification.ok) {
        // The reason helps the operator; the sender (or an attacker) learns nothing from it.
        logger.warn({ source: source.name, reason: verification.reason }, 'webhook signature rejected');
        throw new ApiError(401, SIGNATURE_REJECTED);
      }
      const body = c.get('jsonBody');
      const deliveryId = intake.deliveryId(source, verification.deliveryId, raw, body);
      const outcome = await intake.receive(source, deliveryId, raw, body);
      logger.info({ source: source.name, delivery_id: deliveryId, ...describeOutcome(outcome) }, 'webhook');
      return renderOutcome(c, outcome, deliveryId);
    },
  );

  app.all('/:source', () => {
    throw new ApiError(405, 'Use POST to deliver a webhook', { headers: { Allow: 'POST' } });
  });

  return app;
}

/** Log fields for an outcome: ids, kinds and field names, never values. */
export function describeOutcome(outcome: IntakeOutcome) {
  switch (outcome.kind) {
    case 'ingested':
      return { outcome: outcome.result.kind, signup_id: outcome.result.signup.id };
    case 'replayed':
      return { outcome: 'replayed', first_outcome: outcome.delivery.outcome };
    case 'ignored':
      return { outcome: 'ignored', event_type: outcome.eventType };
    case 'unmappable':
      return { outcome: 'unmappable', payload_id: outcome.payloadId, fields: outcome.issues.map((issue) => issue.path) };
  }
}

export function unmappableMessage(issues: TFieldIssue[], payloadId: string | null): string {
  const parts = issues.slice(0, 3).map((issue) => `${issue.path} ${issue.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  const kept = payloadId ? ` The payload is kept as ${payloadId}: fix the mapping, then replay it.` : '';
  return `The webhook was verified but could not be mapped to a signup: ${parts.join('; ')}${more}.${kept}`;
}

export function renderOutcome(c: Context, outcome: IntakeOutcome, deliveryId: string) {
  switch (outcome.kind) {
    case 'ingested': {
      const { result } = outcome;
      if (result.kind === 'created') return c.json({ status: 'accepted', ...toReceipt(result.signup) }, 202);
      // Another delivery or the widget already brought this person for this impression.
      return c.json({ status: 'duplicate', ...toReceipt(result.signup, true) }, 200);
    }
    case 'replayed': {
      const { delivery, signup, payload } = outcome;
      c.header('Idempotent-Replayed', 'true');
      return c.json(
        {
          status: 'replayed',
          delivery_id: deliveryId,
          first_outcome: delivery.outcome,
          ...(signup ? toReceipt(signup) : delivery.signup_id ? { id: delivery.signup_id } : {}),
          ...(delivery.payload_id ? { payload_id: delivery.payload_id, payload_status: payload?.status ?? 'deleted' } : {}),
        },
        200,
      );
    }
    case 'ignored':
      return c.json(
        {
          status: 'ignored',
          event_type: outcome.eventType ?? null,
          message: 'This event type does not create signups for this source; acknowledged and ignored',
        },
        200,
      );
    case 'unmappable':
      return c.json(
        {
          ...errorBody(422, unmappableMessage(outcome.issues, outcome.payloadId), outcome.issues),
          ...(outcome.payloadId ? { payload_id: outcome.payloadId } : {}),
        },
        422,
      );
  }
}
