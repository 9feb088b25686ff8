/**
 * The engine half of the Store contract, on every engine: leases (claimDue / nextDueAt),
 * the claim fence on recordDelivery, releaseClaim, the shared delivery state and the probe
 * turn, wake-ups, readiness and backups. PostgreSQL also with two stores on one database.
 */
import { normaliseEmail, upstreamIdempotencyKey } from '@vantio/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids';
import { createTestDatabase, testEngines, testServerUrl, type TestDatabase } from './test-engines';
import { freshStorePerTest } from './test-store';
import type { AttemptRecord, DeliveryNext, SignupRow, Store } from './types';

const T0 = Date.parse('2026-01-10T12:00:00Z');
const LEASE = 30_000;
const attempt: AttemptRecord = { startedAt: T0, durationMs: 5, outcome: 'retryable', httpStatus: 503, error: 'down' };
const delivered: DeliveryNext = {
  state: 'delivered',
  referral: {
    id: 'ref_1',
    impression_id: 'imp_demo_1',
    first_name: 'F',
    last_name: 'L',
    email: 'f@example.edu',
    program_id: 'prog_demo',
    student_id: 'user_demo_1',
    status: 'pending',
    created_at: new Date(T0).toISOString(),
  },
};

async function add(store: Store, n: number, at = T0): Promise<SignupRow> {
  const email = `p${n}@example.edu`;
  const result = await store.transaction((tx) =>
    tx.signups.accept({
      id: newId('sgn', at),
      source: 'widget',
      impressionId: 'imp_demo_1',
      firstName: `F${n}`,
      lastName: `L${n}`,
      email,
      emailNorm: normaliseEmail(email),
      requestHash: `h${n}`,
      upstreamKey: upstreamIdempotencyKey('imp_demo_1', email),
      now: at,
    }),
  );
  return result.signup;
}

