/**
 * Hostile input against `POST /v1/webhooks/:source` (issue 6). Bodies are signed with the
 * source's real secret so fuzzed JSON gets past the signature check and exercises mapping
 * and validation; signatures and their headers are fuzzed too. Never a 5xx; every refusal
 * in the `{error, message}` shape with nothing stored — except a verified but unmappable
 * payload, which is kept (422 + payload_id) by design; accepted fields stored and
 * forwarded verbatim.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../src/testing';
import {
  acceptableEmail,
  acceptableImpression,
  acceptableMetadata,
  acceptableName,
  anyJson,
  headerValue,
  hostileValue,
  invalidUtf8,
  nonJsonContentType,
} from './arbitraries';
import {
  canonicalJson,
  expectClientSafe,
  expectErrorShape,
  hmacSignature,
  hostileSources,
  standardSignature,
  runs,
  storeFingerprint,
} from './hostile-helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ webhookSources: hostileSources() });
});
afterAll(async () => {
  await h.close();
});

let serial = 0;
type HeaderMap = Record<string, string>;

const deliver = async (source: string, body: string | Uint8Array<ArrayBuffer>, headers: HeaderMap, contentType = 'application/json') =>
  h.relay.app.request(`/v1/webhooks/${source}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
const signedHmac = (body: string | Uint8Array<ArrayBuffer>) => deliver('hmac', body, { 'x-signature': hmacSignature(body) });

/** Delivers, then checks: no 5xx, error shape, and what a refusal may have stored (nothing, or one kept payload for a 422). */
async function deliverChecked(send: () => Response | Promise<Response>, label: string, sentBody?: string): Promise<Response> {
  await h.settle();
  const before = await storeFingerprint(h);
  const response = await send();
  await expectClientSafe(response.clone(), label);
  await h.settle();
  const after = await storeFingerprint(h);
  if (response.status === 422) {
    const body = await expectErrorShape(response.clone());
    expect(body.payload_id, 'a verified, unmappable payload is kept').toEqual(expect.stringMatching(/^whp_/));
    expect({ signups: after.signups, payloads: after.payloads, deliveries: after.deliveries }).toEqual({
      signups: before.signups,
      payloads: before.payloads + 1,
      deliveries: before.deliveries + 1,
    });
    // An admin can read it back, exactly as it came.
    const kept = await h.admin(`/webhook-payloads/${body.payload_id as string}`);
    expect(kept.status, `GET the kept payload: ${await kept.clone().text().then((t) => t.slice(0, 200))}`).toBe(200);
    if (sentBody !== undefined) {
      expect(canonicalJson(((await kept.json()) as { payload: unknown }).payload)).toBe(canonicalJson(JSON.parse(sentBody)));
    }
  } else if (response.status >= 400) {
    expect(after, `${label}: a ${response.status} stored something`).toEqual(before);
  }
  return response;
}

const text = fc.oneof(acceptableName, hostileValue);
/** A payload shaped like the `hmac` source's mapping, with any values (or none) in its fields. */
const hmacPayload = fc.record(
  {
    impression: fc.oneof(acceptableImpression, hostileValue),
    person: fc.oneof(
      fc.record({ first: text, last: text, email: fc.oneof(acceptableEmail, hostileValue), plan: anyJson }, { requiredKeys: [] }),
      hostileValue,
    ),
    picture: fc.oneof(fc.webUrl(), hostileValue),
    extra: anyJson,
    id: hostileValue, // the configured delivery id path
  },
  { requiredKeys: [] },
);

const decodedOr = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

