import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZErrorBody } from '@vantio/shared';
import { ADMIN_TOKEN, createHarness, person, type Harness } from './testing';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ rateLimitPerMinute: 3, allowedOrigins: ['https://club.example.edu', 'https://*.campus.edu'] });
});
afterAll(async () => {
  await h.close();
});

async function expectError(response: Response, status: number, message: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  const body = ZErrorBody.parse(await response.json());
  expect(body.message).toMatch(message);
  return body;
}

const send = (init: RequestInit & { headers?: Record<string, string> }, ip = '10.9.9.9') =>
  h.relay.app.request('/v1/signups', { method: 'POST', ...init }, { incoming: { socket: { remoteAddress: ip } } } as never);

describe('POST /v1/signups refuses bad input with a clear error and stores nothing', () => {
  it.each([
    ['a form post', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1', 415, /Content-Type must be application\/json/],
    ['no content type', {}, '{}', 415, /Content-Type/],
    ['malformed JSON', { 'content-type': 'application/json' }, '{"impression_id": ', 400, /not valid JSON/],
    ['an array', { 'content-type': 'application/json' }, '[1,2]', 400, /must be a JSON object/],
    ['JSON null', { 'content-type': 'application/json' }, 'null', 400, /must be a JSON object/],
  ])('%s', async (name, headers, body, status, message) => {
    // One client each (the limit is 3 a minute): a valid address, since an address that is
    // not one shares the peer's budget.
    await expectError(await send({ headers, body }, `10.0.0.${name.length}`), status, message);
  });

  it('refuses invalid UTF-8', async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]); // {"a":"\xc3("}
    await expectError(await send({ headers: { 'content-type': 'application/json' }, body: bytes }, '10.0.1.1'), 400, /UTF-8/);
  });

  it('refuses bodies over 32 KB, whatever Content-Length says', async () => {
    const big = JSON.stringify({ ...person(1), metadata: { pad: 'x'.repeat(40_000) } });
    await expectError(await send({ headers: { 'content-type': 'application/json' }, body: big }, '10.0.1.2'), 413, /32 KB/);
  });

  it('lists every invalid field', async () => {
    const response = await send(
      {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ impression_id: 'imp demo', first_name: '', email: 'no-at-sign', profile_picture: 'javascript:x', nickname: 'x' }),
      },
      '10.0.1.3',
    );
    const body = await expectError(response, 400, /^Invalid request: /);
    expect(body.error).toBe('Bad Request');
    expect(body.issues?.map((issue) => issue.path).sort()).toEqual(
      ['', 'email', 'first_name', 'impression_id', 'last_name', 'profile_picture'].sort(),
    );
  });

  it('refuses a malformed Idempotency-Key header', async () => {
    const response = await send(
      { headers: { 'content-type': 'application/json', 'idempotency-key': 'k'.repeat(300) }, body: JSON.stringify(person(1)) },
      '10.0.1.4',
    );
    const body = await expectError(response, 400, /Idempotency-Key/);
    expect(body.issues).toEqual([{ path: 'Idempotency-Key', message: expect.any(String) }]);
  });

  it('answers other methods with 405 and unknown routes with 404, both as JSON', async () => {
    const get = await h.relay.app.request('/v1/signups');
    await expectError(get, 405, /POST/);
    expect(get.headers.get('allow')).toContain('POST');
    await expectError(await h.relay.app.request('/v1/nope'), 404, /No route/);
  });

  it('stored nothing for any of the refused requests', async () => {
    expect((await h.relay.store.read.signups.countByState())).toEqual({ queued: 0, delivered: 0, rejected: 0, dead: 0, held: 0 });
  });
});

describe('CORS allowlist', () => {
  const preflight = (origin: string) =>
    h.relay.app.request('/v1/signups', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
    });

  it('grants listed origins and wildcard subdomains, with the headers the widget needs', async () => {
    for (const origin of ['https://club.example.edu', 'https://chess.campus.edu']) {
      const response = await preflight(origin);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
    }
  });

  it('refuses other origins with a 403 the page can read, before reading the body, storing nothing', async () => {
    for (const origin of ['https://evil.example', 'https://campus.edu.evil.example', 'https://x.campus.edu/']) {
      // The preflight lets the browser send the request, so the widget can read the refusal.
      const response = await preflight(origin);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
    const post = await send(
      { headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: JSON.stringify(person(9)) },
      '10.0.2.1',
    );
    expect(post.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    await expectError(post, 403, /not allowed.*RELAY_ALLOWED_ORIGINS/);
    expect((await h.relay.store.read.signups.countByState()).queued).toBe(0);
  });

  it('refuses origin null (sandboxed frames) clearly', async () => {
    const post = await send(
      { headers: { 'content-type': 'application/json', origin: 'null' }, body: JSON.stringify(person(11)) },
      '10.0.2.3',
    );
    expect(post.headers.get('access-control-allow-origin')).toBe('null');
    await expectError(post, 403, /Origin null \(a sandboxed frame.*allow-same-origin/);
    expect((await h.relay.store.read.signups.countByState()).queued).toBe(0);
  });

  it('exposes Retry-After to allowed pages', async () => {
    const response = await send(
      { headers: { 'content-type': 'application/json', origin: 'https://club.example.edu' }, body: JSON.stringify(person(10)) },
      '10.0.2.2',
    );
    expect(response.status).toBe(202);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a client exceeds its budget, per client IP', async () => {
    const post = (ip: string, n: number) =>
      send({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(person(100 + n)) }, ip);
    for (let n = 0; n < 3; n++) expect((await post('10.1.1.1', n)).status).toBe(202);
    const limited = await post('10.1.1.1', 3);
    await expectError(limited, 429, /Too many requests/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await post('10.1.1.2', 4)).status).toBe(202); // another client is unaffected
    h.clock.now += 20_000; // one token back (3 per minute)
    expect((await post('10.1.1.1', 5)).status).toBe(202);
  });
});

describe('health and admin auth', () => {
  it('/healthz and /readyz answer when all is well', async () => {
    expect(await (await h.relay.app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await h.relay.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'writable', delivery: { paused: false } });
  });

  it('admin routes need the token', async () => {
    await expectError(await h.relay.app.request('/v1/admin/stats'), 401, /admin token/);
    await expectError(
      await h.relay.app.request('/v1/admin/stats', { headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } }),
      401,
      /admin token/,
    );
    expect((await h.admin('/stats')).status).toBe(200);
  });

  it('without a configured token the admin API is disabled, not open', async () => {
    const closed = await createHarness({ adminToken: undefined });
    try {
      await expectError(await closed.relay.app.request('/v1/admin/stats'), 503, /RELAY_ADMIN_TOKEN/);
      await expectError(
        await closed.relay.app.request('/v1/admin/stats', { headers: { authorization: 'Bearer anything-at-all-here' } }),
        503,
        /disabled/,
      );
    } finally {
      await closed.close();
    }
  });
});
