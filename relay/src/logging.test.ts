/**
 * The relay's logs carry route patterns, ids and counts — never emails, names, the admin
 * token or the Vantio key. This drives representative traffic (good, duplicate, bad,
 * bot, failing upstream, admin) through a real relay and reads every line it logged.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createHarness, EMULATOR_KEY, person, type Harness } from './testing';
import { compileSources } from './webhooks';

const METRICS_TOKEN = 'metrics-token-for-log-test-0123';
const WRONG_TOKEN = 'guessed-admin-token-9876543210';
const WEBHOOK_SECRET = 'webhook-secret-for-log-test-0123';

const people = [
  person(1, { first_name: 'Zoë', last_name: "O'Connell-Várady", email: 'zoe.oconnell@uni.example.edu' }),
  person(2, { first_name: 'Kwame', last_name: 'Mensah', email: 'Kwame.Mensah+posters@Campus.Example.org' }),
  person(3, { first_name: 'Ingrid', last_name: 'Søndergaard', email: 'ingrid.s@example.dk', impression_id: 'imp_not_there' }),
  person(4, { first_name: 'Rafael', last_name: 'Quintanilla', email: 'rafa.q@example.es', profile_picture: 'https://pics.example.es/rafa-private.jpg' }),
  person(5, { first_name: 'Mei', last_name: 'Tanaka', email: 'mei.tanaka@example.jp' }),
  person(6, { first_name: 'Botty', last_name: 'McBotface', email: 'bot@spam.example' }),
  person(7, { first_name: 'Hedy', last_name: 'Lamarr', email: 'hedy.lamarr@webhook.example.edu' }),
  person(8, { first_name: 'Chien-Shiung', last_name: 'Wu', email: 'cs.wu@webhook.example.edu' }),
];
type Person = ReturnType<typeof person>;
/** Every value that must never reach a log line (checked case-insensitively). */
const secrets = [
  ADMIN_TOKEN,
  EMULATOR_KEY,
  METRICS_TOKEN,
  WRONG_TOKEN,
  WEBHOOK_SECRET,
  'rafa-private.jpg',
  ...people.flatMap((p) => [p.email, encodeURIComponent(p.email), p.first_name, p.last_name]),
];

