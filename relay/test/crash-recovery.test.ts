/**
 * Proof of "nothing accepted is lost, no referral is created twice": the real relay as a
 * child process, a faulty upstream, concurrent clients, and two SIGKILLs mid-run.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/app';
import { adminJson, freePort, startRelayProcess, waitFor, type RelayProcess } from './relay-process';

const KEY = 'sk_test_proof';
const WEBHOOK_SECRET = 'proof-webhook-secret-0123456789';
/** A backend that signs its webhooks with HMAC-SHA256 (hex) over the raw body. */
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
const FAST_RETRIES = '0.05,0.1,0.2,0.3,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5';

let dir: string;
let emulator: RunningEmulator;
let relays: RelayProcess[];
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vantio-proof-'));
  emulator = await startEmulator({ secretKey: KEY, seed: 11 });
  relays = [];
});
afterEach(async () => {
  for (const relay of relays) await relay.stop('SIGKILL');
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

type Stats = { by_state: Record<'queued' | 'delivered' | 'rejected' | 'dead', number> };
type Referrals = { referrals: { impression_id: string; email: string }[]; create_calls: Record<string, number> };

const setFaults = (faults: object) =>
  fetch(`${emulator.url}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
const referrals = async () => (await (await fetch(`${emulator.url}/__emulator/referrals`)).json()) as Referrals;

function signup(n: number) {
  return {
    impression_id: `imp_demo_${(n % 5) + 1}`,
    first_name: `Proof${n}`,
    last_name: 'Person',
    email: `proof-${n}@example.edu`,
  };
}

/** Every third signup arrives as a signed webhook, the others as widget posts. */
function request(n: number): { path: string; headers: Record<string, string>; body: string } {
  if (n % 3 === 0) {
    const body = JSON.stringify(signup(n));
    const signature = createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex');
    return { path: '/v1/webhooks/backend', headers: { 'content-type': 'application/json', 'x-signature': signature }, body };
  }
  return {
    path: '/v1/signups',
    headers: { 'content-type': 'application/json', 'idempotency-key': `proof-submission-${n}` },
    body: JSON.stringify(signup(n)),
  };
}

/** A client that behaves like the widget or a webhook sender: the same request retried until a 2xx. */
async function submitUntilAcknowledged(baseUrl: () => string, n: number, deadline: number): Promise<number> {
  const { path, headers, body } = request(n);
  for (;;) {
    try {
      const response = await fetch(`${baseUrl()}${path}`, { method: 'POST', headers, body });
      if (response.status === 202 || response.status === 200) return response.status;
      if (response.status < 500) throw new Error(`signup ${n}: unexpected ${response.status} ${await response.text()}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('signup')) throw error;
      // The relay is down (killed) or the connection broke: try again, same key.
    }
    if (Date.now() > deadline) throw new Error(`signup ${n} never acknowledged`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('crash recovery under a faulty upstream', () => {
  it('300 concurrent signups (widget and webhooks), two SIGKILLs: exactly 300 referrals, one per key, all delivered', async () => {
    const port = await freePort();
    const env = {
      RELAY_PORT: String(port),
      RELAY_DB: join(dir, 'relay.sqlite'),
      VANTIO_API_URL: emulator.url,
      VANTIO_SECRET_KEY: KEY,
      RELAY_FORWARD_CONCURRENCY: '8',
      RELAY_RETRY_SCHEDULE: FAST_RETRIES,
      RELAY_UPSTREAM_TIMEOUT_MS: '2000',
      RELAY_SOURCES_FILE: join(dir, 'sources.json'),
    };
    writeFileSync(env.RELAY_SOURCES_FILE, JSON.stringify(SOURCES));
    await setFaults({
      latency_ms: 5,
      latency_jitter_ms: 40,
      error_rate: 0.3,
      rate_limit_rate: 0.05,
      retry_after_s: 1,
      drop_rate: 0.05,
      lost_response_rate: 0.05,
    });
    let relay = await startRelayProcess(env);
    relays.push(relay);

    let acknowledged = 0;
    let kills = 0;
    const crashAt = [100, 200];
    let restarting: Promise<void> | null = null;
    const crashAndRestart = async () => {
      kills += 1;
      await relay.stop('SIGKILL');
      relay = await startRelayProcess(env); // same database, same port
      relays.push(relay);
    };

    const deadline = Date.now() + 60_000;
    const queue = Array.from({ length: 300 }, (_, n) => n);
    const worker = async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        await submitUntilAcknowledged(() => relay.url, n, deadline);
        acknowledged += 1;
        if (crashAt[kills] !== undefined && acknowledged >= crashAt[kills]! && !restarting) {
          restarting = crashAndRestart().finally(() => (restarting = null));
        }
      }
    };
    await Promise.all(Array.from({ length: 30 }, worker));
    await restarting;
    expect(kills).toBe(2);
    expect(acknowledged).toBe(300);

    await setFaults({});
    const drained = await waitFor(async () => {
      const stats = await adminJson<Stats>(relay.url, '/stats');
      return stats.by_state.delivered === 300;
    }, 60_000);
    const stats = await adminJson<Stats>(relay.url, '/stats');
    expect(drained, JSON.stringify(stats)).toBe(true);
    expect(stats.by_state).toEqual({ queued: 0, delivered: 300, rejected: 0, dead: 0, held: 0 });

    const upstream = await referrals();
    expect(upstream.referrals).toHaveLength(300);
    expect(Object.keys(upstream.create_calls)).toHaveLength(300); // a referral is created only for a new key
    const people = new Set(upstream.referrals.map((r) => `${r.impression_id}|${r.email.toLowerCase()}`));
    expect(people.size).toBe(300);
    for (let n = 0; n < 300; n++) expect(people.has(`imp_demo_${(n % 5) + 1}|proof-${n}@example.edu`)).toBe(true);
  }, 150_000);
});
