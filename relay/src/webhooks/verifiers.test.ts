import { describe, expect, it } from 'vitest';
import { compileSources } from './sources';
import {
  BACKEND_SECRET,
  CLERK_OLD_SECRET,
  CLERK_SECRET,
  fixture,
  hmacHexHeaders,
  HMAC_SECRET,
  standardHeaders,
  svixHeaders,
  TALLY_SECRET,
  tallyHeaders,
  TEST_SOURCES,
  TYPEFORM_SECRET,
  typeformHeaders,
} from './test-helpers';
import type { Verification } from './verifiers';

const sources = compileSources(TEST_SOURCES);
const NOW = Date.parse('2026-01-15T10:30:00Z');
const at = (offsetS = 0) => new Date(NOW + offsetS * 1000);

function verify(source: string, body: string, headers: Record<string, string>, now = NOW): Verification {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return sources.get(source)!.verify({ header: (name) => lower[name], query: () => undefined, body: new TextEncoder().encode(body), now });
}

describe('Standard Webhooks and Svix (signed by the official standardwebhooks package)', () => {
  const body = fixture('clerk-user-created');

  it('accepts a valid signature and returns the delivery id from the headers', () => {
    expect(verify('clerk', body, svixHeaders(CLERK_SECRET, 'msg_2rMa9', at(), body))).toEqual({ ok: true, deliveryId: 'msg_2rMa9' });
    expect(verify('backend', body, standardHeaders(BACKEND_SECRET, 'evt_1', at(), body))).toEqual({ ok: true, deliveryId: 'evt_1' });
  });

  it('rotates secrets: the old secret still verifies, and a header with several signatures matches on any', () => {
    expect(verify('clerk', body, svixHeaders(CLERK_OLD_SECRET, 'msg_1', at(), body)).ok).toBe(true);
    const stranger = svixHeaders('whsec_dW5rbm93bi1zZW5kZXItc2VjcmV0LTEyMzQ1Ng==', 'msg_1', at(), body)['svix-signature'];
    const valid = svixHeaders(CLERK_SECRET, 'msg_1', at(), body)['svix-signature'];
    const headers = { ...svixHeaders(CLERK_SECRET, 'msg_1', at(), body), 'svix-signature': `v1a,ignored ${stranger} ${valid}` };
    expect(verify('clerk', body, headers).ok).toBe(true);
  });

  it.each([
    ['a tampered body', (h: Record<string, string>) => h, body.replace('maya.okafor', 'mallory')],
    ['another secret', () => svixHeaders('whsec_dW5rbm93bi1zZW5kZXItc2VjcmV0LTEyMzQ1Ng==', 'msg_1', at(), body), body],
    ['a tampered id', (h: Record<string, string>) => ({ ...h, 'svix-id': 'msg_2' }), body],
    ['a tampered timestamp', (h: Record<string, string>) => ({ ...h, 'svix-timestamp': String(NOW / 1000 + 1) }), body],
    ['a v2 signature only', (h: Record<string, string>) => ({ ...h, 'svix-signature': h['svix-signature']!.replace('v1,', 'v2,') }), body],
    ['webhook-* headers for an svix source', () => standardHeaders(CLERK_SECRET, 'msg_1', at(), body), body],
    ['no signature header', (h: Record<string, string>) => ({ 'svix-id': h['svix-id']!, 'svix-timestamp': h['svix-timestamp']! }), body],
    ['no id header', (h: Record<string, string>) => ({ 'svix-signature': h['svix-signature']!, 'svix-timestamp': h['svix-timestamp']! }), body],
    ['no timestamp header', (h: Record<string, string>) => ({ 'svix-signature': h['svix-signature']!, 'svix-id': h['svix-id']! }), body],
    ['a malformed timestamp', (h: Record<string, string>) => ({ ...h, 'svix-timestamp': '1e9' }), body],
  ])('rejects %s', (_name, change, sentBody) => {
    const headers = change(svixHeaders(CLERK_SECRET, 'msg_1', at(), body));
    expect(verify('clerk', sentBody, headers).ok).toBe(false);
  });

  it('rejects stale and future timestamps beyond the tolerance (default 300 s, configurable)', () => {
    expect(verify('clerk', body, svixHeaders(CLERK_SECRET, 'm', at(-300), body)).ok).toBe(true);
    expect(verify('clerk', body, svixHeaders(CLERK_SECRET, 'm', at(-301), body))).toEqual({ ok: false, reason: 'timestamp too old' });
    expect(verify('clerk', body, svixHeaders(CLERK_SECRET, 'm', at(300), body)).ok).toBe(true);
    expect(verify('clerk', body, svixHeaders(CLERK_SECRET, 'm', at(301), body))).toEqual({ ok: false, reason: 'timestamp in the future' });
    // `backend` sets tolerance_s: 120.
    expect(verify('backend', body, standardHeaders(BACKEND_SECRET, 'm', at(-121), body), NOW).ok).toBe(false);
    expect(verify('backend', body, standardHeaders(BACKEND_SECRET, 'm', at(-120), body), NOW).ok).toBe(true);
  });
});

