/**
 * `vantio-relay migrate-to-postgres` as a child process: a SQLite relay database with
 * signups in every state, attempts, keys, webhook records, payloads and the shared delivery
 * state is copied into a fresh PostgreSQL database; a re-run adds nothing; the copy works
 * as a relay database (sequences continue, payload order kept).
 */
import { normaliseEmail, upstreamIdempotencyKey } from '@vantio/shared';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../ids';
import { SqliteStore } from '../store/sqlite/engine';
import { createTestDatabase, testServerUrl, type TestDatabase } from '../store/test-engines';
import type { Store } from '../store/types';

const BIN = fileURLToPath(new URL('../../bin/vantio-relay.mjs', import.meta.url));
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(RELAY_|VANTIO_|EMULATOR_)/.test(key))) as Record<
  string,
  string
>;
const T0 = Date.parse('2026-01-10T12:00:00Z');
/** Every table of the schema, in the copy's order (parents first, then the rest by name). */
const TABLES = [
  'signups',
  'duplicate_keys',
  'outbox',
  'attempts',
  'relay_meta',
  'webhook_deliveries',
  'webhook_payloads',
  'pictures',
  'picture_uses',
  'pages',
  'poster_link_origins',
  'poster_links',
  'refused_origins',
];

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...BASE_ENV, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function fill(store: Store): Promise<void> {
  for (let n = 0; n < 30; n++) {
    const email = `move-${n}@example.edu`;
    const at = T0 + n * 1000;
    const { signup } = await store.transaction((tx) =>
      tx.signups.accept({
        id: newId('sgn', at),
        source: n % 3 ? 'widget' : 'backend',
        impressionId: 'imp_demo_1',
        firstName: `Move${n}`,
        lastName: "O'Brien",
        email,
        emailNorm: normaliseEmail(email),
        metadata: { n, note: 'é ✓' },
        clientKey: `widget:key-${n}`,
        requestHash: `h${n}`,
        upstreamKey: upstreamIdempotencyKey('imp_demo_1', email),
        now: at,
      }),
    );
    if (n % 3 === 0) await store.transaction((tx) => tx.webhooks.recordAccepted({ source: 'backend', deliveryId: `d${n}`, signupId: signup.id, now: at }));
    if (n % 2 === 0) {
      const [claim] = await store.claimDue(at + 10, 1, 30_000);
      const attempt = { startedAt: at + 10, durationMs: 7, outcome: 'retryable' as const, httpStatus: 503, error: 'down' };
      await store.recordDelivery(claim!, attempt, { state: 'queued', dueAt: at + 5_000, countsAsFailure: true, error: '503: down' }, at + 20);
    }
  }
  for (let n = 0; n < 3; n++) {
    await store.transaction((tx) =>
      tx.webhooks.recordUnmappable({ id: newId('whp', T0 + n), source: 'backend', deliveryId: `bad${n}`, body: `{"n":${n}}`, issues: [], now: T0 + n }),
    );
  }
  // The tables of later features too: poster links and refused origins.
  await store.transaction(async (tx) => {
    await tx.links.put({ slug: 'robotics', target: 'https://docs.google.com/forms/d/e/x/viewform', impression_param: 'entry.1' }, T0);
    await tx.links.setOrigins(['https://forms.example.edu'], T0);
    await tx.refusedOrigins.add([{ origin: 'https://typo.example.edu', count: 3, first_seen: T0, last_seen: T0 + 1 }], 200);
  });
  await store.transaction(async (tx) => {
    await tx.meta.setAdminPause(T0);
    await tx.meta.addToCounter('bots', 4);
  });
}

const serverUrl = testServerUrl();
describe.skipIf(!serverUrl)('vantio-relay migrate-to-postgres', () => {
  let dir: string;
  let database: TestDatabase;
  let sqlitePath: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vantio-move-'));
    sqlitePath = join(dir, 'relay.sqlite');
    const store = SqliteStore.open(sqlitePath);
    await fill(store);
    await store.close();
    database = await createTestDatabase(serverUrl!);
  });
  afterAll(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies every table, adds nothing when re-run, and the copy runs as a relay database', async () => {
    const env = { RELAY_DB: sqlitePath, RELAY_DATABASE_URL: database.url };
    const first = await cli(['migrate-to-postgres', '--json'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { tables: { table: string; read: number; inserted: number }[]; inserted: number };
    expect(report.tables.map((table) => table.table)).toEqual(TABLES);
    for (const table of report.tables) expect(table.inserted, table.table).toBe(table.read);
    expect(report.tables.find((table) => table.table === 'signups')!.read).toBe(30);

    const again = await cli(['migrate-to-postgres', '--json'], env);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { inserted: number }).inserted).toBe(0);

    const source = SqliteStore.open(sqlitePath);
    const { PostgresStore } = await import('../store/postgres/engine');
    const target = await PostgresStore.open(database.url);
    try {
      for (const table of TABLES) {
        const count = async (store: Store) => Number((await store.read.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);
        expect(await count(target), table).toBe(await count(source));
      }
      const page = { limit: 100, order: 'asc' as const };
      expect(await target.read.admin.listSignups({}, page)).toEqual(await source.read.admin.listSignups({}, page));
      const some = (await source.read.admin.listSignups({}, page))[0]!;
      expect(await target.read.signups.attempts(some.id)).toEqual(await source.read.signups.attempts(some.id));
      expect(await target.read.webhooks.listPayloads({ limit: 10 })).toEqual(await source.read.webhooks.listPayloads({ limit: 10 }));
      expect(await target.read.meta.deliveryState()).toEqual(await source.read.meta.deliveryState());
      expect(await target.read.meta.counter('bots')).toBe(4);
      expect(await target.nextDueAt(T0)).toBe(await source.nextDueAt(T0));
      // Sequences continue after the copied ids: new attempts and payloads insert fine.
      const [claim] = await target.claimDue(T0 + 100_000, 1, 30_000);
      const attempt = { startedAt: T0, durationMs: 1, outcome: 'retryable' as const, httpStatus: 503, error: 'x' };
      expect(await target.recordDelivery(claim!, attempt, { state: 'queued', dueAt: T0, countsAsFailure: false, error: null }, T0)).toBe('recorded');
      await target.transaction((tx) =>
        tx.webhooks.recordUnmappable({ id: newId('whp', T0 + 99), source: 'backend', deliveryId: 'new', body: '{}', issues: [], now: T0 + 99 }),
      );
      expect((await target.read.webhooks.listPayloads({ limit: 1 }))[0]!.delivery_id).toBe('new');
    } finally {
      await source.close();
      await target.close();
    }
  });

  it('says what is missing, without echoing the URL', async () => {
    const noUrl = await cli(['migrate-to-postgres'], { RELAY_DB: sqlitePath });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/set RELAY_DATABASE_URL/);
    const badUrl = await cli(['migrate-to-postgres'], { RELAY_DB: sqlitePath, RELAY_DATABASE_URL: 'postgres://u:secret-pw@127.0.0.1:1/x' });
    expect(badUrl.code).toBe(3);
    expect(badUrl.stderr).not.toContain('secret-pw');
  });
});
