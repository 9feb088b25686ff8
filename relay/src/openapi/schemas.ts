/**
 * The named schemas of the OpenAPI document. Wire formats come from `@vantio/shared`
 * (the same zod schemas the routes validate with); the admin and operations answers,
 * which the routes build as plain objects, are described here and checked against real
 * responses by `document.test.ts`, so they cannot drift.
 */
import { z } from 'zod';
import { ZLinkInput, ZLinkList, ZLinkOrigins, ZLinkView } from '../webhooks/links';
import {
  EMAIL_MAX,
  IDEMPOTENCY_KEY_MAX,
  IMPRESSION_ID_MAX,
  NAME_MAX,
  ruleMessage,
  SIGNUP_STATES,
  URL_MAX,
  ZEmail,
  ZErrorBody,
  ZFieldIssue,
  ZIdempotencyKey,
  ZImpressionId,
  ZName,
  ZProfilePicture,
  ZSignupReceipt,
  ZSignupRequest,
  ZSignupState,
  ZPage,
  ZPageConfig,
} from '@vantio/shared';
import { ZReplayBody, ZRetryBody } from '../admin/query';

const isoTime = z.string().describe('ISO 8601 date-time (UTC)');
const counts = z.strictObject(Object.fromEntries(SIGNUP_STATES.map((state) => [state, z.number().int()])) as Record<
  (typeof SIGNUP_STATES)[number],
  z.ZodNumber
>);

export const ZDeliveryStatus = z.strictObject({
  paused: z.boolean(),
  reason: z
    .enum(['unauthorized', 'misconfigured', 'admin', 'held'])
    .nullable()
    .describe('unauthorized: Vantio refused the key; misconfigured: VANTIO_API_URL answers with a redirect; admin: paused by an admin; held: RELAY_FORWARD_CONCURRENCY is 0'),
  message: z.string().nullable(),
  since: isoTime.nullable(),
  heldUntil: isoTime.nullable().describe('After a 429 from Vantio (Retry-After) or a failed write, nothing is sent before this time'),
  inFlight: z.number().int(),
  concurrency: z.number().int(),
});

export const ZHealth = z.strictObject({ status: z.literal('ok') });
export const ZReady = z.strictObject({
  status: z.literal('ready'),
  database: z.literal('writable'),
  delivery: ZDeliveryStatus,
});
export const ZNotReady = ZErrorBody.extend({ database: z.string(), delivery: ZDeliveryStatus });

export const ZAttemptView = z.strictObject({
  started_at: isoTime,
  duration_ms: z.number().int(),
  outcome: z.enum(['created', 'rejected', 'unauthorized', 'misconfigured', 'mismatched', 'retryable']),
  http_status: z.number().int().nullable(),
  error: z.string().nullable(),
});

export const ZSignupView = z
  .strictObject({
    id: z.string(),
    source: z.string().describe('widget, api, or the webhook source name'),
    state: ZSignupState,
    impression_id: z.string(),
    first_name: z.string().nullable().describe('null once erased'),
    last_name: z.string().nullable(),
    email: z.string().nullable(),
    profile_picture: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    created_at: isoTime,
    updated_at: isoTime,
    delivered_at: isoTime.nullable(),
    attempts: z.number().int().describe('Every call made to Vantio for this signup'),
    failures: z.number().int().describe('The attempts that used up the retry schedule'),
    last_error: z.string().nullable(),
    referral_id: z.string().nullable(),
    program_id: z.string().nullable(),
    student_id: z.string().nullable().describe('The ambassador, once Vantio has answered'),
    referral_status: z.string().nullable(),
    held_reason: z.string().nullable().describe('Why it was held as a suspected bot (honeypot, fill_time); kept after a release'),
    held_signals: z.record(z.string(), z.unknown()).nullable().describe('What the bot check saw (honeypot text, time_to_fill_ms)'),
    attempt_history: z.array(ZAttemptView).optional().describe('Only on GET /v1/admin/signups/{id}'),
  })
  .describe('A signup as admins see it, personal data included');

