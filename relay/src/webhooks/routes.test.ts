import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upstreamIdempotencyKey } from '@vantio/shared';
import { createHarness, person, type Harness } from '../testing';
import { SIGNATURE_REJECTED, WEBHOOK_BODY_LIMIT } from './routes';
import { compileSources } from './sources';
import {
  BACKEND_SECRET,
  CLERK_SECRET,
  editFixture,
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

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ webhookSources: compileSources(TEST_SOURCES) });
});
afterEach(async () => {
  await h.close();
});

const clock = () => new Date(h.clock.now);
/** SQLite group-commit batches so far (the harness runs SQLite). */
const commitBatches = () => (h.relay.store as unknown as { commitStats: { batches: number } }).commitStats.batches;
const deliver = (source: string, body: string, headers: Record<string, string>, contentType = 'application/json') =>
  h.relay.app.request(`/v1/webhooks/${source}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
const count = async (table: string) =>
  Number((await h.relay.store.read.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);
const stored = async () => ({
  signups: await count('signups'),
  deliveries: await count('webhook_deliveries'),
  payloads: await count('webhook_payloads'),
});
const clerk = fixture('clerk-user-created');
const typeform = fixture('typeform-form-response');
const tally = fixture('tally-form-response');
const backend = JSON.stringify({
  signup: { impression: 'imp_demo_4', name: { first: 'Ada', last: 'Byron' }, contact: { email: 'ada@example.edu' }, user_id: 42 },
});
const custom = JSON.stringify({ id: 'evt-77', impression: 'imp_demo_5', first: 'Lin', last: 'Wu', email: 'lin.wu@example.edu' });

describe('POST /v1/webhooks/:source → the same ingest path as widget signups → Vantio', () => {
  it('accepts a Clerk user.created (Svix), stores it durably with its source and delivers one referral', async () => {
    const response = await deliver('clerk', clerk, svixHeaders(CLERK_SECRET, 'msg_2rMa9', clock(), clerk));
    expect(response.status).toBe(202);
    const receipt = (await response.json()) as { id: string };
    expect(receipt).toEqual({ status: 'accepted', id: expect.stringMatching(/^sgn_/), state: 'queued', created_at: clock().toISOString() });
    expect(await h.relay.store.read.signups.get(receipt.id)).toMatchObject({ source: 'clerk', state: 'queued', email: 'maya.okafor@example.edu' });

    await h.settle();
    const { referrals, create_calls } = await h.referrals();
    expect(referrals).toEqual([
      expect.objectContaining({
        impression_id: 'imp_demo_1',
        first_name: 'Maya',
        last_name: 'Okafor',
        email: 'maya.okafor@example.edu',
        profile_picture: 'https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18ycCJ9',
      }),
    ]);
    expect(create_calls).toEqual({ [upstreamIdempotencyKey('imp_demo_1', 'maya.okafor@example.edu')]: 1 });
    expect(await h.relay.store.read.signups.get(receipt.id)).toMatchObject({ state: 'delivered', referral_id: referrals[0]!.id });
    // Logs carry the route, source and ids, never the person.
    expect(h.logLines.join('')).not.toMatch(/maya|okafor/i);
    expect(h.logLines.join('')).toContain('"delivery_id":"msg_2rMa9"');
  });

  it.each([
    ['typeform', typeform, () => typeformHeaders(TYPEFORM_SECRET, typeform), { impression_id: 'imp_demo_2', email: 'jonas.lindqvist@example.edu' }],
    ['tally', tally, () => tallyHeaders(TALLY_SECRET, tally), { impression_id: 'imp_demo_3', email: 'priya.raman@example.edu' }],
    ['backend', backend, () => standardHeaders(BACKEND_SECRET, 'evt_1', clock(), backend), { impression_id: 'imp_demo_4', metadata: { backend_user: 42 } }],
    ['custom', custom, () => hmacHexHeaders(HMAC_SECRET, custom), { impression_id: 'imp_demo_5', email: 'lin.wu@example.edu' }],
  ])('accepts %s and delivers exactly one referral', async (source, body, headers, expected) => {
    const response = await deliver(source, body, headers());
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect((await h.relay.store.read.signups.get(id))?.source).toBe(source);
    await h.settle();
    const { referrals } = await h.referrals();
    expect(referrals).toEqual([expect.objectContaining({ ...expected, status: 'pending' })]);
  });

  // PostgreSQL has no group commit: one transaction per unit (the webhook repo tests cover both engines).
  it.skipIf(process.env.RELAY_TEST_ENGINE === 'postgres')('commits the signup and its delivery record in one group-commit batch', async () => {
    h.relay = await h.restart({ forwardConcurrency: 0 });
    const before = commitBatches();
    expect((await deliver('clerk', clerk, svixHeaders(CLERK_SECRET, 'msg_1', clock(), clerk))).status).toBe(202);
    expect(commitBatches() - before).toBe(1);
    expect(await stored()).toEqual({ signups: 1, deliveries: 1, payloads: 0 });
  });
});

describe('signatures: 401 with a generic message, and nothing stored', () => {
  const signed = () => svixHeaders(CLERK_SECRET, 'msg_1', clock(), clerk);
  const without = (name: string) => Object.fromEntries(Object.entries(signed()).filter(([key]) => key !== name));
  it.each([
    ['clerk: tampered body', 'clerk', () => clerk.replace('imp_demo_1', 'imp_demo_2'), signed],
    ['clerk: wrong secret', 'clerk', () => clerk, () => svixHeaders(BACKEND_SECRET, 'msg_1', clock(), clerk)],
    ['clerk: stale timestamp', 'clerk', () => clerk, () => svixHeaders(CLERK_SECRET, 'msg_1', new Date(h.clock.now - 301_000), clerk)],
    ['clerk: future timestamp', 'clerk', () => clerk, () => svixHeaders(CLERK_SECRET, 'msg_1', new Date(h.clock.now + 301_000), clerk)],
    ['clerk: missing svix-signature', 'clerk', () => clerk, () => without('svix-signature')],
    ['clerk: missing svix-id', 'clerk', () => clerk, () => without('svix-id')],
    ['clerk: missing svix-timestamp', 'clerk', () => clerk, () => without('svix-timestamp')],
    ['clerk: no headers', 'clerk', () => clerk, () => ({})],
    ['backend: stale timestamp', 'backend', () => backend, () => standardHeaders(BACKEND_SECRET, 'e', new Date(h.clock.now - 121_000), backend)],
    ['typeform: tampered body', 'typeform', () => typeform.replace('Jonas', 'Mallory'), () => typeformHeaders(TYPEFORM_SECRET, typeform)],
    ['typeform: wrong secret', 'typeform', () => typeform, () => typeformHeaders(TALLY_SECRET, typeform)],
    ['typeform: missing header', 'typeform', () => typeform, () => ({})],
    ['tally: tampered body', 'tally', () => tally.replace('Priya', 'Mallory'), () => tallyHeaders(TALLY_SECRET, tally)],
    ['tally: wrong secret', 'tally', () => tally, () => tallyHeaders(TYPEFORM_SECRET, tally)],
    ['custom: wrong secret', 'custom', () => custom, () => hmacHexHeaders(TYPEFORM_SECRET, custom)],
  ])('%s', async (_name, source, body, headers) => {
    const response = await deliver(source, body(), headers());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'Unauthorized', message: SIGNATURE_REJECTED });
    expect(await stored()).toEqual({ signups: 0, deliveries: 0, payloads: 0 });
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(0);
  });

  it('logs why for the operator', async () => {
    await deliver('clerk', clerk, svixHeaders(CLERK_SECRET, 'm', new Date(h.clock.now - 400_000), clerk));
    expect(h.logLines.join('')).toMatch(/"source":"clerk","reason":"timestamp too old".*webhook signature rejected/);
  });
});

describe('replays and duplicates', () => {
  it('acknowledges a re-sent delivery id and does nothing again, for at least 24 h', async () => {
    const first = await deliver('clerk', clerk, svixHeaders(CLERK_SECRET, 'msg_same', clock(), clerk));
    const { id } = (await first.json()) as { id: string };
    const again = await deliver('clerk', clerk, svixHeaders(CLERK_SECRET, 'msg_same', clock(), clerk));
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toMatchObject({ status: 'replayed', delivery_id: 'msg_same', first_outcome: 'accepted', id });

    await h.settle();
    h.clock.now += 25 * 3_600_000; // Svix retries for days; the record outlives a day
    const later = await deliver('clerk', clerk, svixHeaders(CLERK_SECRET, 'msg_same', clock(), clerk));
    expect(await later.json()).toMatchObject({ status: 'replayed', id, state: 'delivered' });
    expect(await stored()).toEqual({ signups: 1, deliveries: 1, payloads: 0 });
    await h.settle();
    expect(Object.values((await h.referrals()).create_calls)).toEqual([1]);
  });

  it('keeps concurrent copies of one delivery to one signup and one referral', async () => {
    const responses = await Promise.all(
      [1, 2, 3].map(() => deliver('typeform', typeform, typeformHeaders(TYPEFORM_SECRET, typeform))),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 202]);
    expect(await stored()).toMatchObject({ signups: 1, deliveries: 1 });
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(1);
  });

  it('answers a new delivery of a person the widget already brought as a duplicate: one referral', async () => {
    const widget = await h.post(person(1, { email: 'Maya.Okafor@example.edu', time_to_fill_ms: 5000 }));
    const { id } = (await widget.json()) as { id: string };
    const response = await deliver('clerk', clerk, svixHeaders(CLERK_SECRET, 'msg_x', clock(), clerk));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'duplicate', id, duplicate: true });
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(1);
    expect((await h.relay.store.read.signups.get(id))?.source).toBe('widget');
    // The delivery is remembered too: its retry is a replay.
    const retry = await deliver('clerk', clerk, svixHeaders(CLERK_SECRET, 'msg_x', clock(), clerk));
    expect(await retry.json()).toMatchObject({ status: 'replayed', id });
  });

  it('tells widget from webhook signups in the admin stats', async () => {
    await h.post(person(7, { time_to_fill_ms: 5000 }));
    await deliver('tally', tally, tallyHeaders(TALLY_SECRET, tally));
    await h.settle();
    const stats = (await (await h.admin('/stats')).json()) as { by_source: Record<string, Record<string, number>> };
    expect(stats.by_source).toMatchObject({ widget: { delivered: 1 }, tally: { delivered: 1 } });
  });
});

describe('events that are not signups, and payloads that cannot be mapped', () => {
  it('acknowledges other verified event types with 200 and stores nothing', async () => {
    const updated = editFixture('clerk-user-created', (p) => (p.type = 'user.updated'));
    const response = await deliver('clerk', updated, svixHeaders(CLERK_SECRET, 'msg_u', clock(), updated));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ignored', event_type: 'user.updated' });
    const ping = JSON.stringify({ event_id: 'ping-1', event_type: 'ping' });
    expect(await (await deliver('typeform', ping, typeformHeaders(TYPEFORM_SECRET, ping))).json()).toMatchObject({ status: 'ignored' });
    expect(await stored()).toEqual({ signups: 0, deliveries: 0, payloads: 0 });
  });

  it('answers 422 with what is missing, keeps the verified payload, and acknowledges its retries', async () => {
    const body = editFixture('clerk-user-created', (p) => ((p.data.last_name = null), (p.data.unsafe_metadata = {})));
    const response = await deliver('clerk', body, svixHeaders(CLERK_SECRET, 'msg_bad', clock(), body));
    expect(response.status).toBe(422);
    const answer = (await response.json()) as { payload_id: string; message: string };
    expect(answer).toEqual({
      error: 'Unprocessable Content',
      message: expect.stringContaining('impression_id is missing (nothing at data.unsafe_metadata.impression_id)'),
      issues: [
        { path: 'impression_id', message: 'is missing (nothing at data.unsafe_metadata.impression_id)' },
        { path: 'last_name', message: 'is missing (data.last_name is null)' },
      ],
      payload_id: expect.stringMatching(/^whp_/),
    });
    expect(await stored()).toEqual({ signups: 0, deliveries: 1, payloads: 1 });
    const kept = (await h.relay.store.read.sql.get('SELECT source, delivery_id, body FROM webhook_payloads'));
    expect(kept).toEqual({ source: 'clerk', delivery_id: 'msg_bad', body });

    const retry = await deliver('clerk', body, svixHeaders(CLERK_SECRET, 'msg_bad', clock(), body));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ status: 'replayed', first_outcome: 'unmappable', payload_id: answer.payload_id, payload_status: 'pending' });
    expect(await stored()).toEqual({ signups: 0, deliveries: 1, payloads: 1 });
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(0);
  });

  it('answers 422 for an invalid email', async () => {
    const body = editFixture('tally-form-response', (p) => (p.data.fields[3].value = 'priya.raman@'));
    const response = await deliver('tally', body, tallyHeaders(TALLY_SECRET, body));
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      issues: [{ path: 'email', message: 'must be a valid email address (from data.fields[type=INPUT_EMAIL].value)' }],
    });
  });
});

describe('HTTP', () => {
  it('answers 404 for an unknown source before reading anything', async () => {
    const response = await deliver('stripe', 'not json at all', {}, 'text/plain');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'Not Found', message: 'No webhook source with that name is configured' });
    expect((await deliver('__proto__', clerk, {})).status).toBe(404);
    expect((await deliver('constructor', clerk, {})).status).toBe(404);
  });

  it('answers 415 and 413 before checking the signature, 400 for broken JSON', async () => {
    expect((await deliver('clerk', clerk, svixHeaders(CLERK_SECRET, 'm', clock(), clerk), 'text/plain')).status).toBe(415);
    const huge = JSON.stringify({ pad: 'x'.repeat(WEBHOOK_BODY_LIMIT) });
    const tooLarge = await deliver('clerk', huge, svixHeaders(CLERK_SECRET, 'm', clock(), huge));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({ error: 'Payload Too Large', message: 'The request body must be at most 256 KB' });
    expect((await deliver('clerk', '{"a":', {})).status).toBe(400);
    // A Typeform payload with a large form definition is well within the limit.
    const big = editFixture('typeform-form-response', (p) => (p.form_response.definition.description = 'y'.repeat(150_000)));
    expect((await deliver('typeform', big, typeformHeaders(TYPEFORM_SECRET, big))).status).toBe(202);
  });

  it('answers 405 for other methods', async () => {
    const response = await h.relay.app.request('/v1/webhooks/clerk');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
