/**
 * Hostile HTTP around the routes (issue 6): CORS is an allowlist (tricky origins' POSTs get a
 * 403 they can read, issue 10), the rate limit answers 429 with a numeric Retry-After per
 * client (X-Forwarded-For garbage neither crashes nor escapes it), every method on every
 * route answers without a 5xx, and what only a raw socket can send (duplicate or conflicting
 * framing headers, oversized headers, bare LF, chunked floods) is refused cleanly.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { clientKeyOf } from '../src/http/client-ip';
import { ADMIN_TOKEN, createHarness, person, type Harness } from '../src/testing';
import { ALLOWED_ORIGIN, foreignOrigin, headerValue, WILDCARD_ALLOWED } from './arbitraries';
import { expectClientSafe, expectErrorShape, hostileSources, rawHttp, runs, serveOnLoopback, storeFingerprint, type LoopbackServer } from './hostile-helpers';

let h: Harness;
let server: LoopbackServer;
beforeAll(async () => {
  h = await createHarness({ allowedOrigins: [ALLOWED_ORIGIN, WILDCARD_ALLOWED], webhookSources: hostileSources() });
  server = await serveOnLoopback(h.relay.app.fetch);
});
afterAll(async () => {
  await server.close();
  await h.close();
});

let serial = 0;
const signup = () => JSON.stringify(person(++serial, { email: `http${serial}@example.edu` }));
/**
 * What the allowlist means: the exact origin, or https on a subdomain (DNS labels) of
 * campus.example.org. Not the request's own Host (app.request()'s http://localhost): without
 * RELAY_PUBLIC_URL the relay trusts no origin of its own.
 */
const genuinelyAllowed = (origin: string) =>
  origin === ALLOWED_ORIGIN || /^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*\.campus\.example\.org$/.test(origin);

describe('CORS allowlist', () => {
  it('refuses origins off the list readably: preflight echo without credentials, POST 403 with the origin, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(foreignOrigin, async (raw) => {
        const origin = new Headers({ o: raw }).get('o')!; // as it arrives
        fc.pre(!genuinelyAllowed(origin));
        const preflight = await h.relay.app.request('/v1/signups', {
          method: 'OPTIONS',
          headers: { origin: raw, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
        expect(preflight.status).toBeLessThan(500);
        // The grant lets the browser show the page the refusal below, and nothing else (cors.ts).
        expect(preflight.headers.get('access-control-allow-origin'), `preflight from ${origin}`).toBe(origin);
        expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
        const before = await storeFingerprint(h);
        const post = await h.relay.app.request('/v1/signups', { method: 'POST', headers: { origin: raw, 'content-type': 'application/json' }, body: signup() });
        expect(post.status, `POST from ${origin}`).toBe(403);
        expect(post.headers.get('access-control-allow-origin')).toBe(origin);
        await expectErrorShape(post);
        expect(await storeFingerprint(h)).toEqual(before);
      }),
      { numRuns: runs(300) },
    );
  });

  it('grants listed origins exactly as sent, including every subdomain of a wildcard entry', async () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    const subdomain = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => `https://${labels.join('.')}.campus.example.org`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(ALLOWED_ORIGIN), subdomain), async (origin) => {
        const response = await h.relay.app.request('/v1/signups', { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: signup() });
        expect(response.status).toBe(202);
        expect(response.headers.get('access-control-allow-origin')).toBe(origin);
        expect(response.headers.get('vary')).toMatch(/origin/i);
      }),
      { numRuns: runs(40) },
    );
  });

  it('adds no CORS grant on any other route, whatever the origin', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const requests: Array<[string, RequestInit]> = [
      ['/healthz', {}], ['/readyz', {}], ['/openapi.json', {}], ['/docs', {}], ['/admin', {}], ['/metrics', { headers: admin }],
      ['/v1/admin/stats', { headers: admin }], ['/v1/admin/signups', { method: 'OPTIONS' }], ['/v1/webhooks/hmac', { method: 'POST', body: '{}' }],
    ];
    await fc.assert(
      fc.asyncProperty(fc.oneof(foreignOrigin, fc.constant(ALLOWED_ORIGIN)), fc.constantFrom(...requests), async (origin, [path, init]) => {
        const headers = { ...(init.headers as Record<string, string>), origin, 'content-type': 'application/json' };
        const response = await h.relay.app.request(path, { ...init, headers });
        await expectClientSafe(response.clone(), `${path} from ${origin}`);
        expect(response.headers.get('access-control-allow-origin'), `${path} from ${origin}`).toBeNull();
      }),
      { numRuns: runs(80) },
    );
  });
});

