/**
 * The signup field rules, as small dependency-free functions.
 *
 * One set of rules, two consumers: the widget validates with these functions directly
 * (it cannot afford zod's bytes), and the relay's zod schemas in `schemas.ts` are built
 * from them. A rule returns `null` when the value is fine, or an error code the caller
 * turns into words (the widget translates codes; the relay uses `RULE_MESSAGES`).
 */

export const NAME_MAX = 100;
export const EMAIL_MAX = 254;
export const EMAIL_LOCAL_MAX = 64;
export const URL_MAX = 2048;
export const METADATA_MAX_BYTES = 8192;
export const IDEMPOTENCY_KEY_MAX = 255;
export const IMPRESSION_ID_MAX = 128;

/** Widget-only fields of `POST /v1/signups`: the relay reads and strips them; they never reach Vantio. */
export const HONEYPOT_FIELD = 'honeypot';
export const TIME_TO_FILL_FIELD = 'time_to_fill_ms';

export type RuleCode =
  | 'required'
  | 'too_long'
  | 'control_chars'
  | 'invalid_email'
  | 'invalid_url'
  | 'not_object'
  | 'invalid_key'
  | 'invalid_impression';

/** English messages for each code; `{max}` is filled in by `ruleMessage`. */
export const RULE_MESSAGES: Record<RuleCode, string> = {
  required: 'is required',
  too_long: 'must be at most {max} characters',
  control_chars: 'must not contain control characters',
  invalid_email: 'must be a valid email address',
  invalid_url: 'must be an http or https URL',
  not_object: 'must be a JSON object of at most {max} bytes',
  invalid_key: 'must be 1 to {max} printable ASCII characters',
  invalid_impression: 'must be 1 to {max} letters, digits or - _ . : characters',
};

// C0, DEL, C1 controls plus the Unicode line/paragraph separators and bidi overrides,
// which render invisibly and are a classic spoofing vector in names. Also lone UTF-16
// surrogates (JSON can carry "\ud800"): they have no UTF-8 form, so SQLite and Vantio would
// get U+FFFD instead of what was sent, and two different addresses would share one key.
const CONTROL_CHARS =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;

export function hasControlChars(value: string): boolean {
  return CONTROL_CHARS.test(value);
}

/** Names are compared and stored trimmed. */
export function normaliseName(value: string): string {
  return value.trim();
}

/** Checks an already-trimmed first or last name. */
export function checkName(value: string): RuleCode | null {
  if (value.length === 0) return 'required';
  if (value.length > NAME_MAX) return 'too_long';
  if (hasControlChars(value)) return 'control_chars';
  return null;
}

/** The form used for de-duplication and the upstream key: trimmed and lower-cased. */
export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}

// Pragmatic, not RFC 5322: one @, no spaces or control characters, a dotted domain of
// letters/digits/hyphens (IDN allowed) with labels that neither start nor end with '-'.
const EMAIL_LOCAL = /^[^\s@"(),:;<>[\\\]]+$/;
const DOMAIN_LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

/** Checks an already-trimmed email address. */
export function checkEmail(value: string): RuleCode | null {
  if (value.length === 0) return 'required';
  if (value.length > EMAIL_MAX) return 'too_long';
  if (hasControlChars(value)) return 'invalid_email';
  const at = value.lastIndexOf('@');
  if (at < 1 || at !== value.indexOf('@')) return 'invalid_email';
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  if (local.length > EMAIL_LOCAL_MAX || !EMAIL_LOCAL.test(local)) return 'invalid_email';
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return 'invalid_email';
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return 'invalid_email';
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'invalid_email';
  return null;
}

/** Checks an already-trimmed profile picture URL: absolute http(s), at most URL_MAX long. */
export function checkHttpUrl(value: string): RuleCode | null {
  if (value.length === 0) return 'required';
  if (value.length > URL_MAX) return 'too_long';
  if (hasControlChars(value) || /\s/.test(value)) return 'invalid_url';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'invalid_url';
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return 'invalid_url';
  return null;
}

/** Metadata must be a plain JSON object whose serialised form fits in METADATA_MAX_BYTES. */
export function checkMetadata(value: unknown): RuleCode | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not_object';
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    return 'not_object';
  }
  return utf8Length(json) > METADATA_MAX_BYTES ? 'not_object' : null;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** Idempotency keys: 1 to IDEMPOTENCY_KEY_MAX printable ASCII characters. */
export function checkIdempotencyKey(value: string): RuleCode | null {
  if (value.length === 0 || value.length > IDEMPOTENCY_KEY_MAX) return 'invalid_key';
  return PRINTABLE_ASCII.test(value) ? null : 'invalid_key';
}

// Vantio ids look like `imp_123abc`; anything else in a URL parameter is noise or an attack.
const IMPRESSION_ID = /^[A-Za-z0-9_.:-]+$/;

/** Checks an impression id as read from a URL or a request. */
export function checkImpressionId(value: string): RuleCode | null {
  if (value.length === 0) return 'required';
  if (value.length > IMPRESSION_ID_MAX || !IMPRESSION_ID.test(value)) return 'invalid_impression';
  return null;
}

const MAX_FOR_CODE: Partial<Record<RuleCode, number>> = {
  invalid_impression: IMPRESSION_ID_MAX,
  not_object: METADATA_MAX_BYTES,
  invalid_key: IDEMPOTENCY_KEY_MAX,
};

/** Turns a code into the relay's English message; `max` applies to `too_long`. */
export function ruleMessage(code: RuleCode, max?: number): string {
  const limit = max ?? MAX_FOR_CODE[code];
  return RULE_MESSAGES[code].replace('{max}', String(limit ?? ''));
}

export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The fields a person types into the widget, checked together. (A photo is a file, not typed:
 * the relay checks the picture, and a `profile_picture` URL set through the API is checked by
 * `checkHttpUrl` when it is set.)
 */
export interface SignupFields {
  first_name: string;
  last_name: string;
  email: string;
}

export type SignupFieldErrors = Partial<Record<keyof SignupFields, RuleCode>>;

/** Validates the form fields with the same rules as the relay; returns only the failures. */
export function checkSignupFields(fields: SignupFields): SignupFieldErrors {
  const errors: SignupFieldErrors = {};
  const first = checkName(normaliseName(fields.first_name));
  const last = checkName(normaliseName(fields.last_name));
  const email = checkEmail(fields.email.trim());
  if (first) errors.first_name = first;
  if (last) errors.last_name = last;
  if (email) errors.email = email;
  return errors;
}
