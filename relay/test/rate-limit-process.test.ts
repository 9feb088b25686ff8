/**
 * The rate limit behind a trusted proxy, on the real relay process (issue 11): an IPv6
 * client's whole /64 shares one budget, and the spellings of one address a proxy may write
 * (with a port, in brackets, IPv4-mapped) are one client, not a new bucket each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream';
import { startRelayProcess, type RelayProcess } from './relay-process';

const BUDGET = 3;
let dir: string;
let upstream: FakeUpstream;
let relay: RelayProcess;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vantio-rate-'));
  upstream = await startFakeUpstream();
  relay = await startRelayProcess({
    RELAY_PORT: '0',
    RELAY_DB: join(dir, 'relay.sqlite'),
    VANTIO_API_URL: upstream.url,
    VANTIO_SECRET_KEY: 'sk_test_rate_limit',
    RELAY_TRUST_PROXY: 'true',
    RELAY_RATE_LIMIT_PER_MIN: String(BUDGET),
  });
});
afterAll(async () => {
  await relay.stop('SIGKILL');
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

let serial = 0;
async function statusFrom(forwardedFor: string): Promise<number> {
  const response = await fetch(`${relay.url}/v1/signups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.99, ${forwardedFor}` },
    body: JSON.stringify({ impression_id: 'imp_demo_1', first_name: 'Rate', last_name: 'Limit', email: `rate${++serial}@example.edu` }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('behind a trusted proxy', () => {
  it('gives one IPv6 /64 one budget however its hosts rotate, and the next /64 its own', async () => {
    const rotating = ['2001:db8:aa:1::1', '2001:db8:aa:1::2', '2001:db8:aa:1:ffff::9', '2001:db8:aa:1:1234:5678:9abc:def0', '[2001:db8:aa:1::77]:443'];
    const statuses = [];
    for (const address of rotating) statuses.push(await statusFrom(address));
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(await statusFrom('2001:db8:aa:2::1')).toBe(202);
  });

  it('counts one IPv4 client once whatever port, brackets or IPv4-mapped form the proxy writes', async () => {
    const spellings = ['203.0.113.50:1111', '203.0.113.50:2222', '::ffff:203.0.113.50', '[::ffff:203.0.113.50]:3333', '203.0.113.50'];
    const statuses = [];
    for (const address of spellings) statuses.push(await statusFrom(address));
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(await statusFrom('203.0.113.51:1111')).toBe(202);
  });
});
