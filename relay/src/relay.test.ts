import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upstreamIdempotencyKey, ZErrorBody } from '@vantio/shared';
import { createHarness, person, START, type Harness } from './testing';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

async function signupState(id: string) {
  return (await (await h.admin(`/signups/${id}`)).json()) as Record<string, unknown> & { attempt_history: unknown[] };
}

describe('POST /v1/signups → SQLite → forwarder → Vantio', () => {
  it('stores, acknowledges, then delivers the exact documented request with the stable key', async () => {
    const body = person(1, {
      first_name: '  Ana ',
      email: 'Ana.Li@Example.edu',
      profile_picture: 'https://example.edu/ana.jpg',
      metadata: { source: 'widget', page: '/join' },
    });
    const response = await h.post(body);
    expect(response.status).toBe(202);
    const receipt = (await response.json()) as { id: string; state: string; created_at: string };
    expect(receipt).toEqual({ id: expect.stringMatching(/^sgn_[0-9A-Z]{26}$/), state: 'queued', created_at: new Date(START).toISOString() });

    await h.settle();
    const { referrals, create_calls } = await h.referrals();
    expect(referrals).toHaveLength(1);
    expect(referrals[0]).toMatchObject({
      impression_id: 'imp_demo_1',
      first_name: 'Ana',
      last_name: 'Last1',
      email: 'Ana.Li@Example.edu',
      profile_picture: 'https://example.edu/ana.jpg',
      metadata: { source: 'widget', page: '/join' },
      status: 'pending',
      program_id: 'prog_demo',
      student_id: 'user_demo_1',
    });
    expect(create_calls).toEqual({ [upstreamIdempotencyKey('imp_demo_1', 'ana.li@example.edu')]: 1 });

    const stored = await signupState(receipt.id);
    expect(stored).toMatchObject({
      state: 'delivered',
      source: 'api',
      referral_id: referrals[0]!.id,
      program_id: 'prog_demo',
      student_id: 'user_demo_1',
      attempts: 1,
    });
    expect(stored.attempt_history).toEqual([expect.objectContaining({ outcome: 'created', http_status: 200 })]);
  });

  it('answers a repeat of the same person on the same impression with 200 and the first record', async () => {
    const first = (await (await h.post(person(1))).json()) as { id: string };
    const again = await h.post(person(1, { email: ' PERSON1@example.EDU ', first_name: 'Other' }));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: first.id, duplicate: true });
    // Another impression is another referral.
    expect((await h.post(person(1, { impression_id: 'imp_demo_2' }))).status).toBe(202);
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(2);
  });

  it('replays the same idempotency key with the same body, and refuses it with another body', async () => {
    const key = { 'idempotency-key': 'widget-submission-1' };
    const first = await h.post(person(1), key);
    const replay = await h.post(person(1), key);
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(await first.json());

    const conflict = await h.post(person(2), key);
    expect(conflict.status).toBe(422);
    expect(ZErrorBody.parse(await conflict.json()).error).toBe('Unprocessable Content');

    // The body key works like the header; both at once must agree.
    expect((await h.post({ ...person(3), idempotency_key: 'body-key' })).status).toBe(202);
    expect((await h.post({ ...person(3), idempotency_key: 'body-key' }, { 'idempotency-key': 'other' })).status).toBe(400);
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(2);
  });

  it('marks a signup rejected with Vantio\'s message when Vantio answers 400', async () => {
    const { id } = (await (await h.post(person(1, { impression_id: 'imp_unknown' }))).json()) as { id: string };
    await h.settle();
    const stored = await signupState(id);
    expect(stored).toMatchObject({ state: 'rejected', last_error: expect.stringContaining('imp_unknown') });
    expect((await h.referrals()).referrals).toHaveLength(0);
  });

  it('retries 503s on the schedule, then delivers', async () => {
    await h.faults({ error_rate: 1 });
    const { id } = (await (await h.post(person(1))).json()) as { id: string };
    await h.settle();
    expect(await signupState(id)).toMatchObject({ state: 'queued', failures: 1, last_error: expect.stringContaining('503') });
    h.clock.now += 4_999;
    await h.settle();
    expect((await signupState(id)).attempts).toBe(1); // not due yet
    await h.faults({});
    h.clock.now += 1;
    await h.settle();
    expect(await signupState(id)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('goes dead when the schedule is exhausted, keeping every attempt', async () => {
    await h.faults({ error_rate: 1, error_status: 502 });
    const { id } = (await (await h.post(person(1))).json()) as { id: string };
    for (const wait of [0, 5_000, 60_000, 600_000]) {
      h.clock.now += wait;
      await h.settle();
    }
    const stored = await signupState(id);
    expect(stored).toMatchObject({ state: 'dead', attempts: 4, last_error: expect.stringContaining('exhausted') });
    expect(stored.attempt_history).toHaveLength(4);
    expect((await (await h.admin('/stats')).json()) as object).toMatchObject({ by_state: { dead: 1, queued: 0 } });
  });

  it('holds all delivery for Retry-After on 429 without spending the retry schedule', async () => {
    await h.faults({ rate_limit_rate: 1, retry_after_s: 30 });
    const { id } = (await (await h.post(person(1))).json()) as { id: string };
    await h.settle();
    expect(await signupState(id)).toMatchObject({ state: 'queued', failures: 0, attempts: 1 });
    await h.faults({});
    h.clock.now += 29_000;
    await h.settle();
    expect((await signupState(id)).attempts).toBe(1);
    h.clock.now += 1_000;
    await h.settle();
    expect(await signupState(id)).toMatchObject({ state: 'delivered', failures: 0 });
  });

  it('pauses all delivery on 401 and says so on /readyz, probing instead of burning retries', async () => {
    h.relay = await h.restart({ vantioSecretKey: 'sk_test_wrong' });
    expect((await h.relay.app.request('/readyz')).status).toBe(200);
    const ids: string[] = [];
    for (let n = 1; n <= 3; n++) ids.push(((await (await h.post(person(n))).json()) as { id: string }).id);
    await h.settle();
    const ready = await h.relay.app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      error: 'Service Unavailable',
      message: expect.stringContaining('VANTIO_SECRET_KEY'),
      delivery: { paused: true, reason: 'unauthorized' },
    });
    for (const id of ids) expect(await signupState(id)).toMatchObject({ state: 'queued', failures: 0 });
    const calls = (await h.referrals()) as unknown as { total_requests: number };
    h.clock.now += 60_000; // one probe per authProbeMs, not one per signup
    await h.settle();
    expect(((await h.referrals()) as unknown as { total_requests: number }).total_requests).toBe(calls.total_requests + 1);
  });

  it('re-delivers after a crash mid-delivery with the same key: one referral', async () => {
    let release!: () => void;
    const crashed = new Promise<never>(() => {
      release = () => undefined;
    });
    // The first relay reaches Vantio, then "dies" before recording the outcome.
    const real = (await import('@vantio/shared')).createVantioClient({ baseUrl: h.emulator.url, secretKey: 'sk_test_harness' });
    h.relay = await h.restart({
      client: { createReferral: async (body, options) => (await real.createReferral(body, options), crashed) },
    });
    const { id } = (await (await h.post(person(1))).json()) as { id: string };
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await h.referrals()).referrals).toHaveLength(1);
    expect((await h.relay.store.read.signups.get(id))!.state).toBe('queued');
    release();

    h.relay = await h.restart(); // same database file, fresh process state
    // On PostgreSQL the dead relay's lease outlives it (default 30 s): another relay takes it over then.
    if (h.databaseUrl) h.clock.now += 30_000;
    await h.settle();
    const { referrals, create_calls } = await h.referrals();
    expect(referrals).toHaveLength(1);
    expect(Object.values(create_calls)).toEqual([2]);
    expect(await h.relay.store.read.signups.get(id)).toMatchObject({ state: 'delivered', referral_id: referrals[0]!.id });
  });

  it('queues without delivering when concurrency is 0, and delivers on restart', async () => {
    h.relay = await h.restart({ forwardConcurrency: 0 });
    for (let n = 1; n <= 5; n++) expect((await h.post(person(n))).status).toBe(202);
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(0);
    expect((await h.relay.store.read.signups.countByState()).queued).toBe(5);
    h.relay = await h.restart({ forwardConcurrency: 2 });
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(5);
  });

  it('holds suspected bots (kept, never forwarded), answering them exactly like everyone else', async () => {
    const viaHoneypot = await h.post({ ...person(1), honeypot: 'http://spam.example', time_to_fill_ms: 5000 });
    const tooFast = await h.post({ ...person(2), honeypot: '', time_to_fill_ms: 120 }); // the harness sets minFillMs 1000
    const human = await h.post({ ...person(3), honeypot: '', time_to_fill_ms: 8000 });
    for (const response of [viaHoneypot, tooFast, human]) {
      expect(response.status).toBe(202);
      expect(await response.clone().json()).toMatchObject({ state: 'queued', id: expect.stringMatching(/^sgn_/) });
    }
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(1);
    expect(await (await h.admin('/stats')).json()).toMatchObject({ by_state: { delivered: 1, queued: 0, held: 2 }, bots: 2 });
    const held = (await (await h.admin('/signups?state=held&order=asc')).json()) as { items: Array<Record<string, unknown>> };
    expect(held.items.map((item) => [item.email, item.held_reason, item.held_signals]).sort()).toEqual([
      [person(1).email, 'honeypot', { honeypot: 'http://spam.example', time_to_fill_ms: 5000, min_fill_ms: 1000 }],
      [person(2).email, 'fill_time', { time_to_fill_ms: 120, min_fill_ms: 1000 }],
    ]);
    expect((await h.relay.store.read.signups.get(((await human.json()) as { id: string }).id))?.source).toBe('widget');
  });

  it('binds a key first answered "duplicate": the same again is a duplicate, another person is a 422', async () => {
    await h.post(person(1), { 'idempotency-key': 'first-key' });
    const key = { 'idempotency-key': 'second-key' };
    expect((await h.post(person(1), key)).status).toBe(200);
    const again = await h.post(person(1), key);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect((await h.post(person(2), key)).status).toBe(422);
    expect((await h.relay.store.read.signups.countByState()).queued + (await h.relay.store.read.signups.countByState()).delivered).toBe(1);
  });

  it('never hot-loops on 429 with Retry-After: 0, and shows the hold on /readyz until an admin resume', async () => {
    await h.faults({ rate_limit_rate: 1, retry_after_s: 0 });
    const { id } = (await (await h.post(person(1))).json()) as { id: string };
    await h.settle();
    expect((await signupState(id)).attempts).toBe(1);
    const ready = (await (await h.relay.app.request('/readyz')).json()) as { delivery: { heldUntil: string | null } };
    expect(ready.delivery.heldUntil).toBe(new Date(h.clock.now + 1_000).toISOString());
    h.clock.now += 999;
    await h.settle();
    expect((await signupState(id)).attempts).toBe(1);
    await h.faults({});
    expect((await h.admin('/delivery/resume', { method: 'POST' })).status).toBe(200);
    await h.settle();
    expect(await signupState(id)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('probes a bad key at most once per authProbeMs, whatever the probe\'s outcome', async () => {
    let calls = 0;
    h.relay = await h.restart({
      client: {
        createReferral: async () => {
          calls += 1;
          return calls === 1
            ? { kind: 'unauthorized', status: 401, message: 'Invalid or missing API key' }
            : { kind: 'retryable', status: null, message: 'network error: reset', rateLimited: false };
        },
      },
    });
    for (let n = 1; n <= 5; n++) await h.post(person(n));
    await h.settle();
    expect(calls).toBe(1);
    h.clock.now += 60_000;
    await h.settle();
    expect(calls).toBe(2); // the probe failed for another reason: still one per period
    await h.post(person(6));
    await h.settle();
    expect(calls).toBe(2);
    h.clock.now += 60_000;
    await h.settle();
    expect(calls).toBe(3);
  });

  it('backs off instead of re-sending at once when an outcome cannot be written', async () => {
    const store = h.relay.store;
    const record = store.recordDelivery.bind(store);
    let failures = 0;
    store.recordDelivery = async (...args) => {
      if (failures++ === 0) throw new Error('SQLITE_FULL: database or disk is full');
      return record(...args);
    };
    const { id } = (await (await h.post(person(1))).json()) as { id: string };
    await h.settle();
    expect((await h.referrals()).create_calls).toEqual({ [(await store.read.signups.get(id))!.upstream_key]: 1 });
    expect((await store.read.signups.get(id))!.state).toBe('queued');
    h.clock.now += 10_000;
    await h.settle();
    expect((await store.read.signups.get(id))!.state).toBe('delivered');
    expect(Object.values((await h.referrals()).create_calls)).toEqual([2]); // re-sent once, same key
  });
});

describe('a wake-up that never came', () => {
  it('delivers a signup committed without a notification at the next idle look', async () => {
    await h.close();
    h = await createHarness({ idleLookMs: 200 });
    // Another relay's NOTIFY lost on the way: the rows are there, nobody was told.
    const email = 'lost-wakeup@example.edu';
    await h.relay.store.transaction(async (tx) => {
      await tx.sql.run(
        `INSERT INTO signups (id, source, state, impression_id, first_name, last_name, email, email_norm, upstream_key, created_at, updated_at)
         VALUES ('sgn_lost', 'api', 'queued', 'imp_demo_1', 'Lost', 'Wakeup', ?, ?, ?, ?, ?)`,
        [email, email, upstreamIdempotencyKey('imp_demo_1', email), START, START],
      );
      await tx.sql.run('INSERT INTO outbox (signup_id, due_at) VALUES (?, ?)', ['sgn_lost', START]);
    });
    await expect.poll(async () => (await signupState('sgn_lost')).state, { timeout: 5_000 }).toBe('delivered');
  });
});
