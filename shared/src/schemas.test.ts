import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkEmail, checkHttpUrl, checkIdempotencyKey, checkImpressionId, checkName } from './rules';
import {
  ZCreateReferralRequest,
  ZEmail,
  ZIdempotencyKey,
  ZImpressionId,
  ZName,
  ZProfilePicture,
  ZSignupRequest,
  describeFieldIssues,
  toFieldIssues,
} from './schemas';
import { canonicalHash, upstreamIdempotencyKey } from './idempotency';

// Strings that hit the interesting edges: empty, whitespace, control characters, unicode, long.
const edgyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.constantFrom('', ' ', '\t\n', 'a@b.co', ' x@y.edu ', 'https://e.com/p.jpg', 'imp_demo_1', 'a\u0000b'),
  fc.emailAddress(),
  fc.webUrl(),
);

describe('the zod schemas agree with the rule functions', () => {
  const pairs = [
    ['name', ZName, (s: string) => checkName(s.trim())],
    ['email', ZEmail, (s: string) => checkEmail(s.trim())],
    ['profile picture', ZProfilePicture, (s: string) => checkHttpUrl(s.trim())],
    ['impression id', ZImpressionId, (s: string) => checkImpressionId(s.trim())],
    ['idempotency key', ZIdempotencyKey, (s: string) => checkIdempotencyKey(s)],
  ] as const;

  it.each(pairs)('%s: the schema accepts exactly what the rule accepts', (_name, schema, rule) => {
    fc.assert(
      fc.property(edgyString, (value) => {
        expect(schema.safeParse(value).success).toBe(rule(value) === null);
      }),
      { numRuns: 500 },
    );
  });
});

describe('ZCreateReferralRequest', () => {
  const valid = { impression_id: 'imp_123abc', first_name: ' John ', last_name: 'Doe', email: 'john.doe@example.com' };

  it('accepts the documented example and trims names', () => {
    const parsed = ZCreateReferralRequest.parse({
      ...valid,
      profile_picture: 'https://example.com/profiles/john-doe.jpg',
      metadata: { source: 'poster_qr_code', location: 'campus_center' },
      idempotency_key: 'ref_20240115_123456',
    });
    expect(parsed.first_name).toBe('John');
    expect(parsed.metadata).toEqual({ source: 'poster_qr_code', location: 'campus_center' });
  });

  it('reports every bad field with a path and a message', () => {
    const result = ZCreateReferralRequest.safeParse({ first_name: 3, last_name: '', email: 'x', extra: 1 });
    expect(result.success).toBe(false);
    const issues = toFieldIssues(result.error!);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'impression_id', message: 'is required' },
        { path: 'first_name', message: 'must be a string' },
        { path: 'last_name', message: 'is required' },
        { path: 'email', message: 'must be a valid email address' },
        { path: '', message: 'unknown field: extra' },
      ]),
    );
    expect(describeFieldIssues(issues)).toMatch(/^Invalid request: /);
  });

  it('refuses metadata that is not an object or too large', () => {
    expect(ZCreateReferralRequest.safeParse({ ...valid, metadata: [1] }).success).toBe(false);
    expect(ZCreateReferralRequest.safeParse({ ...valid, metadata: { a: 'x'.repeat(9000) } }).success).toBe(false);
  });

  it('the signup request adds only the widget bot signals', () => {
    expect(ZSignupRequest.safeParse({ ...valid, honeypot: '', time_to_fill_ms: 4200 }).success).toBe(true);
    expect(ZSignupRequest.safeParse({ ...valid, time_to_fill_ms: -1 }).success).toBe(false);
  });
});

describe('upstream idempotency key', () => {
  it('is a pure function of the impression and the normalised email', () => {
    const a = upstreamIdempotencyKey('imp_1', 'John.Doe@Example.com');
    expect(a).toBe(upstreamIdempotencyKey('imp_1', ' john.doe@example.com '));
    expect(a).not.toBe(upstreamIdempotencyKey('imp_2', 'john.doe@example.com'));
    expect(a).not.toBe(upstreamIdempotencyKey('imp_1', 'jane@example.com'));
    expect(a).toMatch(/^vs1_[0-9a-f]{64}$/);
  });

  it('hashes JSON canonically, whatever the key order', () => {
    expect(canonicalHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(canonicalHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(canonicalHash({ a: 1 })).not.toBe(canonicalHash({ a: 2 }));
  });
});