const outboxRows = async (store: Store) => Number((await store.read.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox'))!.n);

describe.each(testEngines())('store engine on $name', (engine) => {
  let store: Store;
  freshStorePerTest(engine, (opened) => (store = opened));

  it('claims due rows oldest first, never a leased one, and says when the next can be claimed', async () => {
    const first = await add(store, 1, T0);
    const second = await add(store, 2, T0 + 10);
    await add(store, 3, T0 + 5_000);
    expect(await store.nextDueAt(T0)).toBe(T0);
    const claims = await store.claimDue(T0 + 100, 5, LEASE);
    expect(claims.map((claim) => claim.signup.id)).toEqual([first.id, second.id]);
    expect(claims[0]).toMatchObject({ dueAt: T0, leaseUntil: T0 + 100 + LEASE, signup: { email: 'p1@example.edu' } });
    expect(new Set(claims.map((claim) => claim.claimId)).size).toBe(2);
    expect(await store.claimDue(T0 + 200, 5, LEASE)).toEqual([]);
    // The unleased row at T0 + 5 s comes before the leases expire.
    expect(await store.nextDueAt(T0 + 200)).toBe(T0 + 5_000);
    const third = await store.claimDue(T0 + 5_000, 1, LEASE);
    expect(third).toHaveLength(1);
    expect(await store.nextDueAt(T0 + 5_000)).toBe(T0 + 100 + LEASE);
    expect(await store.claimDue(T0 + 5_000, 0, LEASE)).toEqual([]);
  });

  it('hands an expired lease to the next claimer and fences the stale holder to its attempt only', async () => {
    const signup = await add(store, 1);
    const [stale] = await store.claimDue(T0, 1, LEASE);
    const [current] = await store.claimDue(T0 + LEASE, 1, LEASE);
    expect(current!.signup.id).toBe(signup.id);
    expect(current!.claimId).not.toBe(stale!.claimId);

    expect(await store.recordDelivery(stale!, attempt, delivered, T0 + LEASE + 1)).toBe('stale');
    const afterStale = await store.read.signups.get(signup.id);
    expect(afterStale).toMatchObject({ state: 'queued', referral_id: null, attempts: 0 });
    expect(await store.read.signups.attempts(signup.id)).toHaveLength(1);
    expect(await outboxRows(store)).toBe(1);

    expect(await store.recordDelivery(current!, { ...attempt, outcome: 'created', httpStatus: 201, error: null }, delivered, T0 + LEASE + 2)).toBe(
      'recorded',
    );
    expect(await store.read.signups.get(signup.id)).toMatchObject({ state: 'delivered', referral_id: 'ref_1', attempts: 1 });
    expect(await store.read.signups.attempts(signup.id)).toHaveLength(2);
    expect(await outboxRows(store)).toBe(0);
    expect(await store.nextDueAt(T0 + LEASE + 3)).toBeNull();
  });

  it('re-queues a retried row unleased at its new due time', async () => {
    const signup = await add(store, 1);
    const [claim] = await store.claimDue(T0, 1, LEASE);
    const retry: DeliveryNext = { state: 'queued', dueAt: T0 + 5_000, countsAsFailure: true, error: '503: down' };
    expect(await store.recordDelivery(claim!, attempt, retry, T0 + 10)).toBe('recorded');
    expect(await store.read.signups.get(signup.id)).toMatchObject({ state: 'queued', failures: 1, attempts: 1, last_error: '503: down' });
    expect(await store.nextDueAt(T0 + 10)).toBe(T0 + 5_000);
    expect(await store.claimDue(T0 + 4_999, 1, LEASE)).toEqual([]);
    expect(await store.claimDue(T0 + 5_000, 1, LEASE)).toHaveLength(1);
  });

  it('gives a released claim back at once, and ignores a release by a stale holder', async () => {
    await add(store, 1);
    const [first] = await store.claimDue(T0, 1, LEASE);
    await store.releaseClaim(first!);
    const [second] = await store.claimDue(T0 + 1, 1, LEASE);
    expect(second).toBeDefined();
    await store.releaseClaim(first!); // no longer its claim: the second keeps the row
    expect(await store.claimDue(T0 + 2, 1, LEASE)).toEqual([]);
    expect(await store.recordDelivery(second!, attempt, delivered, T0 + 3)).toBe('recorded');
  });

  it('keeps the shared delivery state: admin pause, bad-key pause (first since kept), 429 hold', async () => {
    expect(await store.read.meta.deliveryState()).toEqual({ adminPausedSince: null, pause: null, holdUntil: 0 });
    await store.transaction(async (tx) => {
      await tx.meta.setAdminPause(T0);
      await tx.meta.setPause({ reason: 'unauthorized', message: 'wrong key', since: T0 + 1 });
      await tx.meta.extendHold(T0 + 60_000);
    });
    await store.transaction(async (tx) => {
      await tx.meta.setPause({ reason: 'unauthorized', message: 'still wrong', since: T0 + 99 });
      await tx.meta.extendHold(T0 + 30_000); // an earlier hold does not shorten the later one
    });
    expect(await store.read.meta.deliveryState()).toEqual({
      adminPausedSince: T0,
      pause: { reason: 'unauthorized', message: 'still wrong', since: T0 + 1 },
      holdUntil: T0 + 60_000,
    });
    await store.transaction(async (tx) => {
      await tx.meta.setAdminPause(null);
      await tx.meta.setPause(null);
      await tx.meta.clearHold();
    });
    expect(await store.read.meta.deliveryState()).toEqual({ adminPausedSince: null, pause: null, holdUntil: 0 });
  });

  it('grants one probe turn per interval, deferrable and resettable', async () => {
    const take = (now: number) => store.transaction((tx) => tx.meta.takeProbeTurn(now, 60_000));
    expect(await take(T0)).toBe(true);
    expect(await take(T0 + 1)).toBe(false);
    expect(await store.read.meta.nextProbeAt()).toBe(T0 + 60_000);
    expect(await take(T0 + 60_000)).toBe(true);
    await store.transaction((tx) => tx.meta.deferProbe(T0 + 500_000));
    expect(await take(T0 + 200_000)).toBe(false);
    await store.transaction((tx) => tx.meta.resetProbeTurn());
    expect(await take(T0 + 200_001)).toBe(true);
  });

  it('wakes subscribers after a commit, never for a unit that rolled back', async () => {
    let outbox = 0;
    let state = 0;
    const offOutbox = store.subscribe('outbox', () => (outbox += 1));
    const offState = store.subscribe('delivery_state', () => (state += 1));
    await expect(
      store.transaction(async (tx) => {
        tx.sql.notify('outbox');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await add(store, 1);
    await store.transaction((tx) => tx.meta.setAdminPause(T0));
    await expect.poll(() => outbox, { timeout: 5_000 }).toBe(1);
    await expect.poll(() => state, { timeout: 5_000 }).toBe(1);
    offOutbox();
    offState();
  });

  it('probes a real write for readiness; backs up SQLite and refuses with pg_dump advice on PostgreSQL', async () => {
    await store.probeWritable();
    expect(await store.read.meta.get('readyz_probe')).toMatch(/^\d+$/);
    if (store.engine === 'postgres') {
      await expect(store.backupTo('/tmp/never')).rejects.toMatchObject({ name: 'BackupNotSupported', message: expect.stringMatching(/pg_dump/) });
    }
  });
});

const serverUrl = testServerUrl();
describe.skipIf(!serverUrl)('PostgreSQL: two relays on one database', () => {
  let database: TestDatabase;
  let stores: Store[] = [];
  beforeEach(async () => {
    database = await createTestDatabase(serverUrl!);
    const { PostgresStore } = await import('./postgres/engine');
    // Opened together: the advisory lock lets each migration run once.
    stores = await Promise.all([PostgresStore.open(database.url), PostgresStore.open(database.url)]);
  });
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await database.drop();
  });

  it('migrates once when both start together', async () => {
    const names = await stores[0]!.read.sql.all<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names.map((row) => row.name)).size).toBe(names.length);
  });

  it('commits every unit with synchronous_commit on, even when the database default is off', async () => {
    const dbName = new URL(database.url).pathname.slice(1);
    await stores[0]!.read.sql.run(`ALTER DATABASE ${dbName} SET synchronous_commit = off`);
    const { PostgresStore } = await import('./postgres/engine');
    const store = await PostgresStore.open(database.url);
    stores.push(store);
    expect((await store.read.sql.get<{ v: string }>("SELECT current_setting('synchronous_commit') AS v"))!.v).toBe('off');
    const inUnit = await store.transaction((tx) => tx.sql.get<{ v: string }>("SELECT current_setting('synchronous_commit') AS v"));
    expect(inUnit!.v).toBe('on');
  });

  it('never leases one row to both, however they race', async () => {
    const [a, b] = stores as [Store, Store];
    for (let i = 0; i < 40; i++) await add(i % 2 ? a : b, i, T0 + i);
    const rounds = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claimDue(T0 + 100, 5, LEASE)));
    const ids = rounds.flat().map((claim) => claim.signup.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
  });

  it('wakes the other relay on a new signup and on a delivery-state change', async () => {
    const [a, b] = stores as [Store, Store];
    let woken = 0;
    let state = 0;
    b.subscribe('outbox', () => (woken += 1));
    b.subscribe('delivery_state', () => (state += 1));
    await add(a, 1);
    await a.transaction((tx) => tx.meta.setPause({ reason: 'unauthorized', message: 'wrong key', since: T0 }));
    await expect.poll(() => woken, { timeout: 5_000 }).toBe(1);
    await expect.poll(() => state, { timeout: 5_000 }).toBe(1);
    expect((await b.read.meta.deliveryState()).pause?.reason).toBe('unauthorized');
  });

  it('ends concurrent accepts of one person on two relays as one created and one duplicate', async () => {
    const [a, b] = stores as [Store, Store];
    const results = await Promise.all([add(a, 7), add(b, 7)]);
    // The loser's unique violation reruns its unit, which then finds the winner's row.
    expect(results[0]!.id).toBe(results[1]!.id);
    expect(Number((await a.read.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM signups'))!.n)).toBe(1);
  });
});