describe('POST /v1/webhooks/:source under hostile input', () => {
  it('answers any signed JSON without a 5xx: accepted, a duplicate, or a 422 that keeps the payload verbatim', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hmacPayload, anyJson), async (payload) => {
        const body = JSON.stringify(payload);
        const response = await deliverChecked(() => signedHmac(body), body.slice(0, 80), body);
        expect([200, 202, 422], await response.clone().text()).toContain(response.status);
      }),
      { numRuns: runs(300) },
    );
  });

  it('stores and forwards mapped fields verbatim, metadata included', async () => {
    const metadataValue = fc.oneof(acceptableName, acceptableMetadata, fc.constantFrom(true, 0, 'x'));
    const fields = [acceptableImpression, acceptableName, acceptableName, acceptableEmail, metadataValue, metadataValue] as const;
    await fc.assert(
      fc.asyncProperty(...fields, async (impression, first, last, email, extra, plan) => {
        const address = `w${++serial}-${email}`;
        const body = JSON.stringify({ impression, person: { first, last, email: address, plan }, picture: 'https://example.edu/p.png', extra });
        const response = await deliverChecked(() => signedHmac(body), 'valid');
        expect(response.status, await response.clone().text()).toBe(202);
        const { id } = (await response.json()) as { id: string };
        await h.settle();
        const row = (await h.relay.store.read.signups.get(id))!;
        const mapped = { impression_id: impression, first_name: first.trim(), last_name: last.trim(), email: address };
        expect(row).toMatchObject({ source: 'hmac', state: 'delivered', ...mapped });
        const expectedMetadata = canonicalJson({ extra, plan });
        expect(canonicalJson(JSON.parse(row.metadata!))).toBe(expectedMetadata);
        const referral = (await h.referrals()).referrals.find((r) => r.id === row.referral_id)!;
        expect(referral).toMatchObject({ impression_id: impression, first_name: first.trim(), last_name: last.trim(), email: address });
        expect(canonicalJson(referral.metadata)).toBe(expectedMetadata);
      }),
      { numRuns: runs(100) },
    );
  });

  it('refuses any signature that is not the right one with a 401, storing nothing', async () => {
    const body = JSON.stringify({ impression: 'imp_demo_1', person: { first: 'Sig', last: 'Fuzz', email: 'sig@example.edu' } });
    const right = hmacSignature(body);
    const wrong = fc.oneof(
      headerValue,
      fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256=${hex}`),
      fc.constantFrom(right.slice(0, -1), `${right}0`, right.replace('sha256=', ''), right.replace('sha256=', 'sha1=')),
      fc.constantFrom(hmacSignature(`${body} `), `${right}, ${right}`, 'sha256=', `sha256=${'0'.repeat(64)}`),
    );
    await fc.assert(
      fc.asyncProperty(wrong, async (signature) => {
        const delivered = new Headers({ s: signature }).get('s')!.trim().toLowerCase();
        fc.pre(delivered !== right);
        const response = await deliverChecked(() => deliver('hmac', body, { 'x-signature': signature }), signature.slice(0, 60));
        expect(response.status).toBe(401);
      }),
      { numRuns: runs(120) },
    );
    // Unsigned, and Standard Webhooks headers that are malformed, stale, from the future or for another id.
    const at = h.clock.now;
    const good = standardSignature('msg_1', at, body);
    for (const headers of [
      {},
      { ...good, 'webhook-id': 'msg_2' },
      { ...good, 'webhook-timestamp': String(Math.floor(at / 1000) - 3600) },
      { ...good, 'webhook-timestamp': String(Math.floor(at / 1000) + 3600) },
      { ...good, 'webhook-timestamp': '1e9' },
      { ...good, 'webhook-timestamp': '-1' },
      { ...good, 'webhook-signature': good['webhook-signature'].replace('v1,', 'v2,') },
      { ...good, 'webhook-signature': ` ${'v1,x '.repeat(500)}` },
      standardSignature('msg_1', at - 3_600_000, body),
    ]) {
      const response = await deliverChecked(() => deliver('standard', body, headers), JSON.stringify(headers).slice(0, 80));
      expect(response.status).toBe(401);
    }
  });

  it('answers Standard Webhooks deliveries with fuzzed ids and bodies without a 5xx', async () => {
    const mappable = fc.record({ data: fc.record({ impression: acceptableImpression, first: text, last: text, email: acceptableEmail }) });
    await fc.assert(
      fc.asyncProperty(headerValue, fc.oneof(anyJson, mappable), async (id, payload) => {
        const body = JSON.stringify(payload);
        const sentId = new Headers({ i: id }).get('i')!; // as it arrives: trimmed
        const headers = standardSignature(sentId, h.clock.now, body);
        const response = await deliverChecked(() => deliver('standard', body, headers), `${id.slice(0, 30)} ${body.slice(0, 40)}`, body);
        // An empty id is no id; anything else verifies and then maps, replays or is kept.
        expect(sentId ? [200, 202, 422] : [401]).toContain(response.status);
      }),
      { numRuns: runs(100) },
    );
  });

  it('refuses signed bodies that are not UTF-8 with a 400, storing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(invalidUtf8, async (bytes) => {
        const response = await deliverChecked(() => signedHmac(bytes), 'invalid utf-8');
        expect(response.status).toBe(400);
      }),
      { numRuns: runs(40) },
    );
  });

  it.each([
    ['257 KB of JSON', () => JSON.stringify({ impression: 'imp_demo_1', extra: 'x'.repeat(257 * 1024) })],
    ['4 MB of nested arrays', () => '['.repeat(4 * 1024 * 1024)],
  ])('refuses %s with a 413, signed or not, storing nothing', async (_label, make) => {
    const body = make();
    expect((await deliverChecked(() => signedHmac(body), 'huge signed')).status).toBe(413);
    expect((await deliverChecked(() => deliver('hmac', body, {}), 'huge unsigned')).status).toBe(413);
  });

  it.each([
    ['100k nested arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['30k nested objects', `${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}`],
    ['extra nested 4k deep', `{"impression":"imp_demo_1","extra":${'['.repeat(4000)}${']'.repeat(4000)}}`],
    ['broken JSON', '{"impression":'],
  ])('refuses signed %s with a 400 (a kept 100k-deep payload was a 500 for the admin reading it)', async (_label, body) => {
    const response = await deliverChecked(() => signedHmac(body), 'deep');
    expect(response.status).toBe(400);
  });

  it.each([
    [127, 202],
    [128, 422],
  ])('takes a signed payload nested %i deep (%i) and lets an admin read it back', async (depth, status) => {
    // The mapped fields sit at levels 2-3; `extra` (metadata) carries the depth.
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const fields = `"impression":"imp_demo_1","person":{"first":"D","last":"E","email":"deep${depth}@example.edu"}`;
    const body = status === 202 ? `{${fields},"extra":${nested(depth - 1)}}` : `{"impression":${nested(depth - 1)}}`;
    const response = await deliverChecked(() => signedHmac(body), `depth ${depth}`, body);
    expect(response.status).toBe(status);
  });

  it('refuses non-JSON content types (415), unknown sources (404) and other methods (405), storing nothing', async () => {
    const body = JSON.stringify({ impression: 'imp_demo_1' });
    await fc.assert(
      fc.asyncProperty(nonJsonContentType, async (type) => {
        const response = await deliverChecked(
          () =>
            h.relay.app.request('/v1/webhooks/hmac', {
              method: 'POST',
              headers: { ...(type ? { 'content-type': type } : {}), 'x-signature': hmacSignature(body) },
              body,
            }),
          type,
        );
        expect(response.status).toBe(415);
      }),
      { numRuns: runs(40) },
    );
    const segment = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
      fc.constantFrom('HMAC', 'hmac ', '..', '%2e%2e', 'widget', 'api', '__proto__', 'constructor', 'hmac%00'),
    );
    await fc.assert(
      fc.asyncProperty(segment, async (name) => {
        fc.pre(![name, decodedOr(name)].some((candidate) => candidate === 'hmac' || candidate === 'standard'));
        const path = `/v1/webhooks/${encodeURIComponent(name).replace(/%25/g, '%')}`;
        const response = await deliverChecked(() => h.relay.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body }), path);
        expect([404, 405]).toContain(response.status);
      }),
      { numRuns: runs(60) },
    );
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND']) {
      const response = await deliverChecked(() => h.relay.app.request('/v1/webhooks/hmac', { method, headers: { 'x-signature': hmacSignature(body) } }), method);
      expect(response.status, method).toBe(405);
    }
  });
});
