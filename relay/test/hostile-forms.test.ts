/**
 * Hostile form-encoded and multipart bodies (issue 14), past the token check so the parsers
 * themselves are exercised: never a 5xx, every refusal in the `{error, message}` shape, and
 * no prototype ever polluted, whatever the keys, brackets, boundaries or bytes.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../src/testing';
import { compileSources } from '../src/webhooks/sources';
import { expectClientSafe, runs } from './hostile-helpers';

const TOKEN = 'hostile-forms-token-0123456789';
let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    webhookSources: compileSources({
      sources: {
        mailchimp: { preset: 'mailchimp', secrets: [TOKEN] },
        jotform: { preset: 'jotform', secrets: [TOKEN] },
      },
    }),
  });
});
afterAll(async () => {
  await h.close();
});

const deliver = (source: string, body: Uint8Array | string, contentType: string) =>
  h.relay.app.request(`/v1/webhooks/${source}?token=${TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : Buffer.from(body),
  });

const keyPart = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'data', 'merges', 'FNAME', '', '0', '99999999', 'rawRequest', 'toString'),
  fc.string({ maxLength: 8 }),
);
const bracketKey = fc
  .tuple(keyPart, fc.array(keyPart, { maxLength: 12 }))
  .map(([head, rest]) => `${head}${rest.map((part) => `[${part}]`).join('')}`);
const value = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('{"q3_name":{"first":"A"}}', '{', '[]', 'null', '%FF', '\u0000'));
const pairs = fc.array(fc.tuple(bracketKey, value), { maxLength: 30 });

function checkNoPollution() {
  for (const name of ['polluted', 'y', 'x', 'FNAME', 'data', '0']) {
    expect((Object.prototype as Record<string, unknown>)[name], `Object.prototype.${name}`).toBeUndefined();
  }
}

describe('form-encoded bodies', () => {
  it('never answer 5xx, for structured bracket keys or raw bytes', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, async (list) => {
        const encoded = list.map(([key, val]) => `${encodeURIComponent(key)}=${encodeURIComponent(val)}`).join('&');
        await expectClientSafe(await deliver('mailchimp', encoded, 'application/x-www-form-urlencoded'), encoded.slice(0, 200));
        checkNoPollution();
      }),
      { numRuns: runs(120) },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        await expectClientSafe(await deliver('mailchimp', bytes, 'application/x-www-form-urlencoded; charset=utf-8'), 'bytes');
      }),
      { numRuns: runs(80) },
    );
  });
});

describe('multipart bodies', () => {
  it('never answer 5xx, for well-formed fields with hostile names or broken framing', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, fc.boolean(), async (list, addFile) => {
        const form = new FormData();
        for (const [key, val] of list) form.append(key, val);
        if (addFile) form.append('upload', new Blob([new Uint8Array([0, 1, 2, 255])]), 'x.bin');
        const request = new Request('http://x.invalid', { method: 'POST', body: form });
        const body = new Uint8Array(await request.arrayBuffer());
        await expectClientSafe(await deliver('jotform', body, request.headers.get('content-type')!), JSON.stringify(list).slice(0, 200));
        checkNoPollution();
      }),
      { numRuns: runs(100) },
    );
    const boundary = fc.oneof(fc.constant('b'), fc.string({ minLength: 0, maxLength: 80 }));
    await fc.assert(
      fc.asyncProperty(boundary, fc.uint8Array({ maxLength: 400 }), async (b, bytes) => {
        const type = `multipart/form-data; boundary=${b}`;
        const framed = Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\n`), Buffer.from(bytes)]);
        await expectClientSafe(await deliver('jotform', framed, type), `boundary ${JSON.stringify(b)}`);
      }),
      { numRuns: runs(100) },
    );
  });
});
