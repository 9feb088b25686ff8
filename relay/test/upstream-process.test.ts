/**
 * The real relay process against a fake upstream that misbehaves (issue 11): a redirect
 * pauses delivery and sends nothing to its target, a referral for someone else is kept for
 * an admin (dead, never delivered), and 10 MB answers at concurrency 64 leave memory bounded.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { created, redirectTo, referralFor, startFakeUpstream, type FakeUpstream } from './fake-upstream';
import { adminJson, startRelayProcess, waitFor, type RelayProcess } from './relay-process';

let dir: string;
let cleanups: Array<() => Promise<unknown>>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vantio-upstream-'));
  cleanups = [];
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function fake(...args: Parameters<typeof startFakeUpstream>): Promise<FakeUpstream> {
  const upstream = await startFakeUpstream(...args);
  cleanups.push(() => upstream.close());
  return upstream;
}
async function relayAgainst(upstream: FakeUpstream, env: Record<string, string> = {}): Promise<RelayProcess> {
  const relay = await startRelayProcess({
    RELAY_PORT: '0',
    RELAY_DB: join(dir, 'relay.sqlite'),
    VANTIO_API_URL: upstream.url,
    VANTIO_SECRET_KEY: 'sk_test_fake_upstream',
    RELAY_AUTH_PROBE_S: '1',
    RELAY_RETRY_SCHEDULE: '0.05,0.05,0.05',
    ...env,
  });
  cleanups.push(() => relay.stop('SIGKILL'));
  return relay;
}
const post = (relay: RelayProcess, n: number) =>
  fetch(`${relay.url}/v1/signups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ impression_id: 'imp_demo_1', first_name: `Up${n}`, last_name: 'Stream', email: `up${n}@example.edu` }),
  });
type Stats = { by_state: Record<string, number> };
type Ready = { status?: string; delivery: { paused: boolean; reason: string | null; message: string | null } };
const readyz = async (relay: RelayProcess) => {
  const response = await fetch(`${relay.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Ready };
};

describe('an upstream that redirects', () => {
  it('sends nothing to the target, records nothing as delivered, pauses with the Location in /readyz and the log, and resumes once fixed', async () => {
    const target = await fake();
    const origin = await fake(redirectTo(`${target.url}/api/v1/referrals`, 307));
    const relay = await relayAgainst(origin);
    expect((await post(relay, 1)).status).toBe(202);
    expect((await post(relay, 2)).status).toBe(202);

    expect(await waitFor(async () => (await readyz(relay)).body.delivery.reason === 'misconfigured', 10_000)).toBe(true);
    const paused = await readyz(relay);
    expect(paused.status).toBe(503);
    expect(paused.body.delivery.message).toContain(`${target.url}/api/v1/referrals`);

    // A 302 (which fetch would follow as a GET) on the next probes: still nothing sent on.
    origin.handle(redirectTo(`${target.url}/elsewhere`, 302));
    const probes = origin.received.length;
    expect(await waitFor(async () => origin.received.length > probes, 10_000)).toBe(true);
    expect(target.received).toHaveLength(0);
    expect((await adminJson<Stats>(relay.url, '/stats')).by_state).toMatchObject({ queued: 2, delivered: 0 });

    // Fixed upstream: the next probe delivers and the pause lifts; both signups go out.
    origin.handle(created);
    expect(await waitFor(async () => (await adminJson<Stats>(relay.url, '/stats')).by_state.delivered === 2, 10_000)).toBe(true);
    expect((await readyz(relay)).status).toBe(200);
    expect(target.received).toHaveLength(0);
    // Logs are buffered: a clean stop flushes them. The Location is configuration, not personal data.
    expect(await relay.stop('SIGTERM')).toBe(0);
    expect(relay.output()).toContain(`"location":"${target.url}/api/v1/referrals"`);
  });
});

describe('an upstream that answers for someone else', () => {
  it('keeps the signup for an admin as dead with the reason, never delivered', async () => {
    const upstream = await fake((request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(referralFor(request.body, { email: 'another.person@example.edu' })));
    });
    const relay = await relayAgainst(upstream);
    const receipt = (await (await post(relay, 3)).json()) as { id: string };
    expect(await waitFor(async () => (await adminJson<Stats>(relay.url, '/stats')).by_state.dead === 1, 10_000)).toBe(true);
    const signup = await adminJson<{ state: string; last_error: string; referral_id: string | null }>(relay.url, `/signups/${receipt.id}`);
    expect(signup).toMatchObject({ state: 'dead', last_error: expect.stringContaining('for another email'), referral_id: null });
    expect((await readyz(relay)).status).toBe(200);
  });
});

/** The V8 heap flags `npm start` runs the relay with (package.json): what production measures. */
const NPM_START_HEAP = '--max-semi-space-size=4 --max-old-space-size=128';
/** Resident set size of a process, from /proc (Linux). */
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

describe('an upstream that answers 10 MB', () => {
  it('at concurrency 64, keeps the relay under 200 MB resident and delivers nothing', async () => {
    const tenMegabytes = Buffer.alloc(10 * 1024 * 1024, 0x20);
    const upstream = await fake((_request, res) => {
      // Chunked, no Content-Length: the client can only stop by counting.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"ref_big","padding":"');
      res.end(tenMegabytes);
    });
    const relay = await relayAgainst(upstream, {
      RELAY_FORWARD_CONCURRENCY: '64',
      RELAY_RETRY_SCHEDULE: Array.from({ length: 40 }, () => '0.05').join(','),
      RELAY_UPSTREAM_TIMEOUT_MS: '30000',
      NODE_OPTIONS: NPM_START_HEAP,
    });
    const pid = relay.child.pid!;
    const responses = await Promise.all(Array.from({ length: 128 }, (_, n) => post(relay, 100 + n)));
    expect(responses.every((response) => response.status === 202)).toBe(true);

    let peak = 0;
    const answered = 640; // ten rounds of 64 concurrent 10 MB answers
    while (upstream.received.length < answered) {
      expect(relay.child.exitCode, `the relay exited:\n${relay.output().slice(-2000)}`).toBeNull();
      peak = Math.max(peak, rssMb(pid));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    peak = Math.max(peak, rssMb(pid));
    console.log(`relay peak RSS with ${answered} answers of 10 MB at concurrency 64: ${peak.toFixed(0)} MB`);
    expect(peak).toBeLessThan(200);
    expect((await adminJson<Stats>(relay.url, '/stats')).by_state.delivered).toBe(0);
  }, 120_000);
});
