/**
 * Hostile input against `POST /v1/signups` (issue 6): random and adversarial JSON, wrong
 * types, deep nesting, huge and non-UTF-8 bodies, wrong content types, odd headers, unicode
 * edge cases. Never a 5xx; every refusal in the `{error, message}` shape with nothing stored;
 * what is accepted is stored and forwarded verbatim (names, emails, URLs and impression ids
 * trimmed at the ends — the documented normalisation — and nothing else).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, person, type Harness } from '../src/testing';
import {
  acceptableKey,
  acceptableSignup,
  headerValue,
  hostileJsonText,
  invalidUtf8,
  mutatedSignup,
  NAME_FRAGMENTS,
  nonJsonContentType,
} from './arbitraries';
import { canonicalJson, expectClientSafe, expectErrorShape, runs, storeFingerprint } from './hostile-helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

type Body = Record<string, unknown>;
const MIN_FILL_MS = 1000; // the harness's minFillMs
let serial = 0;

/** Makes an email unique per run (the upstream dedupes by person), keeping the generated rest. */
const unique = (email: string) => `r${++serial}-${email}`;

const send = async (body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) =>
  h.relay.app.request('/v1/signups', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** Runs `request` and proves that a refusal changed nothing at all. */
async function refusedChangesNothing(request: () => Response | Promise<Response>, label: string): Promise<Response> {
  await h.settle();
  const before = storeFingerprint(h);
  const response = await request();
  await expectClientSafe(response.clone(), label);
  if (response.status >= 400) {
    await h.settle();
    expect(storeFingerprint(h), `${label}: a ${response.status} stored something`).toEqual(before);
  }
  return response;
}

const trimmedOrNull = (value: unknown) => (typeof value === 'string' ? value.trim() : null);

/** The stored row has exactly what was sent (the four ruled strings trimmed at the ends). */
async function expectStoredAsSent(id: string, sent: Body) {
  const row = await h.relay.store.read.signups.get(id);
  expect(row, `signup ${id} stored`).toBeDefined();
  expect({
    impression_id: row!.impression_id,
    first_name: row!.first_name,
    last_name: row!.last_name,
    email: row!.email,
    profile_picture: row!.profile_picture,
    metadata: row!.metadata === null ? null : canonicalJson(JSON.parse(row!.metadata)),
  }).toEqual({
    impression_id: (sent.impression_id as string).trim(),
    first_name: (sent.first_name as string).trim(),
    last_name: (sent.last_name as string).trim(),
    email: (sent.email as string).trim(),
    profile_picture: trimmedOrNull(sent.profile_picture),
    metadata: sent.metadata === undefined ? null : canonicalJson(sent.metadata),
  });
  return row!;
}

describe('POST /v1/signups under hostile input', () => {
  it('answers any JSON text without a 5xx; refusals store nothing; acceptances store what was sent', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJsonText, fc.option(acceptableKey, { nil: undefined }), async (text, key) => {
        const response = await refusedChangesNothing(() => send(text, key === undefined ? {} : { 'idempotency-key': key }), text.slice(0, 80));
        if (response.status >= 400) return;
        expect([200, 202]).toContain(response.status);
        const sent = JSON.parse(text) as Body;
        const receipt = (await response.json()) as { id: string; state: string };
        const bot = (typeof sent.honeypot === 'string' && sent.honeypot !== '') || (typeof sent.time_to_fill_ms === 'number' && sent.time_to_fill_ms < MIN_FILL_MS);
        // A suspected bot is answered like anyone and kept, held (issue 10): nothing is dropped.
        expect(receipt.state).toBe('queued');
        const row = (await h.relay.store.read.signups.get(receipt.id))!;
        if (response.status === 202 && response.headers.get('idempotent-replayed') === null) {
          await expectStoredAsSent(receipt.id, sent);
          expect(row.state === 'held', 'a new suspected bot is held, and only a suspected bot').toBe(bot);
        }
        else expect(row.email_norm).toBe((sent.email as string).trim().toLowerCase()); // a duplicate or replay: the same person
      }),
      { numRuns: runs(500) },
    );
  });

  it('stores and forwards accepted unicode, SQL- and HTML-looking strings verbatim (no NFC, no escaping)', async () => {
    await fc.assert(
      fc.asyncProperty(acceptableSignup, async (generated) => {
        const sent = { ...generated, email: unique(generated.email) };
        const response = await send(JSON.stringify(sent));
        expect(response.status, await response.clone().text()).toBe(202);
        const { id } = (await response.json()) as { id: string };
        await expectStoredAsSent(id, sent);
        await h.settle();
        const row = (await h.relay.store.read.signups.get(id))!;
        expect(row.state, row.last_error ?? '').toBe('delivered');
        const referral = (await h.referrals()).referrals.find((r) => r.id === row.referral_id);
        expect(referral).toMatchObject({
          impression_id: sent.impression_id,
          first_name: sent.first_name.trim(),
          last_name: sent.last_name.trim(),
          email: sent.email,
          ...(sent.profile_picture === undefined ? {} : { profile_picture: sent.profile_picture }),
        });
        expect(canonicalJson(referral!.metadata ?? null)).toBe(canonicalJson(sent.metadata ?? null));
        // PII stays out of the logs: the request and delivery lines carry ids, never the address.
        expect(h.logLines.some((line) => line.includes(JSON.stringify(sent.email).slice(1, -1))), 'email in a log line').toBe(false);
      }),
      { numRuns: runs(200) },
    );
  });

  it.each(NAME_FRAGMENTS.map((fragment) => [JSON.stringify(fragment), fragment]))('keeps the name %s byte for byte', async (_label, fragment) => {
    const sent = person(++serial, { first_name: fragment, last_name: `${fragment} ${fragment}`, email: unique('edge@example.edu') });
    const response = await send(JSON.stringify(sent));
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await h.settle();
    const row = (await h.relay.store.read.signups.get(id))!;
    expect(Buffer.from(row.first_name!, 'utf8').equals(Buffer.from(fragment.trim(), 'utf8'))).toBe(true);
    const referral = (await h.referrals()).referrals.find((r) => r.id === row.referral_id)!;
    expect([referral.first_name, referral.last_name]).toEqual([fragment.trim(), `${fragment} ${fragment}`.trim()]);
  });

  it('treats NFC and NFD spellings of an email as two people and keeps both spellings', async () => {
    const nfc = `r${++serial}-jos\u00e9@example.edu`;
    const nfd = nfc.normalize('NFD');
    for (const email of [nfc, nfd]) {
      const response = await send(JSON.stringify(person(serial, { email })));
      expect(response.status).toBe(202);
      expect((await h.relay.store.read.signups.get(((await response.json()) as { id: string }).id))!.email).toBe(email);
    }
  });

  it('refuses text with a lone UTF-16 surrogate (it has no UTF-8 form, so it could not be stored verbatim)', async () => {
    const field = fc.constantFrom('first_name', 'last_name', 'email', 'profile_picture');
    const lone = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ude00x', 'a\ud83d');
    await fc.assert(
      fc.asyncProperty(field, lone, fc.integer({ min: 0, max: 5 }), async (name, surrogate, at) => {
        const base: Body = { ...person(++serial), email: unique('lone@example.edu'), profile_picture: 'https://example.edu/p.png' };
        const value = base[name] as string;
        // In the part each rule otherwise accepts: anywhere in names, the local part, the URL's path.
        const cut = name === 'profile_picture' ? value.length - at : at;
        const broken = `${value.slice(0, cut)}${surrogate}${value.slice(cut)}`;
        const response = await refusedChangesNothing(() => send(JSON.stringify({ ...base, [name]: broken })), name);
        expect(response.status).toBe(400);
      }),
      { numRuns: runs(40) },
    );
  });

  it('refuses bodies that are not UTF-8 with a 400, storing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(invalidUtf8, async (bytes) => {
        const response = await refusedChangesNothing(() => send(bytes), 'invalid utf-8');
        expect(response.status).toBe(400);
      }),
      { numRuns: runs(60) },
    );
  });

  it.each([
    ['33 KB of valid JSON', () => JSON.stringify({ ...person(1), metadata: { pad: 'x'.repeat(33 * 1024) } })],
    ['5 MB of valid JSON', () => JSON.stringify({ ...person(1), metadata: { pad: 'é'.repeat(2.5 * 1024 * 1024) } })],
    ['5 MB of nested arrays', () => '['.repeat(5 * 1024 * 1024)],
  ])('refuses %s with a 413, storing nothing', async (_label, make) => {
    const response = await refusedChangesNothing(() => send(make()), 'huge');
    expect(response.status).toBe(413);
  });

  it.each([
    ['10k nested arrays', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['5k nested objects', `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`],
    ['metadata nested 4k deep', JSON.stringify(person(1)).replace(/}$/, `,"metadata":{"a":${'['.repeat(4_000)}${']'.repeat(4_000)}}}`)],
  ])('refuses %s with a 400 (was a 500 with an Idempotency-Key)', async (_label, text) => {
    const response = await refusedChangesNothing(() => send(text, { 'idempotency-key': `deep-${++serial}` }), 'deep');
    expect(response.status).toBe(400);
  });

  it('accepts nesting up to 128 levels (brackets inside strings do not count) and refuses deeper', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200 }), fc.boolean(), async (arrays, bracketsInStrings) => {
        const inner = bracketsInStrings ? '"[[[{{{"' : '1';
        // The body is level 1, metadata level 2, then `arrays` more levels.
        const metadata = `{"a":${'['.repeat(arrays)}${inner}${']'.repeat(arrays)}}`;
        const text = JSON.stringify({ ...person(1), email: unique('nest@example.edu') }).replace(/}$/, `,"metadata":${metadata}}`);
        const response = await refusedChangesNothing(() => send(text, { 'idempotency-key': `nest-${serial}` }), `depth ${arrays + 2}`);
        expect(response.status, `depth ${arrays + 2}`).toBe(arrays + 2 <= 128 ? 202 : 400);
        if (response.status === 202) {
          const { id } = (await response.json()) as { id: string };
          expect((await h.admin(`/signups/${id}`)).status).toBe(200);
        }
      }),
      { numRuns: runs(40) },
    );
  });

  it('refuses every content type that is not JSON with a 415, storing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(nonJsonContentType, async (type) => {
        const body = JSON.stringify({ ...person(1), email: unique('ct@example.edu') });
        const response = await refusedChangesNothing(
          () => h.relay.app.request('/v1/signups', { method: 'POST', headers: type ? { 'content-type': type } : {}, body }),
          type,
        );
        expect(response.status).toBe(415);
      }),
      { numRuns: runs(60) },
    );
  });

  it('answers any Idempotency-Key header value without a 5xx; only printable ASCII up to 255 is taken', async () => {
    await fc.assert(
      fc.asyncProperty(headerValue, async (key) => {
        const body = JSON.stringify({ ...person(1), email: unique('key@example.edu') });
        const header = new Headers({ k: key }).get('k')!; // as fetch delivers it: trimmed
        const seen = (await h.relay.store.read.sql.get('SELECT 1 FROM signups WHERE client_key = ?', [`api:${header}`])) !== undefined;
        const response = await refusedChangesNothing(() => send(body, { 'idempotency-key': key }), `key ${key.slice(0, 40)}`);
        const valid = /^[\x20-\x7e]{1,255}$/.test(header);
        // A key used before with another body is a conflict (each run's body is a new person).
        expect(response.status, header).toBe(!valid ? 400 : seen ? 422 : 202);
      }),
      { numRuns: runs(120) },
    );
  });

  it('refuses a header key that differs from the body key, and a reused key with another body (422)', async () => {
    const key = `k-${++serial}`;
    const first = { ...person(1), email: unique('idem@example.edu') };
    expect((await send(JSON.stringify(first), { 'idempotency-key': key })).status).toBe(202);
    const differs = await refusedChangesNothing(() => send(JSON.stringify({ ...first, idempotency_key: 'other' }), { 'idempotency-key': key }), 'differs');
    expect(differs.status).toBe(400);
    const reused = await refusedChangesNothing(() => send(JSON.stringify({ ...first, first_name: 'Changed' }), { 'idempotency-key': key }), 'reused');
    expect(reused.status).toBe(422);
  });

  it('refuses metadata with a top-level "__proto__" key instead of silently dropping it', async () => {
    const fields = `"impression_id":"imp_demo_1","first_name":"A","last_name":"B","email":"${unique('proto@example.edu')}"`;
    const body = `{${fields},"metadata":{"__proto__":{"admin":true},"a":1}}`;
    const response = await refusedChangesNothing(() => send(body), '__proto__');
    expect(response.status).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    const issues = (await expectErrorShape(response)).issues as Array<{ path: string }>;
    expect(issues.map((issue) => issue.path)).toContain('metadata');
  });
});