let h: Harness;
const responses: Response[] = [];
beforeAll(async () => {
  h = await createHarness({
    metricsToken: METRICS_TOKEN,
    webhookSources: compileSources({
      sources: {
        forms: {
          verifier: 'hmac-sha256',
          secrets: [WEBHOOK_SECRET],
          header: 'x-signature',
          map: { impression_id: 'impression', first_name: 'first', last_name: 'last', email: 'email' },
        },
      },
    }),
  });
  const track = async (response: Response | Promise<Response>) => {
    const settled = await response;
    responses.push(settled);
    await settled.clone().arrayBuffer(); // the whole exchange, as a client would see it
    return settled;
  };
  const [zoe, kwame, ingrid, rafael, mei, bot, hedy, wu] = people as [Person, Person, Person, Person, Person, Person, Person, Person];

  // Widget and API signups, a duplicate, a replayed key and a key conflict.
  await track(h.post({ ...zoe, time_to_fill_ms: 6_000, honeypot: '' }, { origin: 'https://club.example.edu' }));
  await track(h.post(kwame, { 'idempotency-key': 'kwame-submission-1' }));
  await track(h.post(kwame, { 'idempotency-key': 'kwame-submission-1' }));
  await track(h.post(bot, { 'idempotency-key': 'kwame-submission-1' }));
  await track(h.post({ ...zoe, email: zoe.email.toUpperCase() }));
  await track(h.post(ingrid));
  await track(h.post(rafael));
  // Bots and bad input: the refusals echo nothing personal into the logs either.
  await track(h.post({ ...bot, honeypot: 'http://spam.example', time_to_fill_ms: 9_000 }));
  await track(h.post({ ...mei, email: `${mei.email}@@` }));
  await track(h.post({ ...mei, first_name: '' }));
  await track(h.post(`{"email":"${mei.email}",`));
  await track(h.post({ ...mei, nickname: mei.first_name }));
  await track(h.post(mei, { origin: 'https://evil.example' }));
  await track(h.relay.app.request(`/v1/signups?email=${encodeURIComponent(mei.email)}`));
  await track(h.relay.app.request(`/nowhere/${encodeURIComponent(mei.email)}`));

  // Delivery: created, rejected (unknown impression), retried 503s until dead.
  await h.settle();
  await h.faults({ error_rate: 1 });
  await track(h.post(mei));
  for (const wait of [0, 5_000, 60_000, 600_000]) {
    h.clock.now += wait;
    await h.settle();
  }
  await h.faults({});

  // Admin and operations endpoints, with good and bad credentials.
  const ids = (await h.relay.store.read.sql.all('SELECT id FROM signups')) as { id: string }[];
  for (const { id } of ids) await track(h.admin(`/signups/${id}`));
  await track(h.admin('/stats'));
  await track(h.admin('/stats', { headers: { authorization: `Bearer ${WRONG_TOKEN}` } }));
  await track(h.relay.app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }));
  await track(h.relay.app.request('/metrics', { headers: { authorization: `Bearer ${WRONG_TOKEN}` } }));
  await track(h.relay.app.request('/readyz'));
  await track(h.admin(`/signups?email=${encodeURIComponent(kwame.email)}`));
  await track(h.admin(`/signups?email=not-an-email-${encodeURIComponent(mei.first_name)}`));
  await track(h.admin(`/export.csv?email=${encodeURIComponent(zoe.email)}`));
  const rejected = (await h.relay.store.read.sql.get(`SELECT id FROM signups WHERE state = 'rejected'`)) as { id: string };
  await track(
    h.admin(`/signups/${rejected.id}/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ impression_id: 'imp_demo_2' }),
    }),
  );
  await h.settle();

  // Webhooks: signed, badly signed, unmappable (kept), then the kept payload shown and replayed.
  const deliver = (payload: unknown, signature?: string) => {
    const body = JSON.stringify(payload);
    return h.relay.app.request('/v1/webhooks/forms', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature': signature ?? createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex'),
      },
      body,
    });
  };
  const hedyHook = { impression: 'imp_demo_3', first: hedy.first_name, last: hedy.last_name, email: hedy.email };
  await track(deliver(hedyHook));
  await track(deliver(hedyHook));
  await track(deliver(hedyHook, createHmac('sha256', 'wrong-secret-xx').update('x').digest('hex')));
  const unmappable = await track(deliver({ impression: 'imp_demo_3', first: wu.first_name, last: wu.last_name, mail: wu.email }));
  expect(unmappable.status).toBe(422);
  const { payload_id: payloadId } = (await unmappable.json()) as { payload_id: string };
  await track(h.admin('/webhook-payloads'));
  await track(h.admin(`/webhook-payloads/${payloadId}`));
  await track(h.admin(`/webhook-payloads/${payloadId}/replay`, { method: 'POST' }));
  await h.settle();

  // Erasure by email: the address is in the path; the log must carry the route pattern only.
  await track(h.admin(`/people/${encodeURIComponent(zoe.email)}`, { method: 'DELETE' }));
  await track(h.admin(`/people/${encodeURIComponent(hedy.email)}`, { method: 'DELETE' }));

  // A wrong Vantio key pauses delivery; its 401 must not echo the key into the logs.
  h.relay = await h.restart({ vantioSecretKey: 'sk_test_wrong_key_for_logs' });
  secrets.push('sk_test_wrong_key_for_logs');
  await track(h.post(person(7, { first_name: 'Aleksandra', last_name: 'Wiśniewska', email: 'ola.w@example.pl' })));
  secrets.push('Aleksandra', 'Wiśniewska', 'ola.w@example.pl');
  await h.settle();
  await track(h.relay.app.request('/readyz'));
});
afterAll(async () => {
  await h.close();
});

describe('structured logs', () => {
  it('logged the traffic as JSON lines with request ids', () => {
    const lines = h.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests.length).toBe(responses.length);
    for (const line of requests) {
      expect(line).toMatchObject({ service: 'vantio-relay', level: 30, request_id: expect.any(String), route: expect.any(String) });
    }
    const ids = responses.map((response) => response.headers.get('x-request-id'));
    expect(requests.map((line) => line.request_id)).toEqual(ids);
    expect(lines.filter((line) => line.msg === 'delivery attempt').map((line) => line.outcome)).toEqual(
      expect.arrayContaining(['created', 'rejected', 'retryable', 'unauthorized']),
    );
    // Sanity: the traffic really carried the PII this test looks for.
    expect(responses.map((response) => response.status)).toEqual(expect.arrayContaining([200, 202, 400, 401, 403, 404, 405, 422]));
    expect(lines.filter((line) => line.msg === 'webhook').length).toBeGreaterThanOrEqual(3);
    expect(requests.map((line) => line.route)).toEqual(expect.arrayContaining(['/v1/admin/people/:email', '/v1/webhooks/:source']));
  });

  it('never contains an email, a name, a token or the Vantio key', () => {
    const log = h.logLines.join('').toLowerCase();
    expect(log.length).toBeGreaterThan(1_000);
    const leaked = secrets.filter((secret) => log.includes(secret.toLowerCase()));
    expect(leaked).toEqual([]);
  });
});
