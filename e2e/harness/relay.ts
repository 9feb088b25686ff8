/**
 * Starts the real relay (sandbox mode: with its Vantio emulator) as a child process on
 * ephemeral ports with a throw-away database, exactly as `npm start` would, and stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatedReferral } from '../../relay/src/emulator/state';
import { createTestDatabase, type TestDatabase } from '../../relay/src/store/test-engines';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The relay's default bot policy (RELAY_MIN_FILL_MS 0: only a filled honeypot holds), so the
 * tests see what a real person sees; fillForm still pauses briefly, as a person would.
 */
export const MIN_FILL_MS = 0;
/** The admin token of every e2e relay (its admin API: held signups, stats). */
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

export interface RunningRelay {
  url: string;
  emulatorUrl: string;
  /** Creates a fresh impression in the emulator, so each test owns its referrals. */
  newImpression(): Promise<string>;
  referrals(impressionId: string): Promise<EmulatedReferral[]>;
  /** Upstream create calls per upstream idempotency key. */
  createCalls(): Promise<Record<string, number>>;
  /** The relay's admin API with the e2e token; throws on a non-2xx answer. */
  admin<T>(path: string, init?: RequestInit): Promise<T>;
  /** Everything the relay process has written to stdout and stderr so far. */
  logs(): string;
  stop(): Promise<void>;
}

/** The Playwright project's storage engine: `postgres` runs the relay on a fresh PostgreSQL database. */
export type Engine = 'sqlite' | 'postgres';

export async function startRelay(env: Record<string, string> = {}, engine: Engine = 'sqlite'): Promise<RunningRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'vantio-e2e-'));
  let database: TestDatabase | undefined;
  if (engine === 'postgres') {
    const serverUrl = process.env.RELAY_TEST_DATABASE_URL;
    if (!serverUrl) throw new Error('the postgres project needs RELAY_TEST_DATABASE_URL (scripts/pg-test-cluster.sh start)');
    database = await createTestDatabase(serverUrl);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      VANTIO_API_URL: '',
      RELAY_HOST: '127.0.0.1',
      RELAY_PORT: '0',
      EMULATOR_PORT: '0',
      RELAY_DB: join(dir, 'relay.sqlite'),
      ...(database ? { RELAY_DATABASE_URL: database.url } : {}),
      RELAY_LOG_LEVEL: 'warn',
      RELAY_MIN_FILL_MS: String(MIN_FILL_MS),
      RELAY_ADMIN_TOKEN: E2E_ADMIN_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));

  const [url, emulatorUrl] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('the relay did not start within 30 s')), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- relay output ---\n${output}`));
    };
    const onEarlyExit = (code: number | null) => fail(new Error(`the relay exited with code ${code}`));
    const onStartupOutput = () => {
      const relay = /relay listening on (\S+)/.exec(output)?.[1];
      const emulator = /emulator listening on (\S+)/.exec(output)?.[1];
      if (relay && emulator) {
        clearTimeout(timer);
        // Detach only our own startup listeners: stop() adds its own exit listener later.
        child.off('exit', onEarlyExit);
        child.stdout!.off('data', onStartupOutput);
        resolve([relay, emulator]);
      }
    };
    child.on('exit', onEarlyExit);
    child.stdout!.on('data', onStartupOutput);
  });

  const control = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${emulatorUrl}/__emulator${path}`, init);
    if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  return {
    url,
    emulatorUrl,
    newImpression: async () =>
      (await control('/impressions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).id,
    referrals: async (impressionId) =>
      ((await control('/referrals')).referrals as EmulatedReferral[]).filter((r) => r.impression_id === impressionId),
    createCalls: async () => (await control('/referrals')).create_calls,
    admin: async (path, init = {}) => {
      const res = await fetch(`${url}/v1/admin${path}`, {
        ...init,
        headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, ...(init.headers as Record<string, string> | undefined) },
      });
      if (!res.ok) throw new Error(`admin ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    logs: () => output,
    stop: async () => {
      await stop(child, dir);
      await database?.drop();
    },
  };
}

function stop(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null) return done();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}