export const ZSignupPage = z.strictObject({
  items: z.array(ZSignupView),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

export const ZRetryResult = z.strictObject({
  signup: ZSignupView,
  impression_changed: z.boolean(),
});

export const ZReplayReport = z.strictObject({
  dry_run: z.boolean(),
  matched: z.number().int(),
  requeued: z.number().int(),
  impression_changed: z.number().int(),
  conflicts: z.array(z.strictObject({ id: z.string(), existing_id: z.string(), existing_state: ZSignupState })),
  skipped: z.array(
    z.strictObject({ id: z.string(), reason: z.enum(['not_found', 'delivered', 'erased', 'queued', 'state']) }),
  ),
});

export const ZStats = z.strictObject({
  generated_at: isoTime,
  window: z.strictObject({ from: isoTime, to: isoTime, days: z.number().int() }),
  by_state: counts.describe('All time'),
  by_source: z.record(z.string(), counts).describe('All time, per source'),
  per_day: z.array(counts.extend({ day: z.string().describe('UTC YYYY-MM-DD'), total: z.number().int() })),
  top_impressions: z.array(
    counts.extend({ impression_id: z.string(), student_id: z.string().nullable(), count: z.number().int() }),
  ),
  top_students: z.array(z.strictObject({ student_id: z.string(), delivered: z.number().int(), impressions: z.number().int() })),
  delivery_latency_ms: z.strictObject({
    count: z.number().int(),
    p50: z.number().nullable(),
    p90: z.number().nullable(),
    p99: z.number().nullable(),
    max: z.number().nullable(),
  }),
  oldest_queued_at: isoTime.nullable(),
  oldest_queued_age_s: z.number().int().nullable(),
  bots: z.number().int(),
  delivery: ZDeliveryStatus,
  retention_days: z.number().int(),
  refused_origins: z
    .array(z.strictObject({ origin: z.string(), count: z.number().int(), first_seen: isoTime, last_seen: isoTime }))
    .describe('Pages refused by RELAY_ALLOWED_ORIGINS, the most recently seen first (counts summed over every relay sharing the database)'),
});

export const ZEraseReport = z.strictObject({
  signups: z.number().int().describe('Signups deleted'),
  attempts: z.number().int(),
  outbox: z.number().int(),
  webhook_payloads: z.number().int().nullable().describe('Kept webhook payloads deleted; null when no webhook store is wired in'),
  signup_ids: z.array(z.string()),
});

export const ZReleaseAnswer = z.strictObject({ signup: ZSignupView });
export const ZDiscardAnswer = z.strictObject({ discarded: z.string().describe('The id of the deleted signup') });

export const ZDeliveryAnswer = z.strictObject({ delivery: ZDeliveryStatus });

const receipt = ZSignupReceipt.shape;
export const ZWebhookAnswer = z
  .discriminatedUnion('status', [
    z.strictObject({ status: z.literal('accepted'), ...receipt }),
    z.strictObject({ status: z.literal('duplicate'), ...receipt }),
    z.strictObject({
      status: z.literal('replayed'),
      delivery_id: z.string(),
      first_outcome: z.enum(['accepted', 'unmappable']),
      id: receipt.id.optional(),
      state: receipt.state.optional(),
      created_at: receipt.created_at.optional(),
      duplicate: receipt.duplicate,
      payload_id: z.string().optional(),
      payload_status: z.enum(['pending', 'ingested', 'deleted']).optional(),
    }),
    z.strictObject({ status: z.literal('ignored'), event_type: z.string().nullable(), message: z.string() }),
  ])
  .describe('accepted (202): a new signup, on disk. duplicate: this person is already signed up on this impression. replayed: this delivery id was seen before. ignored: an event type this source does not turn into signups.');
export const ZWebhookUnmappable = ZErrorBody.extend({
  payload_id: z.string().optional().describe('The verified payload is kept under this id: fix the mapping, then replay it'),
});

export const ZPayloadView = z.strictObject({
  id: z.string(),
  source: z.string(),
  delivery_id: z.string(),
  status: z.enum(['pending', 'ingested']),
  received_at: isoTime,
  updated_at: isoTime,
  issues: z.array(ZFieldIssue).describe('Why the payload could not be mapped'),
  signup_id: z.string().nullable(),
  payload: z.unknown().optional().describe('The sender’s JSON (only when showing one payload)'),
});
export const ZPayloadPage = z.strictObject({
  payloads: z.array(ZPayloadView),
  counts: z.strictObject({ pending: z.number().int(), ingested: z.number().int() }),
  next_before: z.string().nullable().describe('Pass as `before` for the next page; null on the last page'),
});

/** Every schema the document names under `components.schemas`, by name. */
export const NAMED_SCHEMAS = {
  SignupRequest: ZSignupRequest,
  SignupReceipt: ZSignupReceipt,
  ErrorBody: ZErrorBody,
  Health: ZHealth,
  Ready: ZReady,
  NotReady: ZNotReady,
  DeliveryStatus: ZDeliveryStatus,
  SignupView: ZSignupView,
  AttemptView: ZAttemptView,
  SignupPage: ZSignupPage,
  RetryRequest: ZRetryBody,
  RetryResult: ZRetryResult,
  ReleaseAnswer: ZReleaseAnswer,
  DiscardAnswer: ZDiscardAnswer,
  ReplayRequest: ZReplayBody,
  ReplayReport: ZReplayReport,
  Stats: ZStats,
  EraseReport: ZEraseReport,
  DeliveryAnswer: ZDeliveryAnswer,
  WebhookBody: z.record(z.string(), z.unknown()).describe('Any JSON object; the source’s mapping says where the signup fields are'),
  WebhookAnswer: ZWebhookAnswer,
  WebhookUnmappable: ZWebhookUnmappable,
  PayloadView: ZPayloadView,
  PayloadPage: ZPayloadPage,
  PageConfig: ZPageConfig,
  Page: ZPage,
  PageList: z.strictObject({ pages: z.array(ZPage) }),
  StoredPicture: z.strictObject({
    id: z.string(),
    url: z.string().describe('Absolute, under RELAY_PUBLIC_URL: send it as profile_picture'),
    width: z.number().int(),
    height: z.number().int(),
  }),
  LinkInput: ZLinkInput,
  LinkView: ZLinkView,
  LinkList: ZLinkList,
  LinkOrigins: ZLinkOrigins,
} satisfies Record<string, z.ZodType>;

/**
 * The field rules are refinements (functions), which JSON Schema cannot carry: state the
 * same limits as keywords and the rule's own message, from the constants the rules use.
 */
const RULE_KEYWORDS = new Map<z.ZodType, { keywords: Record<string, unknown>; rule: string }>([
  [ZEmail, { keywords: { format: 'email', maxLength: EMAIL_MAX }, rule: ruleMessage('invalid_email') }],
  [ZName, { keywords: { minLength: 1, maxLength: NAME_MAX }, rule: `trimmed; ${ruleMessage('too_long', NAME_MAX)}; ${ruleMessage('control_chars')}` }],
  [ZImpressionId, { keywords: { minLength: 1, maxLength: IMPRESSION_ID_MAX }, rule: ruleMessage('invalid_impression') }],
  [ZProfilePicture, { keywords: { format: 'uri', maxLength: URL_MAX }, rule: ruleMessage('invalid_url') }],
  [ZIdempotencyKey, { keywords: { minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX }, rule: ruleMessage('invalid_key') }],
]);

/** `z.toJSONSchema`'s `override` hook. */
export function addRuleKeywords(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  const known = RULE_KEYWORDS.get(ctx.zodSchema as z.ZodType);
  if (!known) return;
  Object.assign(ctx.jsonSchema, known.keywords);
  const description = ctx.jsonSchema.description;
  ctx.jsonSchema.description = typeof description === 'string' ? `${description}. Rule: ${known.rule}` : `Rule: ${known.rule}`;
}
