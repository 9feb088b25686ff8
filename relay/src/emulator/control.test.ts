import { ZErrorBody, ZReferral } from '@vantio/shared';
import { describe, expect, it } from 'vitest';
import { postControl, postReferral, receivedReferrals, testApp, VALID_BODY } from './testing';

describe('POST /__emulator/impressions', () => {
  it('creates the impression it is given, and referrals derive from it', async () => {
    const app = testApp();
    const created = await postControl(app, '/impressions', { id: 'imp_poster_9', program_id: 'prog_x', student_id: 'user_y' });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ id: 'imp_poster_9', program_id: 'prog_x', student_id: 'user_y' });

    const referral = ZReferral.parse(await (await postReferral(app, { ...VALID_BODY, impression_id: 'imp_poster_9' })).json());
    expect(referral).toMatchObject({ impression_id: 'imp_poster_9', program_id: 'prog_x', student_id: 'user_y' });
  });

  it.each([['an empty object', {}], ['no body at all', undefined]])('generates every missing field from %s', async (_, body) => {
    const response = await postControl(testApp(), '/impressions', body);
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      id: expect.stringMatching(/^imp_[0-9a-z]+$/),
      program_id: expect.stringMatching(/^prog_[0-9a-z]+$/),
      student_id: expect.stringMatching(/^user_[0-9a-z]+$/),
    });
  });

  it.each(['imp_demo_2', 'imp_custom'])('answers 409 when %s already exists', async (id) => {
    const app = testApp();
    await postControl(app, '/impressions', { id: 'imp_custom' });
    const response = await postControl(app, '/impressions', { id });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: 'Conflict', message: `Impression ${id} already exists` });
  });

  it.each([
    ['a non-string id', { id: 5 }],
    ['an empty id', { id: '' }],
    ['an unknown field', { ids: 'imp_1' }],
    ['not JSON', '{'],
    ['an array', '[]'],
  ])('answers 400 for %s', async (_, body) => {
    const response = await postControl(testApp(), '/impressions', body);
    expect(response.status).toBe(400);
    expect(ZErrorBody.parse(await response.json()).error).toBe('Bad Request');
  });

  it('lists seeded and created impressions', async () => {
    const app = testApp();
    await postControl(app, '/impressions', { id: 'imp_extra', program_id: 'p', student_id: 's' });
    const { impressions } = (await (await app.request('/__emulator/impressions')).json()) as { impressions: { id: string }[] };
    expect(impressions.map((impression) => impression.id)).toEqual([
      'imp_demo_1', 'imp_demo_2', 'imp_demo_3', 'imp_demo_4', 'imp_demo_5', 'imp_extra',
    ]);
  });
});

describe('GET /__emulator/referrals', () => {
  it('lists referrals in creation order with per-key call counts and the request total', async () => {
    const app = testApp();
    const ids: string[] = [];
    for (const [impression, key] of [['imp_demo_1', 'k1'], ['imp_demo_2', undefined], ['imp_demo_3', 'k3'], ['imp_demo_1', 'k1']] as const) {
      const response = await postReferral(app, { ...VALID_BODY, impression_id: impression, idempotency_key: key });
      ids.push(((await response.json()) as { id: string }).id);
    }
    await postReferral(app, VALID_BODY, null); // 401: counted in total_requests only

    const view = await receivedReferrals(app);
    expect(view.referrals.map((referral) => referral.id)).toEqual(ids.slice(0, 3));
    expect(view.referrals.map((referral) => referral.impression_id)).toEqual(['imp_demo_1', 'imp_demo_2', 'imp_demo_3']);
    for (const referral of view.referrals) ZReferral.parse(referral);
    expect(view.create_calls).toEqual({ k1: 2, k3: 1 });
    expect(view.total_requests).toBe(5);
  });
});

describe('POST /__emulator/reset', () => {
  it('clears referrals, counters, faults and custom impressions but keeps the seeds', async () => {
    const app = testApp();
    await postControl(app, '/impressions', { id: 'imp_custom' });
    await postReferral(app, { ...VALID_BODY, impression_id: 'imp_custom', idempotency_key: 'k' });
    await postControl(app, '/faults', { latency_ms: 5, error_rate: 0.5 });

    const reset = await postControl(app, '/reset');
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ reset: true });

    expect(await receivedReferrals(app)).toEqual({ referrals: [], create_calls: {}, total_requests: 0 });
    const faults = (await (await app.request('/__emulator/faults')).json()) as Record<string, number>;
    expect(faults.error_rate).toBe(0);
    expect(faults.latency_ms).toBe(0);
    const custom = await postReferral(app, { ...VALID_BODY, impression_id: 'imp_custom' });
    expect(custom.status).toBe(400);
    expect((await postReferral(app, { ...VALID_BODY, impression_id: 'imp_demo_5' })).status).toBe(200);
  });

  it('forgets idempotency keys, so the same key creates a fresh referral', async () => {
    const app = testApp();
    const body = { ...VALID_BODY, idempotency_key: 'k' };
    const before = (await (await postReferral(app, body)).json()) as { id: string };
    await postControl(app, '/reset');
    const after = (await (await postReferral(app, body)).json()) as { id: string };
    expect(after.id).not.toBe(before.id);
  });
});

describe('the control surface needs no auth', () => {
  it('answers without an Authorization header', async () => {
    expect((await testApp().request('/__emulator/referrals')).status).toBe(200);
  });
});
