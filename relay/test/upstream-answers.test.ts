/**
 * The Vantio client against a real (fake) upstream on loopback sockets, for the answers a
 * hostile review sent (issue 11): redirects are never followed, a referral for someone else
 * is never a delivery, and no answer is read past 64 KB, however it is framed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createVantioClient, MAX_RESPONSE_BYTES } from '@vantio/shared';
import { referralFor, redirectTo, startFakeUpstream, type FakeUpstream } from './fake-upstream';

const body = { impression_id: 'imp_demo_1', first_name: 'Ada', last_name: 'Lovelace', email: 'Ada@Example.edu', idempotency_key: 'k1' };
const upstreams: FakeUpstream[] = [];
afterEach(async () => {
  for (const upstream of upstreams.splice(0)) await upstream.close();
});
async function upstream(...args: Parameters<typeof startFakeUpstream>) {
  const started = await startFakeUpstream(...args);
  upstreams.push(started);
  return started;
}
const clientFor = (baseUrl: string, timeoutMs = 5_000) => createVantioClient({ baseUrl, secretKey: 'sk_test_answers', timeoutMs });

describe('redirects', () => {
  it.each([307, 308, 302, 301, 303])('a %i is never followed: the target gets nothing, the outcome says where it pointed', async (status) => {
    const target = await upstream();
    const origin = await upstream(redirectTo(`${target.url}/api/v1/referrals`, status));
    const outcome = await clientFor(origin.url).createReferral(body);
    expect(outcome).toMatchObject({ kind: 'misconfigured', status, location: `${target.url}/api/v1/referrals` });
    expect(outcome.kind === 'misconfigured' && outcome.message).toContain(target.url);
    expect(origin.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
  });
});

describe('the referral must be the one that was sent', () => {
  it('a referral for another email is mismatched, not created', async () => {
    const fake = await upstream((request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(referralFor(request.body, { email: 'someone.else@example.edu' })));
    });
    const outcome = await clientFor(fake.url).createReferral(body);
    expect(outcome).toMatchObject({ kind: 'mismatched', status: 200, message: expect.stringContaining('another email') });
    expect(JSON.stringify(outcome)).not.toContain('someone.else');
  });

  it('a referral for another impression is mismatched, not created', async () => {
    const fake = await upstream((request, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(referralFor(request.body, { impression_id: 'imp_other' })));
    });
    expect(await clientFor(fake.url).createReferral(body)).toMatchObject({ kind: 'mismatched', message: expect.stringContaining('another impression') });
  });

  it('the same email in another case or with spaces is the same person', async () => {
    const fake = await upstream((request, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(referralFor(request.body, { email: ' ada@example.EDU ' })));
    });
    expect(await clientFor(fake.url).createReferral(body)).toMatchObject({ kind: 'created', status: 201 });
  });
});

describe('answers are read up to 64 KB', () => {
  const big = Buffer.alloc(10 * 1024 * 1024, 0x20);

  it('a 10 MB 200 with a Content-Length is not read: retryable, never created', async () => {
    const fake = await upstream((request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(big.length + 2) });
      res.write('{"');
      res.end(big);
    });
    const outcome = await clientFor(fake.url).createReferral(body);
    expect(outcome).toMatchObject({ kind: 'retryable', status: 200, message: expect.stringContaining('larger than 64 KB') });
  });

  it('a chunked 10 MB answer is cut at 64 KB and its connection closed', async () => {
    const fake = await upstream((_request, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(big);
    });
    const outcome = await clientFor(fake.url).createReferral(body);
    expect(outcome).toMatchObject({ kind: 'retryable', status: 503, message: expect.stringContaining('larger than 64 KB') });
    await expect.poll(() => fake.closedConnections).toBe(1);
  });

  it('a body that never ends is cut at 64 KB, well before the timeout', async () => {
    let written = 0;
    const fake = await upstream((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(8 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.write('{"id":');
      pump();
    });
    const outcome = await clientFor(fake.url, 60_000).createReferral(body);
    expect(outcome).toMatchObject({ kind: 'retryable', status: 200, message: expect.stringContaining('larger than 64 KB') });
    await expect.poll(() => fake.abandoned).toBe(1);
    expect(written).toBeGreaterThan(MAX_RESPONSE_BYTES);
  });

  it('a body that trickles forever under the cap ends in the timeout', async () => {
    const fake = await upstream((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 20);
    });
    expect(await clientFor(fake.url, 300).createReferral(body)).toMatchObject({ kind: 'retryable', status: null, message: 'timed out after 300 ms' });
  });

  it('an answer just under the cap is read whole', async () => {
    const fake = await upstream((request, res) => {
      const referral = JSON.stringify({ ...referralFor(request.body), padding: 'x'.repeat(MAX_RESPONSE_BYTES - 1024) });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(referral);
    });
    expect(await clientFor(fake.url).createReferral(body)).toMatchObject({ kind: 'created' });
  });
});
