/** Against a real server on an ephemeral port: the connection-loss faults need a socket. */
import { createVantioClient, ZReferral } from '@vantio/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from './app';
import { FIXED_NOW, TEST_SECRET, VALID_BODY, type ReferralsView } from './testing';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ secretKey: TEST_SECRET, now: () => FIXED_NOW, seed: 3, port: 0 });
});
afterAll(() => emulator.close());
beforeEach(() => control('/reset'));

async function control(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${emulator.url}/__emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  expect(response.ok).toBe(true);
  return response.json();
}

async function received(): Promise<ReferralsView> {
  return (await (await fetch(`${emulator.url}/__emulator/referrals`)).json()) as ReferralsView;
}

function postReferral(body: unknown): Promise<Response> {
  return fetch(`${emulator.url}/api/v1/referrals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('startEmulator', () => {
  it('listens on an ephemeral port and serves the contract', async () => {
    expect(emulator.port).toBeGreaterThan(0);
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    const response = await postReferral(VALID_BODY);
    expect(response.status).toBe(200);
    ZReferral.parse(await response.json());
  });

  it('close() resolves even with a keep-alive connection open, and frees the port', async () => {
    const other = await startEmulator({ secretKey: TEST_SECRET });
    expect((await fetch(`${other.url}/__emulator/faults`)).status).toBe(200); // leaves a pooled socket
    await other.close();
    await expect(fetch(`${other.url}/__emulator/faults`)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    await expect(startEmulator({ secretKey: TEST_SECRET, port: emulator.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('connection faults over real HTTP', () => {
  it('drop_rate destroys the connection before processing', async () => {
    await control('/faults', { drop_rate: 1 });
    await expect(postReferral({ ...VALID_BODY, idempotency_key: 'drop-1' })).rejects.toThrow(TypeError);
    expect(await received()).toEqual({ referrals: [], create_calls: {}, total_requests: 1 });
  });

  it('lost_response_rate creates the referral, then destroys the connection; a retry gets the same referral', async () => {
    const body = { ...VALID_BODY, idempotency_key: 'lost-1' };
    await control('/faults', { lost_response_rate: 1 });
    await expect(postReferral(body)).rejects.toThrow(TypeError);

    const afterLoss = await received();
    expect(afterLoss.referrals).toHaveLength(1);
    expect(afterLoss.create_calls).toEqual({ 'lost-1': 1 });

    await control('/faults', {});
    const retry = await postReferral(body);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(afterLoss.referrals[0]);
    const afterRetry = await received();
    expect(afterRetry.referrals).toHaveLength(1);
    expect(afterRetry.create_calls).toEqual({ 'lost-1': 2 });
  });

  it('keeps serving normally after connections were destroyed', async () => {
    await control('/faults', { drop_rate: 1 });
    await expect(postReferral(VALID_BODY)).rejects.toThrow();
    await control('/faults', {});
    expect((await postReferral(VALID_BODY)).status).toBe(200);
  });
});

describe("the shared Vantio client reads the emulator's answers as the real API's", () => {
  const client = () => createVantioClient({ baseUrl: emulator.url, secretKey: TEST_SECRET, timeoutMs: 2_000 });

  it('created', async () => {
    const outcome = await client().createReferral({ ...VALID_BODY, idempotency_key: 'c-1' });
    expect(outcome).toMatchObject({ kind: 'created', status: 200, referral: { student_id: 'user_demo_1' } });
  });

  it('rejected (unknown impression)', async () => {
    const outcome = await client().createReferral({ ...VALID_BODY, impression_id: 'imp_gone' });
    expect(outcome).toEqual({ kind: 'rejected', status: 400, message: 'Invalid impression_id: impression imp_gone does not exist' });
  });

  it('unauthorized', async () => {
    const wrongKey = createVantioClient({ baseUrl: emulator.url, secretKey: 'sk_wrong' });
    expect(await wrongKey.createReferral(VALID_BODY)).toEqual({ kind: 'unauthorized', status: 401, message: 'Invalid or missing API key' });
  });

  it('retryable with Retry-After (429) and after a dropped connection', async () => {
    await control('/faults', { rate_limit_rate: 1, retry_after_s: 2 });
    expect(await client().createReferral(VALID_BODY)).toMatchObject({ kind: 'retryable', status: 429, rateLimited: true, retryAfterMs: 2000 });
    await control('/faults', { drop_rate: 1 });
    expect(await client().createReferral(VALID_BODY)).toMatchObject({ kind: 'retryable', status: null });
  });
});
