/**
 * zod schemas of the wire formats, built from the rule functions in `rules.ts` so the
 * relay and the widget can never disagree about what a valid signup is.
 * `ZFoo` is the schema, `TFoo` its type.
 */
import { z } from 'zod';
import {
  checkEmail,
  checkHttpUrl,
  checkIdempotencyKey,
  checkImpressionId,
  checkMetadata,
  checkName,
  NAME_MAX,
  EMAIL_MAX,
  URL_MAX,
  ruleMessage,
  HONEYPOT_FIELD,
  TIME_TO_FILL_FIELD,
  type RuleCode,
} from './rules';

function ruledString(check: (value: string) => RuleCode | null, max: number, trim = true) {
  const base = z.string({
    error: (issue) => (issue.input === undefined ? ruleMessage('required') : 'must be a string'),
  });
  return (trim ? base.trim() : base).superRefine((value, ctx) => {
    const code = check(value);
    if (code) ctx.addIssue({ code: 'custom', message: ruleMessage(code, max), input: value });
  });
}

export const ZImpressionId = ruledString(checkImpressionId, 128).describe(
  'The impression (QR scan) id that led to this signup, e.g. imp_123abc',
);
export const ZName = ruledString(checkName, NAME_MAX);
export const ZEmail = ruledString(checkEmail, EMAIL_MAX);
export const ZProfilePicture = ruledString(checkHttpUrl, URL_MAX).describe('http(s) URL of a profile picture');
export const ZIdempotencyKey = ruledString(checkIdempotencyKey, 255, false).describe(
  'A client key: the same key with the same body gets the same answer',
);
export const ZMetadata = z
  .record(z.string(), z.unknown(), { error: () => ruleMessage('not_object') })
  .superRefine((value, ctx) => {
    if (checkMetadata(value)) ctx.addIssue({ code: 'custom', message: ruleMessage('not_object'), input: value });
  })
  .describe('Free-form JSON object, at most 8 KB serialised');

/** Vantio's create-referral request body, exactly as documented upstream. */
export const ZCreateReferralRequest = z.strictObject({
  impression_id: ZImpressionId,
  first_name: ZName,
  last_name: ZName,
  email: ZEmail,
  profile_picture: ZProfilePicture.optional(),
  metadata: ZMetadata.optional(),
  idempotency_key: ZIdempotencyKey.optional(),
});
export type TCreateReferralRequest = z.infer<typeof ZCreateReferralRequest>;

/** `POST /v1/signups` body: the create-referral fields plus the widget's bot signals. */
export const ZSignupRequest = ZCreateReferralRequest.extend({
  [HONEYPOT_FIELD]: z.string().max(1000).optional().describe('Widget honeypot: must stay empty'),
  [TIME_TO_FILL_FIELD]: z.number().int().min(0).max(86_400_000).optional().describe('Widget form fill time'),
});
export type TSignupRequest = z.infer<typeof ZSignupRequest>;

/** The referral Vantio returns. Unknown fields are kept: upstream may add some. */
export const ZReferral = z.looseObject({
  id: z.string().min(1),
  impression_id: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
  profile_picture: z.string().nullish(),
  status: z.string(),
  program_id: z.string(),
  student_id: z.string(),
  created_at: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
export type TReferral = z.infer<typeof ZReferral>;

/** `held`: a suspected bot, kept for an admin to release or discard, never forwarded on its own. */
export const SIGNUP_STATES = ['queued', 'delivered', 'rejected', 'dead', 'held'] as const;
export const ZSignupState = z.enum(SIGNUP_STATES);
export type TSignupState = z.infer<typeof ZSignupState>;

/** What the relay answers for an accepted (202) or repeated (200) signup. */
export const ZSignupReceipt = z.object({
  id: z.string(),
  state: ZSignupState,
  created_at: z.string(),
  duplicate: z.boolean().optional(),
});
export type TSignupReceipt = z.infer<typeof ZSignupReceipt>;

export const ZFieldIssue = z.object({ path: z.string(), message: z.string() });
export type TFieldIssue = z.infer<typeof ZFieldIssue>;

/** Every error the relay (and Vantio) answers with. */
export const ZErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(ZFieldIssue).optional(),
});
export type TErrorBody = z.infer<typeof ZErrorBody>;

/** Flattens a zod error into field-level issues: `{ path: "email", message: "…" }`. */
export function toFieldIssues(error: z.ZodError): TFieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}` };
    }
    return { path, message: issue.message };
  });
}

/** One readable sentence for a list of field issues. */
export function describeFieldIssues(issues: TFieldIssue[]): string {
  const parts = issues.slice(0, 3).map((issue) => (issue.path ? `${issue.path} ${issue.message}` : issue.message));
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return `Invalid request: ${parts.join('; ')}${more}`;
}