describe('rate limit', () => {
  const BUDGET = 4;
  let limited: Harness;
  beforeAll(async () => {
    limited = await createHarness({ rateLimitPerMinute: BUDGET, trustProxy: true });
  });
  afterAll(async () => {
    await limited.close();
  });

  /**
   * The documented key behind a trusted proxy: the last X-Forwarded-For entry as one canonical
   * address (IPv6 by its /64), else the socket's address (none in-process: "unknown").
   */
  const clientKey = (forwarded: string | undefined) => {
    const last = forwarded?.split(',').pop();
    return (last && clientKeyOf(last)) || 'unknown';
  };
  const forwardedFor = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('203.0.113.7', '198.51.100.1, 203.0.113.7', 'spoofed, 203.0.113.7', '2001:db8::1', '203.0.113.7,'),
    fc.constantFrom('203.0.113.7:4444', '[::ffff:203.0.113.7]:80', '2001:db8::2', '[2001:db8::3]:443', '2001:db8:0:1::1'),
    fc.constantFrom(',,', ' ', 'unknown', '<script>', "'; DROP TABLE x; --"),
    headerValue,
  );

  it('answers 429 with a numeric Retry-After >= 1 once a client is over budget, per client, never crashing on X-Forwarded-For garbage', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(forwardedFor, { minLength: 1, maxLength: 14 }), async (clients) => {
        limited.clock.now += 120_000; // every bucket refills between runs
        const used = new Map<string, number>();
        for (const raw of clients) {
          const forwarded = raw === undefined ? undefined : new Headers({ x: raw }).get('x')!;
          const key = clientKey(forwarded);
          used.set(key, (used.get(key) ?? 0) + 1);
          await limited.settle();
          const before = await storeFingerprint(limited);
          const response = await limited.relay.app.request('/v1/signups', {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(raw === undefined ? {} : { 'x-forwarded-for': raw }) },
            body: signup(),
          });
          const over = used.get(key)! > BUDGET;
          expect(response.status, `${JSON.stringify(forwarded)} request ${used.get(key)}`).toBe(over ? 429 : 202);
          if (!over) continue;
          await expectErrorShape(response.clone());
          const retryAfter = response.headers.get('retry-after') ?? '';
          expect(retryAfter).toMatch(/^\d+$/);
          expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
          expect(await storeFingerprint(limited)).toEqual(before);
        }
      }),
      { numRuns: runs(40) },
    );
  });

  it('says Retry-After >= 1 whatever the budget (a sub-second wait too) and means it', async () => {
    onTestFinished(async () => {
      await limited.restart({ rateLimitPerMinute: BUDGET, trustProxy: true });
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(1, 3, 7, 60, 120, 250), fc.integer({ min: 0, max: 999 }), async (perMinute, extraMs) => {
        const relay = await limited.restart({ rateLimitPerMinute: perMinute, trustProxy: true });
        const send = () =>
          relay.app.request('/v1/signups', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': 'b' }, body: '{}' });
        for (let i = 0; i < perMinute; i++) expect((await send()).status).toBe(400); // a refused body still spends a token
        limited.clock.now += extraMs;
        const refused = await send();
        const tokenMs = 60_000 / perMinute;
        if (extraMs >= tokenMs) return; // a token came back meanwhile
        expect(refused.status).toBe(429);
        const retryAfter = Number(refused.headers.get('retry-after'));
        expect(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${retryAfter}`).toBe(true);
        expect(retryAfter).toBeLessThanOrEqual(Math.ceil(tokenMs / 1000));
        limited.clock.now += retryAfter * 1000;
        expect((await send()).status).toBe(400);
      }),
      { numRuns: runs(20) },
    );
  });

  it('lets the client back in once Retry-After has passed', async () => {
    limited.clock.now += 120_000;
    const headers = { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.9' };
    const send = () => limited.relay.app.request('/v1/signups', { method: 'POST', headers, body: signup() });
    for (let i = 0; i < BUDGET; i++) expect((await send()).status).toBe(202);
    const refused = await send();
    expect(refused.status).toBe(429);
    limited.clock.now += Number(refused.headers.get('retry-after')) * 1000;
    expect((await send()).status).toBe(202);
  });

  it('without a trusted proxy, rotating X-Forwarded-For does not buy a new budget (real socket)', async () => {
    const direct = await createHarness({ rateLimitPerMinute: 3, trustProxy: false });
    const real = await serveOnLoopback(direct.relay.app.fetch);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const headers = { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.${i}` };
        const response = await fetch(`${real.url}/v1/signups`, { method: 'POST', headers, body: signup() });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
      expect(statuses).toEqual([202, 202, 202, 429, 429, 429]);
    } finally {
      await real.close();
      await direct.close();
    }
  });
});

describe('methods and raw HTTP', () => {
  it('answers every method on every route without a 5xx, in the error shape when refused', async () => {
    const routes = [...new Set(h.relay.app.routes.filter((route) => !route.path.includes('*')).map((route) => route.path))];
    expect(routes.length).toBeGreaterThan(20);
    const param = fc.oneof(
      fc.constantFrom('hmac', 'x', '%2F', '%E0%A4%A', 'index.html', '..%2F..%2Fpackage.json'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
    );
    const anyMethod = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'X-CUSTOM');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), anyMethod, param, fc.boolean(), async (path, method, value, authorised) => {
        const url = path.replace(/:[a-z_]+/g, value);
        const headers: Record<string, string> = authorised ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {};
        const withBody = method !== 'GET' && method !== 'HEAD';
        const init = { method, headers: { ...headers, 'content-type': 'application/json' }, ...(withBody ? { body: '{}' } : {}) };
        const response = await h.relay.app.request(url, init);
        // 503 is a state, not a failure: /readyz while an earlier run paused delivery, /admin before a build.
        const stateAnswer = response.status === 503 && (path === '/readyz' || path === '/admin');
        if (!stateAnswer) expect(response.status, `${method} ${url}`).toBeLessThan(500);
        // The hosted pages (/join/…) answer a person's browser: their refusals are HTML pages.
        const htmlPage = path.startsWith('/join') && /^text\/html/.test(response.headers.get('content-type') ?? '');
        if (method !== 'HEAD' && response.status >= 400 && !htmlPage) await expectErrorShape(response);
        else await response.arrayBuffer();
      }),
      { numRuns: runs(500) },
    );
  });

  it.each(['..%2F..%2F..%2Fpackage.json', '%2e%2e%2f%2e%2e%2fpackage.json', '..%5C..%5Cpackage.json', '%2F..%2F..%2Fsrc%2Fmain.ts', '....%2F%2Fpackage.json'])(
    'serves nothing outside the dashboard build for /admin/assets/%s',
    async (file) => {
      const response = await h.relay.app.request(`/admin/assets/${file}`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toMatch(/"name"|import /);
    },
  );

  const GZIPPED_EMPTY_OBJECT = '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\xae\x05\x00\x43\xbf\xa6\xa3\x02\x00';
  const post = (headers: string[], body = '') =>
    ['POST /v1/signups HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', ...headers, '', body].join('\r\n');

  it.each([
    ['two different Content-Length headers', post(['Content-Type: application/json', 'Content-Length: 2', 'Content-Length: 3'], '{}')],
    ['Content-Length with Transfer-Encoding', post(['Content-Type: application/json', 'Content-Length: 2', 'Transfer-Encoding: chunked'], '0\r\n\r\n')],
    ['a non-numeric Content-Length', post(['Content-Type: application/json', 'Content-Length: 1e3'], '{}')],
    ['a bare LF inside a header value', post(['Content-Type: application/json', 'Idempotency-Key: a\nSet-Cookie: admin=1', 'Content-Length: 2'], '{}')],
    ['a NUL in a header value', post(['Content-Type: application/json', 'Idempotency-Key: a\0b', 'Content-Length: 2'], '{}')],
    ['an obsolete folded header', post(['Content-Type: application/json', 'Idempotency-Key: a', ' folded', 'Content-Length: 2'], '{}')],
    ['a 20 KB header', post(['Content-Type: application/json', `Idempotency-Key: ${'k'.repeat(20_000)}`, 'Content-Length: 2'], '{}')],
    ['two Content-Type headers', post(['Content-Type: text/plain', 'Content-Type: application/json', 'Content-Length: 2'], '{}')],
    ['two Idempotency-Key headers', post(['Content-Type: application/json', 'Idempotency-Key: a', 'Idempotency-Key: b', 'Content-Length: 2'], '{}')],
    ['two Origin headers', post(['Content-Type: application/json', `Origin: ${ALLOWED_ORIGIN}`, 'Origin: https://evil.example', 'Content-Length: 2'], '{}')],
    ['a body longer than its Content-Length', post(['Content-Type: application/json', 'Content-Length: 5'], '{"impression_id":"imp_demo_1"}')],
    ['a gzip-encoded body', post(['Content-Type: application/json', 'Content-Encoding: gzip', 'Content-Length: 20'], GZIPPED_EMPTY_OBJECT)],
    ['a 1 GB Content-Length with no body', post(['Content-Type: application/json', 'Content-Length: 1000000000'])],
    ['a method that is not a token', 'PO(ST /v1/signups HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a TRACE request', 'TRACE /v1/signups HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
  ])('refuses %s without a 5xx, injecting no header, storing nothing', async (_label, request) => {
    await h.settle();
    const before = await storeFingerprint(h);
    const { status, head, body } = await rawHttp(server.port, request);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(head).not.toMatch(/set-cookie/i);
    // Answers from the relay itself (not node's parser) are in the error shape.
    if (/content-type: application\/json/i.test(head)) {
      expect(JSON.parse(body)).toEqual(expect.objectContaining({ error: expect.any(String), message: expect.any(String) }));
    }
    await h.settle();
    expect(await storeFingerprint(h)).toEqual(before);
  });

  it('refuses a chunked 5 MB body with a 413 as it streams in', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const chunks = Array.from({ length: 80 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const request = `${post(['Content-Type: application/json', 'Transfer-Encoding: chunked'])}${chunks}0\r\n\r\n`;
    const { status, body } = await rawHttp(server.port, request);
    expect(status).toBe(413);
    expect(JSON.parse(body)).toEqual({ error: 'Payload Too Large', message: expect.any(String) });
  });
});
