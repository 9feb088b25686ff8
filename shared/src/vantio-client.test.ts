import { describe, expect, it } from 'vitest';
import { createVantioClient, parseRetryAfter } from './vantio-client';

const NOW = Date.parse('2026-01-15T10:30:00Z');
const body = { impression_id: 'imp_1', first_name: 'A', last_name: 'B', email: 'a@b.edu', idempotency_key: 'k' };
const referral = {
  id: 'ref_1', impression_id: 'imp_1', first_name: 'A', last_name: 'B', email: 'a@b.edu',
  status: 'pending', program_id: 'prog_1', student_id: 'user_1', created_at: '2026-01-15T10:30:00Z',
};

function clientAnswering(status: number, answer: unknown, headers: Record<string, string> = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const client = createVantioClient({
    baseUrl: 'https://gw.example.edu/vantio',
    secretKey: 'sk_test_x',
    now: () => NOW,
    fetch: async (url, init) => {
      calls.push({ url: String(url), init: init! });
      return new Response(typeof answer === 'string' ? answer : JSON.stringify(answer), { status, headers });
    },
  });
  return { client, calls };
}

describe('createVantioClient', () => {
  it('posts the body with the bearer key to /api/v1/referrals under the base path', async () => {
    const { client, calls } = clientAnswering(200, referral);
    expect(await client.createReferral(body)).toEqual({ kind: 'created', status: 200, referral });
    expect(calls[0]!.url).toBe('https://gw.example.edu/vantio/api/v1/referrals');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer sk_test_x');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual(body);
  });

  it.each([
    [400, { error: 'Bad Request', message: 'Invalid email format' }, { kind: 'rejected', message: 'Invalid email format' }],
    [401, { error: 'Unauthorized', message: 'Invalid or missing API key' }, { kind: 'unauthorized' }],
    [403, 'forbidden', { kind: 'unauthorized', message: 'HTTP 403' }],
    [503, { error: 'Service Unavailable', message: 'down' }, { kind: 'retryable', rateLimited: false }],
    [404, 'not found', { kind: 'retryable', status: 404 }],
    [200, 'not json', { kind: 'retryable', status: 200 }],
  ])('classifies %i', async (status, answer, expected) => {
    const { client } = clientAnswering(status, answer);
    expect(await client.createReferral(body)).toMatchObject(expected);
  });

  it('reads Retry-After on 429', async () => {
    const { client } = clientAnswering(429, { message: 'slow down' }, { 'retry-after': '7' });
    expect(await client.createReferral(body)).toMatchObject({ kind: 'retryable', rateLimited: true, retryAfterMs: 7000 });
  });

  it('times out, and says so without echoing the request', async () => {
    const client = createVantioClient({
      baseUrl: 'https://vantio.example',
      secretKey: 'sk_test_secret_value',
      timeoutMs: 20,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    const outcome = await client.createReferral(body);
    expect(outcome).toMatchObject({ kind: 'retryable', status: null, message: 'timed out after 20 ms' });
    expect(JSON.stringify(outcome)).not.toContain('sk_test_secret_value');
  });

  it('gives up at once when the caller aborts', async () => {
    const stop = new AbortController();
    stop.abort();
    const client = createVantioClient({
      baseUrl: 'https://vantio.example',
      secretKey: 'k',
      fetch: (_url, init) =>
        init!.signal!.aborted ? Promise.reject(new Error('aborted')) : new Promise(() => undefined),
    });
    expect(await client.createReferral(body, { signal: stop.signal })).toMatchObject({ kind: 'retryable', message: /network error/ });
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['7', 7_000],
    ['0', 0],
    [' 12 ', 12_000],
    ['Thu, 15 Jan 2026 10:30:30 GMT', 30_000],
    ['Thu, 15 Jan 2026 10:29:00 GMT', 0], // in the past: now
    ['99999999', 86_400_000], // capped at a day
    ['1.5', undefined],
    ['-1', undefined],
    ['2026-01-15T10:31:00Z', undefined],
    ['soon', undefined],
    [null, undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
