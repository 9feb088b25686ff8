/**
 * `POST /api/v1/referrals` as documented: Bearer auth, the four required fields, a basic
 * email check, an existing impression. Deliberately lenient beyond that (unknown fields are
 * ignored, no length limits): the relay's own stricter rules must not leak into the emulator.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Handler, MiddlewareHandler } from 'hono';
import { isPlainObject, jsonError, readJsonBody } from './http';
import type { EmulatorState, ReferralInput } from './state';

export const REFERRALS_PATH = '/api/v1/referrals';

const REQUIRED_FIELDS = ['impression_id', 'first_name', 'last_name', 'email'] as const;
const OPTIONAL_STRING_FIELDS = ['profile_picture', 'idempotency_key'] as const;
/** Something@something.tld, no whitespace: the kind of check a typical API does. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Constant-time comparison of the presented key with the configured one. */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

export function requireBearer(secretKey: string): MiddlewareHandler {
  return async (c, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    if (!match?.[1] || !sameSecret(match[1], secretKey)) {
      return jsonError(c, 401, 'Invalid or missing API key');
    }
    await next();
  };
}

/** Absent, null or only whitespace: what a typical `if (!body.field)` check calls missing. */
function isMissing(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export type ReferralValidation = { ok: true; input: ReferralInput } | { ok: false; message: string };

export function validateReferralBody(body: unknown): ReferralValidation {
  const fail = (message: string): ReferralValidation => ({ ok: false, message });
  if (!isPlainObject(body)) return fail('Request body must be a JSON object');

  // All presence checks first, so the message names the first missing field in documented order.
  for (const field of REQUIRED_FIELDS) {
    if (isMissing(body[field])) return fail(`Missing required field: ${field}`);
  }
  for (const field of REQUIRED_FIELDS) {
    if (typeof body[field] !== 'string') return fail(`Invalid type for field ${field}: expected string`);
  }
  for (const field of OPTIONAL_STRING_FIELDS) {
    const value = body[field];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return fail(`Invalid type for field ${field}: expected string`);
    }
  }
  const { metadata } = body;
  if (metadata !== undefined && metadata !== null && !isPlainObject(metadata)) {
    return fail('Invalid type for field metadata: expected object');
  }

  const input: ReferralInput = {
    impression_id: body.impression_id as string,
    first_name: body.first_name as string,
    last_name: body.last_name as string,
    email: body.email as string,
  };
  if (!EMAIL_PATTERN.test(input.email)) return fail('Invalid email format');
  // null / empty optional values count as "not sent".
  if (!isMissing(body.profile_picture)) input.profile_picture = body.profile_picture as string;
  if (isPlainObject(metadata)) input.metadata = metadata;
  if (!isMissing(body.idempotency_key)) input.idempotency_key = body.idempotency_key as string;
  return { ok: true, input };
}

export function createReferralHandler(state: EmulatorState): Handler {
  return async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return jsonError(c, 400, body.message);
    const validation = validateReferralBody(body.value);
    if (!validation.ok) return jsonError(c, 400, validation.message);

    const { input } = validation;
    const impression = state.impressions.get(input.impression_id);
    if (!impression) {
      return jsonError(c, 400, `Invalid impression_id: impression ${input.impression_id} does not exist`);
    }
    // Vantio answers 200 both for a new referral and for an idempotent repeat.
    return c.json(state.createReferral(input, impression), 200);
  };
}
