/**
 * `store.accept`, the accept path on its own, on every engine: it must answer exactly as
 * `transaction((tx) => tx.signups.accept(input))` does (PostgreSQL takes a one-statement
 * path for a new signup and falls back to that unit for everything else).
 */
import { normaliseEmail, upstreamIdempotencyKey } from '@vantio/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids';
import { createTestDatabase, testEngines, testServerUrl, type TestDatabase } from './test-engines';
import { freshStorePerTest } from './test-store';
import type { PostgresStore } from './postgres/engine';
import type { NewSignup, Store } from './types';

const T0 = Date.parse('2026-02-01T09:00:00Z');

function signup(email: string, overrides: Partial<NewSignup> = {}): NewSignup {
  return {
    id: newId('sgn', T0),
    source: 'widget',
    impressionId: 'imp_demo_1',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email,
    emailNorm: normaliseEmail(email),
    requestHash: null,
    upstreamKey: upstreamIdempotencyKey('imp_demo_1', email),
    now: T0,
    ...overrides,
  };
}

const count = async (store: Store, table: 'signups' | 'outbox' | 'duplicate_keys') =>
  Number((await store.read.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);

describe.each(testEngines())('store.accept on $name', (engine) => {
  let store: Store;
  freshStorePerTest(engine, (opened) => (store = opened));

  it('stores a new signup with its outbox row, durably readable, and wakes subscribers', async () => {
    let woken = 0;
    store.subscribe('outbox', () => (woken += 1));
    const result = await store.accept(signup('ada@example.edu', { metadata: { source: 'poster' } }));
    expect(result.kind).toBe('created');
    expect(await store.read.signups.get(result.signup.id)).toEqual(result.signup);
    expect(result.signup).toMatchObject({ state: 'queued', metadata: '{"source":"poster"}', attempts: 0 });
    expect(await count(store, 'outbox')).toBe(1);
    await expect.poll(() => woken, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
  });

  it('answers duplicate for the same person on the same impression, and stores nothing new', async () => {
    const first = await store.accept(signup('ada@example.edu'));
    const again = await store.accept(signup('ADA@example.edu'));
    expect(again).toEqual({ kind: 'duplicate', signup: first.signup });
    expect([await count(store, 'signups'), await count(store, 'outbox')]).toEqual([1, 1]);
  });

  it('replays a client key with the same body and refuses it with another', async () => {
    const first = await store.accept(signup('ada@example.edu', { clientKey: 'widget:k1', requestHash: 'h1' }));
    expect(first.kind).toBe('created');
    expect(await store.accept(signup('ada@example.edu', { clientKey: 'widget:k1', requestHash: 'h1' }))).toEqual({
      kind: 'replayed',
      signup: first.signup,
    });
    const conflict = await store.accept(signup('grace@example.edu', { clientKey: 'widget:k1', requestHash: 'h2' }));
    expect(conflict).toEqual({ kind: 'key_conflict', signup: first.signup });
    expect(await count(store, 'signups')).toBe(1);
  });

  it('keeps a key that answered for a twin bound to it: another body under it is a conflict, not a new signup', async () => {
    const twin = await store.accept(signup('ada@example.edu'));
    // A second sender's key lands on the twin (same person): the key is now bound to it.
    expect(await store.accept(signup('ada@example.edu', { clientKey: 'api:k2', requestHash: 'h1' }))).toEqual({
      kind: 'duplicate',
      signup: twin.signup,
    });
    expect(await count(store, 'duplicate_keys')).toBe(1);
    expect(await store.accept(signup('ada@example.edu', { clientKey: 'api:k2', requestHash: 'h1' }))).toMatchObject({ kind: 'duplicate' });
    // A new person under that bound key must not become a signup.
    const other = await store.accept(signup('grace@example.edu', { clientKey: 'api:k2', requestHash: 'h9' }));
    expect(other).toEqual({ kind: 'key_conflict', signup: twin.signup });
    expect(await count(store, 'signups')).toBe(1);
  });

  it('stores a suspected bot held: no outbox row, so nothing forwards it', async () => {
    const held = await store.accept(signup('bot@example.edu', { hold: { reason: 'honeypot', signals: { honeypot: true } } }));
    expect(held.kind).toBe('created');
    expect(held.signup).toMatchObject({ state: 'held', held_reason: 'honeypot', held_signals: '{"honeypot":true}' });
    expect(await store.read.signups.get(held.signup.id)).toEqual(held.signup);
    expect(await count(store, 'outbox')).toBe(0);
  });

  it('answers each kind right when they arrive together in one batch', async () => {
    const twin = await store.accept(signup('twin@example.edu'));
    const keyed = await store.accept(signup('keyed@example.edu', { clientKey: 'widget:k1', requestHash: 'h1' }));
    await store.accept(signup('twin@example.edu', { clientKey: 'api:bound', requestHash: 'hb' }));
    const results = await Promise.all([
      store.accept(signup('new@example.edu')),
      store.accept(signup('twin@example.edu')),
      store.accept(signup('keyed@example.edu', { clientKey: 'widget:k1', requestHash: 'h1' })),
      store.accept(signup('other@example.edu', { clientKey: 'widget:k1', requestHash: 'h2' })),
      store.accept(signup('third@example.edu', { clientKey: 'api:bound', requestHash: 'h3' })),
      store.accept(signup('bot@example.edu', { hold: { reason: 'honeypot', signals: {} } })),
      store.accept(signup('pair@example.edu', { clientKey: 'widget:p', requestHash: 'hp1' })),
      store.accept(signup('pair2@example.edu', { clientKey: 'widget:p', requestHash: 'hp2' })),
    ]);
    expect(results.slice(0, 6).map((result) => result.kind)).toEqual(['created', 'duplicate', 'replayed', 'key_conflict', 'key_conflict', 'created']);
    // Two bodies under one new key at the same moment: one is stored, the other refused.
    expect(results.slice(6).map((result) => result.kind).sort()).toEqual(['created', 'key_conflict']);
    expect(results[1]!.signup.id).toBe(twin.signup.id);
    expect(results[2]!.signup.id).toBe(keyed.signup.id);
    expect(results[5]!.signup.state).toBe('held');
    expect(await count(store, 'signups')).toBe(5);
  });

  it('creates one signup when the same person arrives many times at once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => store.accept(signup('ada@example.edu'))));
    expect(results.filter((result) => result.kind === 'created')).toHaveLength(1);
    expect(new Set(results.map((result) => result.signup.id)).size).toBe(1);
    expect(await count(store, 'signups')).toBe(1);
  });
});

const serverUrl = testServerUrl();
describe.skipIf(!serverUrl)('PostgreSQL store.accept', () => {
  let database: TestDatabase;
  const opened: PostgresStore[] = [];
  const openStore = async () => {
    const { PostgresStore } = await import('./postgres/engine');
    const store = await PostgresStore.open(database.url);
    opened.push(store);
    return store;
  };
  beforeEach(async () => {
    database = await createTestDatabase(serverUrl!);
  });
  afterEach(async () => {
    // close() twice is harmless: a test may close a store itself.
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await database.drop();
  });

  it('commits a new signup synchronously (WAL flushed when it returns) even when the database default is off', async () => {
    const setup = await openStore();
    await setup.read.sql.run(`ALTER DATABASE ${new URL(database.url).pathname.slice(1)} SET synchronous_commit = off`);
    await setup.close();
    const store = await openStore();
    expect((await store.read.sql.get<{ v: string }>("SELECT current_setting('synchronous_commit') AS v"))!.v).toBe('off');
    // An asynchronous commit returns before its WAL is flushed (the WAL writer flushes it up to
    // 200 ms later); a synchronous one only after. Other test files write to the same server,
    // so one read can catch their WAL in flight: two of three must show everything flushed.
    let flushed = 0;
    for (let i = 0; i < 3; i++) {
      expect((await store.accept(signup(`p${i}@example.edu`))).kind).toBe('created');
      const row = await store.read.sql.get<{ flushed: boolean }>('SELECT pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn() AS flushed');
      if (row!.flushed) flushed += 1;
    }
    expect(flushed).toBeGreaterThanOrEqual(2);
  });

  it('stores a burst in a few statements, gives one bad value its own error, and wakes the other relay', async () => {
    const [a, b] = await Promise.all([openStore(), openStore()]);
    let woken = 0;
    b.subscribe('outbox', () => (woken += 1));
    const burst = Array.from({ length: 60 }, (_, i) =>
      a.accept(signup(`p${i}@example.edu`, i === 7 ? { lastName: 'Null\u0000Byte' } : {})),
    );
    const results = await Promise.allSettled(burst);
    expect(results[7]).toMatchObject({ status: 'rejected', reason: { name: 'UnstorableText' } });
    expect(results.filter((result) => result.status === 'fulfilled' && result.value.kind === 'created')).toHaveLength(59);
    // One statement per batch, far fewer than one per signup (the failed batch went one by one).
    expect(a.acceptStats.statements).toBeLessThan(10);
    expect(await count(a, 'outbox')).toBe(59);
    await expect.poll(() => woken, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    // Later bursts inside the wake-up window still wake the other relay (a trailing NOTIFY).
    const before = woken;
    await Promise.all([1, 2, 3].map((i) => a.accept(signup(`late${i}@example.edu`))));
    await Promise.all([4, 5].map((i) => a.accept(signup(`late${i}@example.edu`))));
    await expect.poll(() => woken, { timeout: 5_000 }).toBeGreaterThan(before);
  });

  it('sends a trailing wake-up for a quiet batch inside the window, after it committed', async () => {
    const { AcceptBatcher } = await import('./postgres/accept');
    const store = await openStore();
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      const seen: number[] = [];
      const batcher = new AcceptBatcher({
        pool,
        acceptOne: (input) => store.transaction((tx) => tx.signups.accept(input)),
        maxInFlight: 1,
        // The clock stands still: every batch after the first is inside the window.
        now: () => T0,
        wakeOthers: async () => {
          seen.push(Number((await store.read.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox'))!.n));
        },
      });
      const { newSignupRow } = await import('./repos/signups');
      const accept = (email: string) => {
        const input = signup(email);
        return batcher.accept(input, newSignupRow(input));
      };
      await accept('first@example.edu'); // carries the window's NOTIFY itself
      await accept('second@example.edu'); // quiet: owes one
      await expect.poll(() => seen, { timeout: 2_000 }).toEqual([2]);
      expect(batcher.stats).toEqual({ statements: 2, rows: 2 });
    } finally {
      await pool.end();
    }
  });

  it('answers a batch the database cannot take with its error, without a unit per signup', async () => {
    const { AcceptBatcher } = await import('./postgres/accept');
    const { newSignupRow } = await import('./repos/signups');
    const { default: pg } = await import('pg');
    // A server that is not there: port 1 on loopback refuses at once.
    const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 2_000 });
    pool.on('error', () => undefined);
    let units = 0;
    const batcher = new AcceptBatcher({
      pool,
      acceptOne: async () => {
        units += 1;
        throw new Error('no unit expected');
      },
      maxInFlight: 2,
      wakeOthers: async () => undefined,
    });
    try {
      const inputs = [signup('a@example.edu'), signup('b@example.edu')];
      const results = await Promise.allSettled(inputs.map((input) => batcher.accept(input, newSignupRow(input))));
      expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
      expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'ECONNREFUSED' });
      expect(units).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it('keeps working when another relay migrates a table under its prepared statements', async () => {
    const store = await openStore();
    const first = await store.accept(signup('ada@example.edu'));
    // Prepared on the pool's connections (SELECT * and the claim's s.*).
    expect(await store.read.signups.get(first.signup.id)).toMatchObject({ email: 'ada@example.edu' });
    expect(await store.claimDue(T0, 1, 30_000)).toHaveLength(1);
    await store.read.sql.run('ALTER TABLE signups ADD COLUMN added_by_a_newer_relay TEXT');
    expect(await store.read.signups.get(first.signup.id)).toMatchObject({ email: 'ada@example.edu' });
    const second = await store.accept(signup('grace@example.edu'));
    expect((await store.claimDue(T0 + 60_000, 5, 30_000)).map((claim) => claim.signup.id).sort()).toEqual(
      [first.signup.id, second.signup.id].sort(),
    );
  });

  it('gives one created and the rest duplicate when two relays race for the same person', async () => {
    const stores = await Promise.all([openStore(), openStore()]);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.accept(signup('ada@example.edu'))));
    expect(results.map((result) => result.kind).sort()).toEqual(['created', ...Array(9).fill('duplicate')]);
  });
});
