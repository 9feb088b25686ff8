/**
 * `POST /v1/signups`: the widget's (and any API client's) way in. Validates, then hands the
 * signup to the shared ingest path. A 2xx means on disk. Suspected bots are stored `held`
 * (never dropped, never forwarded on their own) and answered exactly like everyone else.
 */
import { Hono } from 'hono';
import {
  checkIdempotencyKey,
  describeFieldIssues,
  ruleMessage,
  toFieldIssues,
  ZSignupRequest,
} from '@vantio/shared';
import { ApiError } from '../http/errors';
import { jsonBody, type JsonBodyVariables } from '../http/json-body';
import { toReceipt, type Ingestor } from '../ingest';
import type { Hold, Store } from '../store/types';

export const SIGNUP_BODY_LIMIT = 32 * 1024;

export interface SignupRouteDeps {
  ingestor: Ingestor;
  store: Store;
  now: () => number;
  /**
   * A widget form filled (first interaction to submit) faster than this is held; 0 (the
   * default) holds on the honeypot alone, so autofill and a quick tap always get through.
   */
  minFillMs: number;
  onBot?: () => void;
}

/** The bot check: a filled honeypot, or (when enabled) a fill time under the threshold. */
export function botVerdict(honeypot: string | undefined, fillMs: number | undefined, minFillMs: number): Hold | undefined {
  const signals = {
    ...(honeypot ? { honeypot: honeypot.slice(0, 200) } : {}),
    ...(fillMs !== undefined ? { time_to_fill_ms: fillMs } : {}),
    ...(minFillMs > 0 ? { min_fill_ms: minFillMs } : {}),
  };
  if (honeypot) return { reason: 'honeypot', signals };
  if (minFillMs > 0 && fillMs !== undefined && fillMs < minFillMs) return { reason: 'fill_time', signals };
  return undefined;
}

export function signupRoutes({ ingestor, store, now, minFillMs, onBot }: SignupRouteDeps) {
  const app = new Hono<{ Variables: JsonBodyVariables }>();

  app.post('/', jsonBody(SIGNUP_BODY_LIMIT), async (c) => {
    const body = c.get('jsonBody');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError(400, 'The request body must be a JSON object');
    }
    const parsed = ZSignupRequest.safeParse(body);
    if (!parsed.success) {
      const issues = toFieldIssues(parsed.error);
      throw new ApiError(400, describeFieldIssues(issues), { issues });
    }
    // zod's record drops a "__proto__" key (assigning it would swap the prototype), so the
    // relay would store and forward less than it acknowledged: refuse it instead.
    const metadata = (body as { metadata?: unknown }).metadata;
    if (typeof metadata === 'object' && metadata !== null && Object.hasOwn(metadata, '__proto__')) {
      const message = 'must not have a "__proto__" key';
      throw new ApiError(400, `Invalid request: metadata ${message}`, { issues: [{ path: 'metadata', message }] });
    }
    const { honeypot, time_to_fill_ms: fillMs, ...signup } = parsed.data;
    const headerKey = c.req.header('idempotency-key');
    if (headerKey !== undefined) {
      if (checkIdempotencyKey(headerKey)) {
        const message = ruleMessage('invalid_key');
        throw new ApiError(400, `Idempotency-Key header ${message}`, { issues: [{ path: 'Idempotency-Key', message }] });
      }
      if (signup.idempotency_key !== undefined && signup.idempotency_key !== headerKey) {
        throw new ApiError(400, 'The Idempotency-Key header and the body idempotency_key differ');
      }
    }

    const hold = botVerdict(honeypot, fillMs, minFillMs);
    if (hold) onBot?.();
    const result = await ingestor.ingest(
      { signup, source: fillMs !== undefined ? 'widget' : 'api', clientKey: headerKey, hold },
      // The all-time count of suspected bots, in the same unit of work as the held row.
      hold ? async (tx, accepted) => void (accepted.kind === 'created' && (await tx.meta.addToCounter('bots'))) : undefined,
    );
    switch (result.kind) {
      case 'created':
        return c.json(toReceipt(result.signup), 202);
      case 'replayed':
        c.header('Idempotent-Replayed', 'true');
        return c.json(toReceipt(result.signup), 202);
      case 'duplicate':
        return c.json(toReceipt(result.signup, true), 200);
      case 'key_conflict':
        throw new ApiError(422, 'This idempotency key was already used with a different signup; use a new key');
    }
  });

  app.all('/', () => {
    throw new ApiError(405, 'Use POST to send a signup', { headers: { Allow: 'POST, OPTIONS' } });
  });

  return app;
}
