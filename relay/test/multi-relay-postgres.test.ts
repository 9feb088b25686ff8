/**
 * Proof of "several relays, one durable queue": three real relay processes share one
 * PostgreSQL database, a faulty upstream, clients spread across them (failing over like a
 * load balancer), and two relays SIGKILLed at different moments and restarted. Needs the
 * test server (RELAY_TEST_DATABASE_URL); skipped with one message without it, never in CI.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/app';
import { createTestDatabase, testServerUrl, type TestDatabase } from '../src/store/test-engines';
import { adminJson, freePort, startRelayProcess, waitFor, type RelayProcess } from './relay-process';

const KEY = 'sk_test_multi_relay';
const WEBHOOK_SECRET = 'multi-relay-webhook-secret-0123456789';
const SOURCES = {
  sources: {
    backend: {
      verifier: 'hmac-sha256',
      secrets: [WEBHOOK_SECRET],
      header: 'X-Signature',
      encoding: 'hex',
      map: { impression_id: 'impression_id', first_name: 'first_name', last_name: 'last_name', email: 'email' },
    },
  },
};
const FAST_RETRIES = '0.05,0.1,0.2,0.3,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5';
const TOTAL = 500;

type Stats = { by_state: Record<'queued' | 'delivered' | 'rejected' | 'dead', number> };
type Referrals = { referrals: { impression_id: string; email: string }[]; create_calls: Record<string, number>; total_requests: number };
type Overlaps = { overlapping_calls: Record<string, number>; max_in_flight_per_key: number };
type Ready = { delivery?: { paused: boolean; reason: string | null } };

const serverUrl = testServerUrl();

describe.skipIf(!serverUrl)('three relays on one PostgreSQL', () => {
  let dir: string;
  let database: TestDatabase;
  let emulator: RunningEmulator;
  let processes: RelayProcess[];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vantio-multi-'));
    database = await createTestDatabase(serverUrl!);
    emulator = await startEmulator({ secretKey: KEY, seed: 23 });
    processes = [];
    writeFileSync(join(dir, 'sources.json'), JSON.stringify(SOURCES));
  });
  afterEach(async () => {
    for (const relay of processes) await relay.stop('SIGKILL');
    await emulator.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const emulatorJson = async <T>(path: string, init?: RequestInit) =>
    (await (await fetch(`${emulator.url}/__emulator${path}`, init)).json()) as T;
  const setFaults = (faults: object) =>
    fetch(`${emulator.url}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });

  function relayEnv(port: number, extra: Record<string, string> = {}): Record<string, string> {
    return {
      RELAY_PORT: String(port),
      RELAY_DB: join(dir, `unused-${port}.sqlite`), // never opened: RELAY_DATABASE_URL wins
      RELAY_DATABASE_URL: database.url,
      VANTIO_API_URL: emulator.url,
      VANTIO_SECRET_KEY: KEY,
      RELAY_FORWARD_CONCURRENCY: '4',
      RELAY_RETRY_SCHEDULE: FAST_RETRIES,
      RELAY_UPSTREAM_TIMEOUT_MS: '1000',
      // A dead relay's claims are taken over after 6 s (one call of at most 1 s + the margin).
      RELAY_LEASE_S: '6',
      RELAY_SOURCES_FILE: join(dir, 'sources.json'),
      ...extra,
    };
  }

  async function start(env: Record<string, string>): Promise<RelayProcess> {
    const relay = await startRelayProcess(env);
    processes.push(relay);
    return relay;
  }

  it(`${TOTAL} widget and webhook signups over 3 relays, 30 % faults, two SIGKILLs: ${TOTAL} referrals, one per key, no overlapping calls`, async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const envs = ports.map((port) => relayEnv(port));
    // Started together: the migrations run once, under the advisory lock.
    const relays = await Promise.all(envs.map((env) => start(env)));
    const urls = relays.map((relay) => relay.url);
    await setFaults({
      latency_ms: 5,
      latency_jitter_ms: 40,
      error_rate: 0.2,
      drop_rate: 0.04,
      lost_response_rate: 0.04,
      rate_limit_rate: 0.02,
      retry_after_s: 1,
    });

    const signup = (n: number) => ({
      impression_id: `imp_demo_${(n % 5) + 1}`,
      first_name: `Multi${n}`,
      last_name: 'Relay',
      email: `multi-${n}@example.edu`,
    });
    /** Every fourth signup is a signed webhook; the others are widget posts with an idempotency key. */
    const request = (n: number): { path: string; headers: Record<string, string>; body: string } => {
      const body = JSON.stringify(signup(n));
      if (n % 4 === 0) {
        const signature = createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex');
        return { path: '/v1/webhooks/backend', headers: { 'content-type': 'application/json', 'x-signature': signature }, body };
      }
      return { path: '/v1/signups', headers: { 'content-type': 'application/json', 'idempotency-key': `multi-${n}` }, body };
    };
    const deadline = Date.now() + 90_000;
    /** Like a client behind a load balancer: the same request, on to the next relay while one is down. */
    const submit = async (n: number) => {
      const { path, headers, body } = request(n);
      for (let attempt = 0; ; attempt++) {
        const url = urls[(n + attempt) % urls.length]!;
        try {
          const response = await fetch(`${url}${path}`, { method: 'POST', headers, body });
          if (response.status === 202 || response.status === 200) return;
          if (response.status < 500) throw new Error(`signup ${n}: unexpected ${response.status} ${await response.text()}`);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('signup')) throw error;
        }
        if (Date.now() > deadline) throw new Error(`signup ${n} never acknowledged`);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    };

    let acknowledged = 0;
    const kills: Array<{ at: number; index: number }> = [
      { at: 150, index: 1 },
      { at: 330, index: 2 },
    ];
    const restarts: Promise<void>[] = [];
    const crashAndRestart = async (index: number) => {
      await relays[index]!.stop('SIGKILL');
      relays[index] = await start(envs[index]!); // same port, same database
      urls[index] = relays[index].url;
    };
    const queue = Array.from({ length: TOTAL }, (_, n) => n);
    const worker = async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        await submit(n);
        acknowledged += 1;
        if (kills[0] && acknowledged >= kills[0].at) restarts.push(crashAndRestart(kills.shift()!.index));
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    await Promise.all(restarts);
    expect(acknowledged).toBe(TOTAL);
    expect(kills).toEqual([]);

    await setFaults({});
    const drained = await waitFor(async () => (await adminJson<Stats>(urls[0]!, '/stats')).by_state.delivered === TOTAL, 90_000, 250);
    const stats = await adminJson<Stats>(urls[0]!, '/stats');
    expect(drained, JSON.stringify(stats)).toBe(true);
    expect(stats.by_state).toEqual({ queued: 0, delivered: TOTAL, rejected: 0, dead: 0, held: 0 });

    const upstream = await emulatorJson<Referrals>('/referrals');
    expect(upstream.referrals).toHaveLength(TOTAL);
    expect(Object.keys(upstream.create_calls)).toHaveLength(TOTAL); // one upstream key per person
    const people = new Set(upstream.referrals.map((r) => `${r.impression_id}|${r.email.toLowerCase()}`));
    for (let n = 0; n < TOTAL; n++) expect(people.has(`imp_demo_${(n % 5) + 1}|multi-${n}@example.edu`)).toBe(true);
    // No signup was ever sent by two relays at the same time.
    expect(await emulatorJson<Overlaps>('/overlaps')).toEqual({ overlapping_calls: {}, max_in_flight_per_key: 1 });

    // Every relay's admin API sees the same 500.
    for (const url of urls) {
      const ids = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: { items: { id: string; state: string }[]; next_cursor: string | null } = await adminJson(
          url,
          `/signups?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        for (const item of page.items) if (item.state === 'delivered') ids.add(item.id);
        cursor = page.next_cursor;
      } while (cursor);
      expect(ids.size).toBe(TOTAL);
      expect((await adminJson<Stats>(url, '/stats')).by_state.delivered).toBe(TOTAL);
    }
  }, 240_000);

  it('a wrong key seen by one relay pauses all three, and holds their queued signups', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const wrong = await start(relayEnv(ports[0]!, { VANTIO_SECRET_KEY: 'sk_test_wrong_key' }));
    const post = (url: string, n: number) =>
      fetch(`${url}/v1/signups`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ impression_id: 'imp_demo_1', first_name: `K${n}`, last_name: 'Key', email: `key-${n}@example.edu` }),
      });
    expect((await post(wrong.url, 1)).status).toBe(202);
    const readiness = async (url: string) => {
      const response = await fetch(`${url}/readyz`);
      return { status: response.status, body: (await response.json()) as Ready };
    };
    const pausedByKey = async (url: string) => {
      const ready = await readiness(url);
      return ready.status === 503 && ready.body.delivery?.paused === true && ready.body.delivery.reason === 'unauthorized';
    };
    expect(await waitFor(() => pausedByKey(wrong.url), 10_000)).toBe(true);
    const callsAfterPause = (await emulatorJson<Referrals>('/referrals')).total_requests;

    // Two relays with the right key join: they report the shared pause and send nothing.
    const others = await Promise.all([start(relayEnv(ports[1]!)), start(relayEnv(ports[2]!))]);
    for (const relay of others) expect(await waitFor(() => pausedByKey(relay.url), 10_000)).toBe(true);
    for (let n = 2; n <= 5; n++) expect((await post(others[n % 2]!.url, n)).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await emulatorJson<Referrals>('/referrals')).total_requests).toBe(callsAfterPause);
    expect((await adminJson<Stats>(others[0]!.url, '/stats')).by_state.queued).toBe(5);
    for (const relay of [wrong, ...others]) expect(await pausedByKey(relay.url)).toBe(true);
  }, 60_000);
});
