/**
 * Webflow, Supabase, Mailchimp, Jotform and a Gravity-Forms-style header token, each signed
 * (or tokened) exactly as its vendor documents, through the real relay into the emulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upstreamIdempotencyKey } from '@vantio/shared';
import { createHarness, type Harness } from '../testing';
import { SIGNATURE_REJECTED } from './routes';
import { compileSources } from './sources';
import {
  compact,
  HEADER_TOKEN,
  jotformBody,
  mailchimpBody,
  MORE_SOURCES,
  SUPABASE_NEW_SECRET,
  SUPABASE_SECRETS,
  supabaseDbBody,
  supabaseHeaders,
  URL_TOKEN,
  WEBFLOW_SECRET,
  webflowHeaders,
} from './test-helpers';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ webhookSources: compileSources(MORE_SOURCES) });
});
afterEach(async () => {
  await h.close();
});

const FORM = 'application/x-www-form-urlencoded';
const clock = (offsetMs = 0) => new Date(h.clock.now + offsetMs);
type Body = string | Uint8Array;
const deliver = (path: string, body: Body, headers: Record<string, string>, contentType = 'application/json') =>
  h.relay.app.request(`/v1/webhooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : Buffer.from(body),
  });
const count = async (table: string) =>
  Number((await h.relay.store.read.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);
const stored = async () => ({
  signups: await count('signups'),
  deliveries: await count('webhook_deliveries'),
  payloads: await count('webhook_payloads'),
});
const webflow = compact('webflow-form-submission');
const supabase = compact('supabase-before-user-created');
const mailchimp = mailchimpBody();
const supabaseDb = supabaseDbBody();

interface Delivery {
  path: string;
  body: Body;
  headers: Record<string, string>;
  contentType?: string;
}
const send = (d: Delivery) => deliver(d.path, d.body, d.headers, d.contentType);

const valid: Record<string, () => Promise<Delivery>> = {
  webflow: async () => ({ path: 'webflow', body: webflow, headers: webflowHeaders(WEBFLOW_SECRET, clock(), webflow) }),
  supabase: async () => ({ path: 'supabase', body: supabase, headers: supabaseHeaders(SUPABASE_NEW_SECRET, 'msg_sb1', clock(), supabase) }),
  'supabase-db': async () => ({ path: 'supabase-db', body: supabaseDb, headers: { 'x-relay-token': HEADER_TOKEN } }),
  mailchimp: async () => ({ path: `mailchimp?token=${URL_TOKEN}`, body: mailchimp, headers: {}, contentType: FORM }),
  jotform: async () => {
    const { body, contentType } = await jotformBody();
    return { path: `jotform?token=${URL_TOKEN}`, body, headers: {}, contentType };
  },
  gravity: async () => {
    const body = 'entry%5Bid%5D=41&entry%5Bimpression%5D=imp_demo_5&entry%5Bfirst%5D=Kai&entry%5Blast%5D=Lund&entry%5Bemail%5D=kai.lund%40example.edu';
    return { path: 'gravity', body, headers: { authorization: `Bearer ${HEADER_TOKEN}` }, contentType: FORM };
  },
};

const expected = {
  webflow: { impression_id: 'imp_demo_1', first_name: 'Zara', last_name: 'Haddad', email: 'zara.haddad@example.edu' },
  supabase: { impression_id: 'imp_demo_2', first_name: 'Tomás', last_name: 'Reyes', email: 'tomas.reyes@example.edu' },
  'supabase-db': { impression_id: 'imp_demo_2', first_name: 'Tomás', last_name: 'Reyes', email: 'tomas.reyes@example.edu' },
  mailchimp: { impression_id: 'imp_demo_3', first_name: 'Noor', last_name: 'Aziz', email: 'noor.aziz@example.edu' },
  jotform: { impression_id: 'imp_demo_4', first_name: 'Ines', last_name: 'Moreau', email: 'ines.moreau@example.edu' },
  gravity: { impression_id: 'imp_demo_5', first_name: 'Kai', last_name: 'Lund', email: 'kai.lund@example.edu' },
};

describe('each sender, as documented: accepted, stored with its source, forwarded once', () => {
  it.each(Object.keys(valid) as (keyof typeof valid & keyof typeof expected)[])('%s', async (name) => {
    const delivery = await valid[name]!();
    const response = await send(delivery);
    // A Supabase auth hook refuses the user on anything but 200/204.
    expect(response.status).toBe(name === 'supabase' ? 200 : 202);
    const receipt = (await response.json()) as { status: string; id: string };
    expect(receipt.status).toBe('accepted');
    expect((await h.relay.store.read.signups.get(receipt.id))?.source).toBe(name);
    // The sender's retry of the same delivery does nothing again.
    const again = await send(await valid[name]!());
    expect(await again.json()).toMatchObject({ status: 'replayed', id: receipt.id });
    await h.settle();
    const { referrals, create_calls } = await h.referrals();
    expect(referrals).toEqual([expect.objectContaining(expected[name])]);
    expect(create_calls).toEqual({ [upstreamIdempotencyKey(expected[name].impression_id, expected[name].email)]: 1 });
    expect(await stored()).toEqual({ signups: 1, deliveries: 1, payloads: 0 });
    expect(h.logLines.join('')).not.toContain(expected[name].email);
    expect(h.logLines.join('')).not.toContain(URL_TOKEN);
  });
});

describe('tampered, stale, wrong-secret and missing signatures: 401, nothing stored', () => {
  const tamperedWebflow = webflow.replace('imp_demo_1', 'imp_evil_1');
  const tamperedSupabase = supabase.replace('imp_demo_2', 'imp_evil_1');
  const cases: [string, () => Promise<Delivery>][] = [
    ['webflow: tampered body', async () => ({ path: 'webflow', body: tamperedWebflow, headers: webflowHeaders(WEBFLOW_SECRET, clock(), webflow) })],
    ['webflow: wrong secret', async () => ({ path: 'webflow', body: webflow, headers: webflowHeaders('not-the-client-secret-000', clock(), webflow) })],
    ['webflow: 5 min + 1 s old', async () => ({ path: 'webflow', body: webflow, headers: webflowHeaders(WEBFLOW_SECRET, clock(-301_000), webflow) })],
    ['webflow: from the future', async () => ({ path: 'webflow', body: webflow, headers: webflowHeaders(WEBFLOW_SECRET, clock(301_000), webflow) })],
    ['webflow: timestamp in seconds, re-signed', async () => {
      const headers = webflowHeaders(WEBFLOW_SECRET, clock(), webflow);
      return { path: 'webflow', body: webflow, headers: { ...headers, 'x-webflow-timestamp': String(Math.floor(h.clock.now / 1000)) } };
    }],
    ['webflow: no headers', async () => ({ path: 'webflow', body: webflow, headers: {} })],
    ['supabase: tampered body', async () => ({ path: 'supabase', body: tamperedSupabase, headers: supabaseHeaders(SUPABASE_NEW_SECRET, 'm', clock(), supabase) })],
    ['supabase: wrong secret', async () => ({ path: 'supabase', body: supabase, headers: supabaseHeaders('v1,whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC0wMDAw', 'm', clock(), supabase) })],
    ['supabase: stale', async () => ({ path: 'supabase', body: supabase, headers: supabaseHeaders(SUPABASE_NEW_SECRET, 'm', clock(-301_000), supabase) })],
    ['supabase-db: wrong header token', async () => ({ path: 'supabase-db', body: supabaseDb, headers: { 'x-relay-token': URL_TOKEN } })],
    ['supabase-db: no header', async () => ({ path: 'supabase-db', body: supabaseDb, headers: {} })],
    ['mailchimp: wrong token', async () => ({ path: 'mailchimp?token=url-token-2b7e151628aed2a6abf8', body: mailchimp, headers: {}, contentType: FORM })],
    ['mailchimp: token as a prefix', async () => ({ path: `mailchimp?token=${URL_TOKEN.slice(0, -1)}`, body: mailchimp, headers: {}, contentType: FORM })],
    ['mailchimp: no token', async () => ({ path: 'mailchimp', body: mailchimp, headers: {}, contentType: FORM })],
    ['jotform: wrong token', async () => ({ ...(await valid.jotform!()), path: 'jotform?token=nope' })],
    ['gravity: token in the wrong scheme', async () => ({ ...(await valid.gravity!()), headers: { authorization: `Basic ${HEADER_TOKEN}` } })],
    ['gravity: token in the query instead of the header', async () => ({ ...(await valid.gravity!()), path: `gravity?token=${HEADER_TOKEN}`, headers: {} })],
  ];
  it.each(cases)('%s', async (_name, delivery) => {
    const response = await send(await delivery());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'Unauthorized', message: SIGNATURE_REJECTED });
    expect(await stored()).toEqual({ signups: 0, deliveries: 0, payloads: 0 });
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(0);
  });

  it('accepts either Supabase secret of a "|" rotation', async () => {
    const old = SUPABASE_SECRETS.split('|')[0]!;
    const response = await send({ path: 'supabase', body: supabase, headers: supabaseHeaders(old, 'msg_old', clock(), supabase) });
    expect(response.status).toBe(200);
  });

  it('shared-secret has no body integrity: a changed body with the right token is accepted (documented)', async () => {
    const changed = mailchimp.replace('Noor', 'Nour');
    const response = await deliver(`mailchimp?token=${URL_TOKEN}`, changed, {}, FORM);
    expect(response.status).toBe(202);
  });
});

describe('form-encoded and multipart bodies', () => {
  it('answers Mailchimp\'s GET URL check only with the right token, storing nothing', async () => {
    const ok = await h.relay.app.request(`/v1/webhooks/mailchimp?token=${URL_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok' });
    expect((await h.relay.app.request('/v1/webhooks/mailchimp?token=wrong')).status).toBe(401);
    // Sources without a URL check still refuse GET.
    expect((await h.relay.app.request('/v1/webhooks/webflow')).status).toBe(405);
    expect(await stored()).toEqual({ signups: 0, deliveries: 0, payloads: 0 });
  });

  it('ignores Mailchimp events other than subscribe', async () => {
    const profile = mailchimp.replace('type=subscribe', 'type=profile');
    const response = await deliver(`mailchimp?token=${URL_TOKEN}`, profile, {}, FORM);
    expect(await response.json()).toMatchObject({ status: 'ignored', event_type: 'profile' });
  });

  it('keeps an unmappable form payload as JSON, so an admin can read, replay and erase it', async () => {
    const noImpression = mailchimp.replace('&data%5Bmerges%5D%5BIMPRESSION%5D=imp_demo_3', '');
    const response = await deliver(`mailchimp?token=${URL_TOKEN}`, noImpression, {}, FORM);
    expect(response.status).toBe(422);
    const { payload_id } = (await response.json()) as { payload_id: string };
    const kept = (await (await h.admin(`/webhook-payloads/${payload_id}`)).json()) as { payload: { data: { email: string } } };
    expect(kept.payload.data.email).toBe('noor.aziz@example.edu');
    expect((await h.admin('/people/noor.aziz@example.edu', { method: 'DELETE' })).status).toBe(200);
    expect((await stored()).payloads).toBe(0);
  });

  it('keeps a Jotform submission whose rawRequest is not JSON, and dedupes its retry by submissionID', async () => {
    const form = new FormData();
    form.set('submissionID', '777');
    form.set('rawRequest', '{"q3_name":');
    const request = new Request('http://x.invalid', { method: 'POST', body: form });
    const body = new Uint8Array(await request.arrayBuffer());
    const type = request.headers.get('content-type')!;
    const first = await deliver(`jotform?token=${URL_TOKEN}`, body, {}, type);
    expect(first.status).toBe(422);
    const retry = await deliver(`jotform?token=${URL_TOKEN}`, body, {}, type);
    expect(await retry.json()).toMatchObject({ status: 'replayed', delivery_id: '777', first_outcome: 'unmappable' });
  });

  it('skips file parts of a multipart body', async () => {
    const { body, contentType } = await jotformBody();
    const boundary = contentType.split('boundary=')[1]!;
    const file = `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="cv.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7 binary\r\n`;
    const withFile = Buffer.concat([Buffer.from(file), Buffer.from(body)]);
    expect((await deliver(`jotform?token=${URL_TOKEN}`, withFile, {}, contentType)).status).toBe(202);
  });

  it.each([
    ['a JSON-only source sent a form', 'webflow', 'a=1', FORM, 415, 'Content-Type must be application/json'],
    ['a form-only source sent JSON', `mailchimp?token=${URL_TOKEN}`, '{}', 'application/json', 415, 'Content-Type must be application/x-www-form-urlencoded'],
    ['too deep bracket keys', `mailchimp?token=${URL_TOKEN}`, 'a[b][c][d][e][f][g][h][i][j]=1', FORM, 400, 'nested deeper'],
    ['too many fields', `mailchimp?token=${URL_TOKEN}`, Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&'), FORM, 400, 'more than 1000 fields'],
    ['not UTF-8', `mailchimp?token=${URL_TOKEN}`, Buffer.from([0x61, 0x3d, 0xff]), FORM, 400, 'not valid UTF-8'],
    ['a multipart body without a boundary', `jotform?token=${URL_TOKEN}`, 'x', 'multipart/form-data; charset=utf-8', 400, 'boundary'],
    ['a truncated multipart body', `jotform?token=${URL_TOKEN}`, '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue', 'multipart/form-data; boundary=b', 400, 'multipart'],
    ['a form over 256 KB', `mailchimp?token=${URL_TOKEN}`, `a=${'x'.repeat(256 * 1024)}`, FORM, 413, 'at most 256 KB'],
  ])('refuses %s with a clear error and stores nothing', async (_name, path, body, type, status, message) => {
    const response = await deliver(path, body as Body, {}, type);
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toEqual(expect.any(String));
    expect(answer.message).toContain(message);
    expect(await stored()).toEqual({ signups: 0, deliveries: 0, payloads: 0 });
  });

  it('drops __proto__ and constructor keys of a form instead of setting them', async () => {
    const body = `${mailchimp}&__proto__%5Bpolluted%5D=1&data%5B__proto__%5D%5Bx%5D=1&constructor%5Bprototype%5D%5By%5D=1`;
    expect((await deliver(`mailchimp?token=${URL_TOKEN}`, body, {}, FORM)).status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).y).toBeUndefined();
  });
});

describe('Supabase: the hook never blocks a signup it cannot map', () => {
  it('answers 200 without an error key, and keeps the payload for the admin', async () => {
    const organic = JSON.stringify({ ...JSON.parse(supabase), user: { ...JSON.parse(supabase).user, user_metadata: {} } });
    const response = await send({ path: 'supabase', body: organic, headers: supabaseHeaders(SUPABASE_NEW_SECRET, 'msg_org', clock(), organic) });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ status: 'unmappable', payload_id: expect.stringMatching(/^whp_/) });
    expect(answer).not.toHaveProperty('error');
    expect(await stored()).toEqual({ signups: 0, deliveries: 1, payloads: 1 });
  });
});
