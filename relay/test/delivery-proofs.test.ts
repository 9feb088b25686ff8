/**
 * Proofs of the delivery promises against the real relay process: a bad key pauses
 * instead of burning retries, an outage ends in `dead` and replays exactly once, and a
 * graceful shutdown under load loses nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/app';
import { adminJson, freePort, startRelayProcess, waitFor, type RelayProcess } from './relay-process';

const KEY = 'sk_test_proof';
type Stats = { by_state: Record<'queued' | 'delivered' | 'rejected' | 'dead', number> };
type Referrals = { referrals: { email: string }[]; create_calls: Record<string, number>; total_requests: number };

let dir: string;
let emulator: RunningEmulator;
let relays: RelayProcess[];
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vantio-proof-'));
  emulator = await startEmulator({ secretKey: KEY, seed: 5 });
  relays = [];
});
afterEach(async () => {
  for (const relay of relays) await relay.stop('SIGKILL');
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const baseEnv = () => ({
  RELAY_PORT: '0',
  RELAY_DB: join(dir, 'relay.sqlite'),
  VANTIO_API_URL: emulator.url,
  VANTIO_SECRET_KEY: KEY,
  RELAY_FORWARD_CONCURRENCY: '4',
  RELAY_UPSTREAM_TIMEOUT_MS: '2000',
});
async function start(env: Record<string, string>) {
  const relay = await startRelayProcess(env);
  relays.push(relay);
  return relay;
}
const stats = (relay: RelayProcess) => adminJson<Stats>(relay.url, '/stats').then((s) => s.by_state);
const referrals = async () => (await (await fetch(`${emulator.url}/__emulator/referrals`)).json()) as Referrals;
const faults = (body: object) =>
  fetch(`${emulator.url}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const post = (relay: RelayProcess, n: number) =>
  fetch(`${relay.url}/v1/signups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `proof-${n}` },
    body: JSON.stringify({ impression_id: 'imp_demo_3', first_name: `P${n}`, last_name: 'Proof', email: `p${n}@example.edu` }),
  });

describe('delivery promises, end to end', () => {
  it('a wrong key pauses delivery and says why on /readyz; nothing goes dead; the fixed key drains all', async () => {
    const wrong = await start({ ...baseEnv(), VANTIO_SECRET_KEY: 'sk_test_wrong', RELAY_RETRY_SCHEDULE: '0.05,0.05', RELAY_AUTH_PROBE_S: '1' });
    for (let n = 0; n < 20; n++) expect((await post(wrong, n)).status).toBe(202);
    expect(await waitFor(async () => (await fetch(`${wrong.url}/readyz`)).status === 503, 10_000)).toBe(true);
    const ready = (await (await fetch(`${wrong.url}/readyz`)).json()) as { message: string; delivery: { reason: string } };
    expect(ready.delivery.reason).toBe('unauthorized');
    expect(ready.message).toMatch(/VANTIO_SECRET_KEY/);
    expect(ready.message).not.toContain('sk_test_wrong');
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // two probe periods: a short schedule would be long spent
    expect(await stats(wrong)).toEqual({ queued: 20, delivered: 0, rejected: 0, dead: 0, held: 0 });
    expect((await referrals()).total_requests).toBeLessThanOrEqual(8); // probes, not 20 × retries
    expect(await wrong.stop('SIGTERM')).toBe(0);

    const fixed = await start(baseEnv());
    expect(await waitFor(async () => (await stats(fixed)).delivered === 20, 20_000)).toBe(true);
    expect((await fetch(`${fixed.url}/readyz`)).status).toBe(200);
    expect((await referrals()).referrals).toHaveLength(20);
  }, 60_000);

  it('a long outage exhausts the schedule into dead; a replay delivers each exactly once', async () => {
    await faults({ error_rate: 1 });
    const relay = await start({ ...baseEnv(), RELAY_RETRY_SCHEDULE: '0.05,0.1,0.1' });
    for (let n = 0; n < 10; n++) expect((await post(relay, n)).status).toBe(202);
    expect(await waitFor(async () => (await stats(relay)).dead === 10, 20_000)).toBe(true);
    expect((await referrals()).referrals).toHaveLength(0);

    await faults({});
    const report = await adminJson<{ requeued: number }>(relay.url, '/replay', { method: 'POST', body: '{}' });
    expect(report.requeued).toBe(10);
    expect(await waitFor(async () => (await stats(relay)).delivered === 10, 20_000)).toBe(true);
    const upstream = await referrals();
    expect(upstream.referrals).toHaveLength(10);
    // A second replay finds nothing dead: delivered signups are never sent again.
    expect((await adminJson<{ requeued: number }>(relay.url, '/replay', { method: 'POST', body: '{}' })).requeued).toBe(0);
    expect((await referrals()).referrals).toHaveLength(10);
  }, 60_000);

  it('SIGTERM under load: in-flight requests and deliveries finish, nothing acknowledged is lost', async () => {
    await faults({ latency_ms: 150 });
    const port = String(await freePort());
    const env = { ...baseEnv(), RELAY_PORT: port, RELAY_FORWARD_CONCURRENCY: '8', RELAY_RETRY_SCHEDULE: '0.1,0.2,0.5' };
    const relay = await start(env);
    const acknowledged = new Set<number>();
    const refused = new Set<number>();
    const sending = Array.from({ length: 120 }, async (_, n) => {
      await new Promise((resolve) => setTimeout(resolve, n * 4)); // a steady stream, ~0.5 s long
      try {
        const response = await post(relay, n);
        if (response.status === 202) acknowledged.add(n);
        else refused.add(n);
      } catch {
        refused.add(n); // the listener closed: never acknowledged, the client would retry
      }
    });
    // Stop mid-stream: once some signups are acknowledged (a busy machine may need longer than 250 ms).
    await new Promise((resolve) => setTimeout(resolve, 250));
    for (let waited = 0; acknowledged.size <= 10 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const exitCode = await relay.stop('SIGTERM');
    await Promise.all(sending);
    expect(exitCode).toBe(0);
    expect(acknowledged.size).toBeGreaterThan(10);
    const deliveredBeforeRestart = (await referrals()).referrals.length;
    expect(deliveredBeforeRestart).toBeGreaterThan(0); // in-flight deliveries were allowed to finish

    // A client retries what was refused, with the same key; the restarted relay drains the rest.
    const restarted = await start(env);
    for (const n of refused) expect([200, 202]).toContain((await post(restarted, n)).status);
    expect(await waitFor(async () => (await stats(restarted)).delivered === 120, 30_000)).toBe(true);
    const upstream = await referrals();
    expect(upstream.referrals).toHaveLength(120);
    expect(new Set(upstream.referrals.map((r) => r.email)).size).toBe(120);
  }, 60_000);
});
