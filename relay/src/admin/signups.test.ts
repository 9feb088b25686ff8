import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upstreamIdempotencyKey, ZErrorBody } from '@vantio/shared';
import { createHarness, person, START, type Harness } from '../testing';
import type { ReplayReport } from './signups';
import type { SignupView } from './views';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const json = async <T = Record<string, unknown>>(response: Response | Promise<Response>) => (await (await response).json()) as T;
type Page = { items: SignupView[]; next_cursor: string | null };

async function accept(body: Record<string, unknown>): Promise<string> {
  const response = await h.post(body);
  expect(response.status).toBe(202);
  return (await json<{ id: string }>(response)).id;
}

/** Accepts signups while Vantio answers 503, then spends the retry schedule (5 s, 60 s, 600 s). */
async function acceptUntilDead(...bodies: Record<string, unknown>[]): Promise<string[]> {
  await h.faults({ error_rate: 1 });
  const ids = [];
  for (const body of bodies) ids.push(await accept(body));
  await h.settle();
  for (const step of [5_000, 60_000, 600_000]) {
    h.clock.now += step;
    await h.settle();
  }
  await h.faults({ error_rate: 0 });
  return ids;
}

const post = (path: string, body?: unknown) =>
  h.admin(path, body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('GET /v1/admin/signups', () => {
  it('lists newest first with a cursor, and filters by state, source, impression, email and dates', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await accept(person(i, i === 4 ? { impression_id: 'imp_demo_2' } : {})));
      h.clock.now += 60_000;
    }
    const first = await json<Page>(h.admin('/signups?limit=2'));
    expect(first.items.map((item) => item.id)).toEqual([ids[4], ids[3]]);
    expect(first.items[0]).toMatchObject({ email: 'person4@example.edu', impression_id: 'imp_demo_2', source: 'api' });
    expect(first.items[0]).not.toHaveProperty('attempt_history');
    const second = await json<Page>(h.admin(`/signups?limit=2&cursor=${first.next_cursor}`));
    const third = await json<Page>(h.admin(`/signups?limit=2&cursor=${second.next_cursor}`));
    expect([...second.items, ...third.items].map((item) => item.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(third.next_cursor).toBeNull();

    expect((await json<Page>(h.admin('/signups?impression_id=imp_demo_2'))).items.map((i) => i.id)).toEqual([ids[4]]);
    expect((await json<Page>(h.admin('/signups?email=%20PERSON1@Example.EDU'))).items.map((i) => i.id)).toEqual([ids[1]]);
    expect((await json<Page>(h.admin('/signups?source=api&order=asc&limit=1'))).items.map((i) => i.id)).toEqual([ids[0]]);
    expect((await json<Page>(h.admin('/signups?name=%20first3%20LAST'))).items.map((i) => i.id)).toEqual([ids[3]]);
    const from = new Date(START + 60_000).toISOString();
    const to = new Date(START + 180_000).toISOString();
    expect((await json<Page>(h.admin(`/signups?from=${from}&to=${to}&order=asc`))).items.map((i) => i.id)).toEqual([ids[1], ids[2]]);
    expect((await json<Page>(h.admin('/signups?to=2026-01-15'))).items).toHaveLength(5); // a bare date is the whole day
    await h.settle();
    expect((await json<Page>(h.admin('/signups?state=delivered'))).items).toHaveLength(5);
    expect((await json<Page>(h.admin('/signups?state=dead'))).items).toEqual([]);
  });

  it('refuses bad parameters with field issues', async () => {
    for (const query of ['state=lost', 'limit=0', 'limit=501', 'cursor=bm9wZQ', 'stat=dead', 'from=yesterday', 'from=2026-01-15&to=2026-01-14', 'name=', `name=${'a'.repeat(201)}`]) {
      const response = await h.admin(`/signups?${query}`);
      expect(response.status, query).toBe(400);
      const body = ZErrorBody.parse(await response.json());
      expect(body.issues?.length, query).toBeGreaterThan(0);
    }
  });
});

describe('GET /v1/admin/signups/:id', () => {
  it('shows one signup with its attempt history, 404 for unknown ids', async () => {
    const id = await accept(person(1));
    await h.settle();
    const view = await json<SignupView>(h.admin(`/signups/${id}`));
    expect(view).toMatchObject({ id, state: 'delivered', referral_id: expect.any(String), student_id: 'user_demo_1' });
    expect(view.attempt_history).toEqual([
      { started_at: new Date(START).toISOString(), duration_ms: expect.any(Number), outcome: 'created', http_status: 200, error: null },
    ]);
    expect((await h.admin('/signups/sgn_nope')).status).toBe(404);
  });
});

