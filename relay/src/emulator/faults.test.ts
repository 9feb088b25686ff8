import { ZErrorBody } from '@vantio/shared';
import { describe, expect, it } from 'vitest';
import { EmulatedConnectionLoss } from './app';
import { postControl, postReferral, receivedReferrals, testApp, VALID_BODY } from './testing';

const DEFAULTS = {
  latency_ms: 0,
  latency_jitter_ms: 0,
  error_rate: 0,
  error_status: 503,
  rate_limit_rate: 0,
  retry_after_s: 1,
  drop_rate: 0,
  lost_response_rate: 0,
};

describe('fault configuration', () => {
  it('starts with no faults', async () => {
    expect(await (await testApp().request('/__emulator/faults')).json()).toEqual(DEFAULTS);
  });

  it('replaces the whole config on every POST', async () => {
    const app = testApp();
    await postControl(app, '/faults', { latency_ms: 10, error_rate: 0.25 });
    const response = await postControl(app, '/faults', { rate_limit_rate: 1, retry_after_s: 3 });
    const expected = { ...DEFAULTS, rate_limit_rate: 1, retry_after_s: 3 };
    expect(await response.json()).toEqual(expected);
    expect(await (await app.request('/__emulator/faults')).json()).toEqual(expected);
  });

  it.each([
    ['a rate above 1', { error_rate: 1.5 }, 'error_rate'],
    ['a negative rate', { drop_rate: -0.1 }, 'drop_rate'],
    ['a string', { latency_ms: '10' }, 'latency_ms'],
    ['a fractional latency', { latency_ms: 1.5 }, 'latency_ms'],
    ['a non-5xx error status', { error_status: 404 }, 'error_status'],
    ['a fractional Retry-After', { retry_after_s: 0.5 }, 'retry_after_s'],
    ['a misspelt field', { error_rte: 1 }, 'error_rte'],
    ['not JSON', 'latency=5', 'JSON'],
    ['an array', '[]', 'object'],
  ])('rejects %s with 400 and keeps the old config', async (_, body, mentioned) => {
    const app = testApp();
    await postControl(app, '/faults', { latency_ms: 1 });
    const response = await postControl(app, '/faults', body);
    expect(response.status).toBe(400);
    const error = ZErrorBody.parse(await response.json());
    expect(error.error).toBe('Bad Request');
    expect(error.message).toContain(mentioned);
    expect(await (await app.request('/__emulator/faults')).json()).toEqual({ ...DEFAULTS, latency_ms: 1 });
  });
});

describe('injected faults (in-process)', () => {
  it('answers error_status before processing, even before auth', async () => {
    const app = testApp();
    await postControl(app, '/faults', { error_rate: 1 });
    const response = await postReferral(app, VALID_BODY, 'Bearer wrong');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'Service Unavailable', message: expect.stringContaining('503') });

    await postControl(app, '/faults', { error_rate: 1, error_status: 500 });
    expect((await postReferral(app, VALID_BODY)).status).toBe(500);
    expect(await receivedReferrals(app)).toMatchObject({ referrals: [], total_requests: 2 });
  });

  it('answers 429 with Retry-After and a JSON error body', async () => {
    const app = testApp();
    await postControl(app, '/faults', { rate_limit_rate: 1, retry_after_s: 7 });
    const response = await postReferral(app, VALID_BODY);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(ZErrorBody.parse(await response.json())).toEqual({ error: 'Too Many Requests', message: expect.stringContaining('7 s') });
    expect((await receivedReferrals(app)).referrals).toEqual([]);
  });

  it('applies a share of faults, reproducibly for a seed', async () => {
    const statuses = async (seed: number) => {
      const app = testApp(seed);
      await postControl(app, '/faults', { error_rate: 0.3, rate_limit_rate: 0.3 });
      const result: number[] = [];
      for (let i = 0; i < 40; i += 1) result.push((await postReferral(app, VALID_BODY)).status);
      return result;
    };
    const first = await statuses(99);
    expect(await statuses(99)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 503]));
  });

  it('adds latency and jitter', async () => {
    const app = testApp();
    await postControl(app, '/faults', { latency_ms: 15, latency_jitter_ms: 5 });
    const started = performance.now();
    expect((await postReferral(app, VALID_BODY)).status).toBe(200);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(14); // timers may fire a hair early
    expect(elapsed).toBeLessThan(500);
  });

  it('leaves the control surface alone', async () => {
    const app = testApp();
    await postControl(app, '/faults', { error_rate: 1, drop_rate: 1, latency_ms: 1000 });
    const started = performance.now();
    expect((await app.request('/__emulator/referrals')).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('without a socket, a dropped connection rejects app.request() and processes nothing', async () => {
    const app = testApp();
    await postControl(app, '/faults', { drop_rate: 1 });
    await expect(postReferral(app, { ...VALID_BODY, idempotency_key: 'k' })).rejects.toMatchObject({
      name: 'EmulatedConnectionLoss',
      kind: 'drop',
    });
    expect(await receivedReferrals(app)).toEqual({ referrals: [], create_calls: {}, total_requests: 1 });
  });

  it('without a socket, a lost response rejects app.request() after the referral was created', async () => {
    const app = testApp();
    await postControl(app, '/faults', { lost_response_rate: 1 });
    const attempt = postReferral(app, { ...VALID_BODY, idempotency_key: 'k' });
    await expect(attempt).rejects.toBeInstanceOf(EmulatedConnectionLoss);
    await expect(attempt).rejects.toMatchObject({ kind: 'lost_response' });
    const view = await receivedReferrals(app);
    expect(view.referrals).toHaveLength(1);
    expect(view.create_calls).toEqual({ k: 1 });
  });
});