describe('Typeform, Tally and generic HMAC-SHA256 (signed independently with node:crypto)', () => {
  const typeform = fixture('typeform-form-response');
  const tally = fixture('tally-form-response');
  const custom = JSON.stringify({ id: 'd1', impression: 'imp_demo_1', first: 'A', last: 'B', email: 'a@example.edu' });

  it('accepts valid signatures (no header delivery id: it comes from the body)', () => {
    expect(verify('typeform', typeform, typeformHeaders(TYPEFORM_SECRET, typeform))).toEqual({ ok: true });
    expect(verify('tally', tally, tallyHeaders(TALLY_SECRET, tally))).toEqual({ ok: true });
    expect(verify('custom', custom, hmacHexHeaders(HMAC_SECRET, custom))).toEqual({ ok: true });
    // Hex is compared case-insensitively; the header name is case-insensitive too.
    expect(verify('custom', custom, { 'X-Signature': hmacHexHeaders(HMAC_SECRET, custom)['x-signature'].toUpperCase().replace('SHA256=', 'sha256=') }).ok).toBe(true);
  });

  it.each([
    ['typeform', 'a tampered body', typeform, typeformHeaders(TYPEFORM_SECRET, typeform), typeform.replace('Jonas', 'Mallory')],
    ['typeform', 'another secret', typeform, typeformHeaders('not-the-typeform-secret', typeform), typeform],
    ['typeform', 'no sha256= prefix', typeform, { 'typeform-signature': typeformHeaders(TYPEFORM_SECRET, typeform)['typeform-signature'].slice(7) }, typeform],
    ['typeform', 'no header', typeform, {}, typeform],
    ['tally', 'a tampered body', tally, tallyHeaders(TALLY_SECRET, tally), tally.replace('Priya', 'Mallory')],
    ['tally', 'another secret', tally, tallyHeaders('not-the-tally-secret', tally), tally],
    ['tally', 'a Typeform-style header', tally, { 'tally-signature': `sha256=${tallyHeaders(TALLY_SECRET, tally)['tally-signature']}` }, tally],
    ['tally', 'no header', tally, {}, tally],
    ['custom', 'a tampered body', custom, hmacHexHeaders(HMAC_SECRET, custom), custom.replace('imp_demo_1', 'imp_demo_2')],
    ['custom', 'another secret', custom, hmacHexHeaders('not-the-hmac-secret-at-all', custom), custom],
    ['custom', 'a base64 signature', custom, tallyHeaders(HMAC_SECRET, custom), custom],
    ['custom', 'no header', custom, {}, custom],
  ])('%s: rejects %s', (source, _name, _signed, headers, sent) => {
    expect(verify(source, sent, headers).ok).toBe(false);
  });

  it('rotates HMAC secrets', () => {
    const rotated = compileSources({ sources: { t: { preset: 'typeform', secrets: ['old-typeform-secret-1234', TYPEFORM_SECRET] } } });
    const headers = typeformHeaders(TYPEFORM_SECRET, typeform);
    const result = rotated.get('t')!.verify({ header: (name) => (headers as Record<string, string>)[name], query: () => undefined, body: Buffer.from(typeform), now: NOW });
    expect(result.ok).toBe(true);
  });
});