describe('POST /v1/admin/signups/:id/retry', () => {
  it('fixes a wrong poster code: rejected → corrected impression → delivered with the new key', async () => {
    const id = await accept(person(1, { impression_id: 'imp_typo_9' }));
    await h.settle();
    expect((await json<SignupView>(h.admin(`/signups/${id}`))).state).toBe('rejected');

    const retried = await post(`/signups/${id}/retry`, { impression_id: 'imp_demo_3' });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ impression_changed: true, signup: { id, state: 'queued', impression_id: 'imp_demo_3' } });
    await h.settle();
    const { referrals, create_calls } = await h.referrals();
    expect(referrals).toHaveLength(1);
    expect(referrals[0]).toMatchObject({ impression_id: 'imp_demo_3', student_id: 'user_demo_3' });
    // The 400 on the typo created nothing; the delivery used the key of the corrected impression.
    expect(create_calls[upstreamIdempotencyKey('imp_demo_3', 'person1@example.edu')]).toBe(1);
    const view = await json<SignupView>(h.admin(`/signups/${id}`));
    expect(view).toMatchObject({ state: 'delivered', student_id: 'user_demo_3' });
    expect(view.attempt_history?.map((attempt) => attempt.outcome)).toEqual(['rejected', 'created']);

    const again = await post(`/signups/${id}/retry`);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: 'Conflict', message: expect.stringMatching(/already delivered/) });
  });

  it('answers 409 (and changes nothing) when the person already has a signup on the corrected impression', async () => {
    const good = await accept(person(1, { impression_id: 'imp_demo_2' }));
    const wrong = await accept(person(1, { impression_id: 'imp_typo_1' }));
    await h.settle();
    const response = await post(`/signups/${wrong}/retry`, { impression_id: 'imp_demo_2' });
    expect(response.status).toBe(409);
    expect((await json<{ message: string }>(response)).message).toContain(good);
    expect(await json(h.admin(`/signups/${wrong}`))).toMatchObject({ state: 'rejected', impression_id: 'imp_typo_1' });
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(1);
  });

  it('retries a dead signup without a body, and validates ids and bodies', async () => {
    const [id] = await acceptUntilDead(person(1));
    expect((await json<SignupView>(h.admin(`/signups/${id}`))).state).toBe('dead');
    expect((await post(`/signups/${id}/retry`)).status).toBe(200);
    await h.settle();
    expect((await json<SignupView>(h.admin(`/signups/${id}`))).state).toBe('delivered');

    expect((await post('/signups/sgn_unknown/retry')).status).toBe(404);
    expect((await post(`/signups/${id}/retry`, { impression_id: 'bad code!' })).status).toBe(400);
    expect((await post(`/signups/${id}/retry`, { impresion_id: 'imp_demo_1' })).status).toBe(400);
    const notJson = await h.admin(`/signups/${id}/retry`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(notJson.status).toBe(415);
  });
});

describe('POST /v1/admin/replay', () => {
  it('replays dead signups by default, and rejected ones onto a corrected impression on request', async () => {
    const dead = await acceptUntilDead(person(1), person(2));
    const wrong = [await accept(person(3, { impression_id: 'imp_wrong' })), await accept(person(4, { impression_id: 'imp_wrong' }))];
    const otherWrong = await accept(person(5, { impression_id: 'imp_other' }));
    await h.settle();

    const deadReport = await json<ReplayReport>(post('/replay'));
    expect(deadReport).toMatchObject({ matched: 2, requeued: 2, impression_changed: 0, conflicts: [], skipped: [] });
    await h.settle();

    const dry = await json<ReplayReport>(
      post('/replay', { states: ['rejected'], impression_id: 'imp_wrong', corrected_impression_id: 'imp_demo_4', dry_run: true }),
    );
    expect(dry).toMatchObject({ dry_run: true, matched: 2, requeued: 2, impression_changed: 2 });
    expect((await json<SignupView>(h.admin(`/signups/${wrong[0]}`))).state).toBe('rejected');

    const fixed = await json<ReplayReport>(
      post('/replay', { states: ['rejected'], impression_id: 'imp_wrong', corrected_impression_id: 'imp_demo_4' }),
    );
    expect(fixed).toMatchObject({ dry_run: false, matched: 2, requeued: 2, impression_changed: 2 });
    await h.settle();
    for (const id of [...dead, ...wrong]) expect((await json<SignupView>(h.admin(`/signups/${id}`))).state).toBe('delivered');
    expect((await json<SignupView>(h.admin(`/signups/${otherWrong}`))).state).toBe('rejected');
    expect((await h.referrals()).referrals).toHaveLength(4);
  });

  it('reports clashes and skipped ids per item', async () => {
    const existing = await accept(person(1, { impression_id: 'imp_demo_2' }));
    const clash = await accept(person(1, { impression_id: 'imp_bad' }));
    const delivered = await accept(person(2));
    await h.settle();
    const report = await json<ReplayReport>(
      post('/replay', { states: ['rejected'], ids: [clash, delivered, 'sgn_01JZZZZZZZZZZZZZZZZZZZZZZZ'], corrected_impression_id: 'imp_demo_2' }),
    );
    expect(report).toEqual({
      dry_run: false,
      matched: 3,
      requeued: 0,
      impression_changed: 0,
      conflicts: [{ id: clash, existing_id: existing, existing_state: 'delivered' }],
      skipped: [
        { id: delivered, reason: 'state' },
        { id: 'sgn_01JZZZZZZZZZZZZZZZZZZZZZZZ', reason: 'not_found' },
      ],
    });
    expect((await post('/replay', { states: ['delivered'] })).status).toBe(400);
    expect((await post('/replay', { dry_run: 'yes' })).status).toBe(400);
  });
});
