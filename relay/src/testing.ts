/**
 * Test harness: a real relay (temp SQLite file, real forwarder) against a real emulator
 * on an ephemeral loopback port, with a settable clock so retries need no sleeping.
 * `RELAY_TEST_ENGINE=postgres` (with RELAY_TEST_DATABASE_URL) runs every harness relay on a
 * fresh PostgreSQL database instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startEmulator, type RunningEmulator } from './emulator/app';
import { createLogger, type Logger } from './logger';
import { createRelay, type Relay, type RelayOptions } from './relay';
import { createTestDatabase, type TestDatabase } from './store/test-engines';

export const EMULATOR_KEY = 'sk_test_harness';
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
export const START = Date.parse('2026-01-15T10:30:00Z');

export interface Harness {
  relay: Relay;
  emulator: RunningEmulator;
  dbPath: string;
  /** The PostgreSQL database of this harness (RELAY_TEST_ENGINE=postgres), else undefined. */
  databaseUrl: string | undefined;
  clock: { now: number };
  logLines: string[];
  /** Opens a second relay on the same database (a restart after a crash of the current one). */
  restart(overrides?: Partial<RelayOptions>): Promise<Relay>;
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  admin(path: string, init?: RequestInit): Promise<Response>;
  /** Lets the forwarder claim what is due at the current clock and waits for it. */
  settle(): Promise<void>;
  referrals(): Promise<{ referrals: Array<Record<string, unknown>>; create_calls: Record<string, number> }>;
  faults(faults: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export function person(n: number, overrides: Record<string, unknown> = {}) {
  return {
    impression_id: 'imp_demo_1',
    first_name: `First${n}`,
    last_name: `Last${n}`,
    email: `person${n}@example.edu`,
    ...overrides,
  };
}

/** A real relay logger whose every written line is pushed onto `lines` (tests read what was logged). */
export function linesLogger(lines: string[], level = 'debug'): Logger {
  return createLogger(
    level,
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
}

export async function createHarness(overrides: Partial<RelayOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'vantio-relay-test-'));
  const dbPath = join(dir, 'relay.sqlite');
  const database = await harnessDatabase();
  const emulator = await startEmulator({ secretKey: EMULATOR_KEY, seed: 7 });
  const clock = { now: START };
  const logLines: string[] = [];
  const logger = linesLogger(logLines);
  const options = (extra: Partial<RelayOptions>): RelayOptions => ({
    dbPath,
    databaseUrl: database?.url,
    vantioApiUrl: emulator.url,
    vantioSecretKey: EMULATOR_KEY,
    allowedOrigins: ['https://club.example.edu'],
    adminToken: ADMIN_TOKEN,
    rateLimitPerMinute: 0,
    minFillMs: 1000,
    trustProxy: false,
    forwardConcurrency: 4,
    retryScheduleMs: [5_000, 60_000, 600_000],
    upstreamTimeoutMs: 5_000,
    authProbeMs: 60_000,
    logger,
    now: () => clock.now,
    random: () => 0.5, // no jitter: exact, assertable due times
    ...overrides,
    ...extra,
  });
  const relays: Relay[] = [];
  const open = async (extra: Partial<RelayOptions> = {}) => {
    const relay = await createRelay(options(extra));
    relays.push(relay);
    relay.start();
    return relay;
  };
  const harness: Harness = {
    relay: await open(),
    emulator,
    dbPath,
    databaseUrl: database?.url,
    clock,
    logLines,
    restart: async (extra) => {
      // The previous relay "crashes": it claims nothing more and records nothing it had not
      // already. On PostgreSQL it would otherwise keep delivering (it hears every commit),
      // and its leases stay until they expire, as after a real crash.
      const previous = harness.relay;
      await previous.forwarder.stop(0);
      return (harness.relay = await open(extra));
    },
    post: async (body, headers = {}) =>
      harness.relay.app.request('/v1/signups', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    admin: async (path, init = {}) =>
      harness.relay.app.request(`/v1/admin${path}`, {
        ...init,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers as Record<string, string> | undefined) },
      }),
    async settle() {
      for (let round = 0; round < 50; round++) {
        harness.relay.forwarder.pump();
        await harness.relay.forwarder.idle();
        await new Promise((resolve) => setImmediate(resolve));
        if (harness.relay.forwarder.status().inFlight === 0) {
          const next = await harness.relay.store.nextDueAt(clock.now);
          if (next === null || next > clock.now || harness.relay.forwarder.status().paused) return;
        }
      }
    },
    async referrals() {
      return (await fetch(`${emulator.url}/__emulator/referrals`)).json() as ReturnType<Harness['referrals']>;
    },
    async faults(faults) {
      const response = await fetch(`${emulator.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(faults),
      });
      if (!response.ok) throw new Error(`emulator faults: ${response.status} ${await response.text()}`);
    },
    async close() {
      for (const relay of relays) await relay.stop(1_000).catch(() => undefined);
      await emulator.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The harness's engine: SQLite unless RELAY_TEST_ENGINE=postgres asks for a fresh PostgreSQL database. */
async function harnessDatabase(): Promise<TestDatabase | undefined> {
  const engine = process.env.RELAY_TEST_ENGINE?.trim() || 'sqlite';
  if (engine === 'sqlite') return undefined;
  const serverUrl = process.env.RELAY_TEST_DATABASE_URL?.trim();
  if (engine !== 'postgres' || !serverUrl) {
    throw new Error('RELAY_TEST_ENGINE must be sqlite or postgres, and postgres needs RELAY_TEST_DATABASE_URL');
  }
  return createTestDatabase(serverUrl);
}
