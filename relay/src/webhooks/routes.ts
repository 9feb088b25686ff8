/**
 * `POST /v1/webhooks/:source`: unknown source → 404, then content type and size (415/413),
 * then the signature over the raw body (401), and only then is the JSON trusted.
 * 202 once the signup is on disk; replays, duplicates and ignored events are 200.
 */
import { Hono, type Context } from 'hono';
import type { TFieldIssue } from '@vantio/shared';
import { ApiError, errorBody } from '../http/errors';
import { toReceipt } from '../ingest';
import type { Logger } from '../logger';
import { webhookBody, type WebhookBodyVariables } from './body';
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

type WebhookEnv = { Variables: WebhookBodyVariables & { webhookSource: WebhookSource } };

export function webhookRoutes({ sources, intake, now, logger }: WebhookRouteDeps) {
  const app = new Hono<WebhookEnv>();

  const findSource = (c: Context) => {
    const source = sources.get(c.req.param('source') ?? '');
    if (!source) throw new ApiError(404, 'No webhook source with that name is configured');
    return source;
  };
  const verify = (c: Context, source: WebhookSource, body: Uint8Array) => {
    const verification = source.verify({
      header: (name) => c.req.header(name),
      query: (name) => c.req.query(name),
      body,
      now: now(),
    });
    if (!verification.ok) {
      // The reason helps the operator; the sender (or an attacker) learns nothing from it.
      logger.warn({ source: source.name, reason: verification.reason }, 'webhook signature rejected');
      throw new ApiError(401, SIGNATURE_REJECTED);
    }
    return verification;
  };

  app.post(
    '/:source',
    async (c, next) => {
      c.set('webhookSource', findSource(c));
      await next();
    },
    webhookBody(WEBHOOK_BODY_LIMIT, (c) => c.get('webhookSource')),
    async (c) => {
      const source = c.get('webhookSource');
      const raw = c.get('rawBody');
      const verification = verify(c, source, raw);
      const body = c.get('parsedBody');
      const deliveryId = intake.deliveryId(source, verification.deliveryId, raw, body);
      const outcome = await intake.receive(source, deliveryId, body, c.get('keptBody'));
      logger.info({ source: source.name, delivery_id: deliveryId, ...describeOutcome(outcome) }, 'webhook');
      return renderOutcome(c, outcome, deliveryId, source.blocking);
    },
  );

  // Mailchimp checks a webhook URL with a GET before saving it; the token must match here too,
  // so a wrong URL fails in Mailchimp's screen, not silently later. Nothing is stored.
  app.get('/:source', (c, next) => {
    const source = findSource(c);
    if (!source.urlCheck) return next();
    verify(c, source, new Uint8Array());
    return c.json({ status: 'ok', message: 'This webhook URL is ready; deliveries are POSTed here' }, 200);
  });

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

/**
 * `blocking`: the sender (a Supabase auth hook) treats anything but 200 as "refuse this
 * user", so an accepted or unmappable delivery is answered 200, with no `error` key; the
 * unmappable payload is still kept and listed for the admin.
 */
export function renderOutcome(c: Context, outcome: IntakeOutcome, deliveryId: string, blocking = false) {
  switch (outcome.kind) {
    case 'ingested': {
      const { result } = outcome;
      if (result.kind === 'created') return c.json({ status: 'accepted', ...toReceipt(result.signup) }, blocking ? 200 : 202);
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
      if (blocking) {
        return c.json(
          {
            status: 'unmappable',
            message: unmappableMessage(outcome.issues, outcome.payloadId),
            issues: outcome.issues,
            ...(outcome.payloadId ? { payload_id: outcome.payloadId } : {}),
          },
          200,
        );
      }
      return c.json(
        {
          ...errorBody(422, unmappableMessage(outcome.issues, outcome.payloadId), outcome.issues),
          ...(outcome.payloadId ? { payload_id: outcome.payloadId } : {}),
        },
        422,
      );
  }
}
