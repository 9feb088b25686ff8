import { normaliseEmail, upstreamIdempotencyKey } from '@vantio/shared';
import { describe, expect, it } from 'vitest';
import { requeueSignups } from '../../admin/signups';
import { purgeDeliveredPii } from '../../admin/retention';
import { newId } from '../../ids';
import { testEngines } from '../test-engines';
import { freshStorePerTest } from '../test-store';
import type { Claim, DeliveryNext, SignupRow, Store } from '../types';

const T0 = Date.parse('2026-01-10T12:00:00Z');
const DAY = 86_400_000;
describe.each(testEngines())('admin storage on $name', (engine) => {
let store: Store;
freshStorePerTest(engine, (opened) => (store = opened));
const get = (id: string) => store.read.signups.get(id);
const requeue = (ids: string[], options: Parameters<typeof requeueSignups>[2]) => requeueSignups(store, ids, options);

async function add(n: number, at: number, extra: { impression?: string; email?: string; source?: string } = {}) {
  const email = extra.email ?? `p${n}@example.edu`;
  const impressionId = extra.impression ?? 'imp_demo_1';
  const result = await store.transaction((tx) => tx.signups.accept({
    id: newId('sgn', at),
    source: extra.source ?? 'widget',
    impressionId,
    firstName: `F${n}`,
    lastName: `L${n}`,
    email,
    emailNorm: normaliseEmail(email),
    metadata: { n },
    requestHash: `h${n}`,
    upstreamKey: upstreamIdempotencyKey(impressionId, email),
    now: at,
  }));
  return result.signup;
}

async function finish(signup: SignupRow, next: DeliveryNext, at: number) {
  const outcome = next.state === 'delivered' ? 'created' : next.state === 'rejected' ? 'rejected' : 'retryable';
  const claim: Claim = { signup, claimId: 'test', dueAt: at, leaseUntil: at };
  const attempt = { startedAt: at, durationMs: 5, outcome, httpStatus: 200, error: null } as const;
  await store.transaction((tx) => tx.signups.recordOutcome(claim.signup.id, attempt, next, at));
}

const referral = (student = 'user_demo_1') => ({
  id: `ref_${Math.random().toString(36).slice(2)}`,
  impression_id: 'imp_demo_1',
  first_name: 'F',
  last_name: 'L',
  email: 'f@example.edu',
  program_id: 'prog_demo',
  student_id: student,
  status: 'pending',
  created_at: new Date(T0).toISOString(),
});

describe('AdminStore', () => {
  it('pages newest-first and oldest-first by (created_at, id) with filters', async () => {
    for (let i = 0; i < 7; i++) await add(i, T0 + i * 1000, { source: i % 2 ? 'tally' : 'widget' });
    const ids: string[] = [];
    let after;
    for (;;) {
      const page = await store.read.admin.listSignups({}, { limit: 3, order: 'desc', after });
      if (page.length === 0) break;
      ids.push(...page.map((row) => row.id));
      after = { createdAt: page.at(-1)!.created_at, id: page.at(-1)!.id };
    }
    expect(ids).toHaveLength(7);
    expect(ids).toEqual([...ids].sort().reverse());
    const tally = await store.read.admin.listSignups({ source: 'tally', from: T0 + 2000 }, { limit: 10, order: 'asc' });
    expect(tally.map((row) => row.first_name)).toEqual(['F3', 'F5']);
    expect(await store.read.admin.countSignups({ source: 'widget' })).toBe(4);
    expect(await store.read.admin.countSignups({ emailNorm: 'p3@example.edu' })).toBe(1);
  });

  it('finds signups by part of the name, case-insensitively, with % and _ taken literally', async () => {
    const named = async (n: number, firstName: string, lastName: string) => {
      const email = `n${n}@example.edu`;
      await store.transaction((tx) =>
        tx.signups.accept({
          id: newId('sgn', T0 + n),
          source: 'widget',
          impressionId: 'imp_demo_1',
          firstName,
          lastName,
          email,
          emailNorm: email,
          requestHash: `n${n}`,
          upstreamKey: upstreamIdempotencyKey('imp_demo_1', email),
          now: T0 + n,
        }),
      );
    };
    await named(1, 'Ana', 'Li');
    await named(2, 'Hanna', 'Berg');
    await named(3, 'Bob', 'Anand');
    await named(4, 'Pct%', 'Under_score');
    const names = async (name: string) =>
      (await store.read.admin.listSignups({ name }, { limit: 10, order: 'asc' })).map((row) => `${row.first_name} ${row.last_name}`);
    expect(await names('ana')).toEqual(['Ana Li', 'Bob Anand']);
    expect(await names('ANA LI')).toEqual(['Ana Li']);
    expect(await names('anna')).toEqual(['Hanna Berg']);
    expect(await names('%')).toEqual(['Pct% Under_score']);
    expect(await names('a_l')).toEqual([]); // as a wildcard, _ would match the space in "ana li"
    expect(await names('r_s')).toEqual(['Pct% Under_score']);
    expect(await store.read.admin.countSignups({ name: 'an', source: 'widget' })).toBe(3);
  });

  it('requeues onto a corrected impression with a new upstream key, and refuses a second referral', async () => {
    const wrong = await add(1, T0, { impression: 'imp_wrong', email: 'Ana@Example.edu' });
    await finish(wrong, { state: 'rejected', error: 'unknown impression' }, T0 + 10);
    const [result] = await requeue([wrong.id], { impressionId: 'imp_demo_2', now: T0 + 20 });
    expect(result).toMatchObject({ kind: 'requeued', impressionChanged: true });
    const row = (await get(wrong.id))!;
    expect(row).toMatchObject({ state: 'queued', impression_id: 'imp_demo_2', failures: 0, updated_at: T0 + 20 });
    expect(row.upstream_key).toBe(upstreamIdempotencyKey('imp_demo_2', 'ana@example.edu'));
    expect((await store.claimDue(T0 + 20, 10, 30_000)).map((due) => due.signup.id)).toEqual([wrong.id]);

    // The same person on another wrong code, corrected to the same impression: a clash.
    const twin = await add(2, T0 + 1, { impression: 'imp_typo', email: 'ana@example.edu' });
    await finish(twin, { state: 'dead', error: 'gave up' }, T0 + 30);
    const [clash] = await requeue([twin.id], { impressionId: 'imp_demo_2', now: T0 + 40 });
    expect(clash).toEqual({ kind: 'conflict', existingId: wrong.id, existingState: 'queued' });
    expect(await get(twin.id)).toMatchObject({ state: 'dead', impression_id: 'imp_typo' });
  });

  it('never requeues a delivered signup, nor changes the impression of a queued one', async () => {
    const done = await add(1, T0);
    await finish(done, { state: 'delivered', referral: referral() }, T0 + 5);
    const pending = await add(2, T0);
    const results = await requeue([done.id, pending.id, 'sgn_missing'], { impressionId: 'imp_demo_3', now: T0 + 9 });
    expect(results.map((result) => result.kind)).toEqual(['delivered', 'queued', 'not_found']);
    expect((await get(pending.id))?.impression_id).toBe('imp_demo_1');
    // Without a correction a queued signup is simply due now.
    const [now] = await requeue([pending.id], { now: T0 + 9 });
    expect(now?.kind).toBe('requeued');
  });

  it('rolls a dry run back after computing its results', async () => {
    const dead = await add(1, T0, { impression: 'imp_wrong' });
    await finish(dead, { state: 'dead', error: 'x' }, T0 + 1);
    const [result] = await requeue([dead.id], { impressionId: 'imp_demo_1', now: T0 + 2, dryRun: true });
    expect(result).toMatchObject({ kind: 'requeued', impressionChanged: true });
    expect(await get(dead.id)).toMatchObject({ state: 'dead', impression_id: 'imp_wrong' });
    expect(await store.nextDueAt(T0 + 2)).toBeNull();
  });

  it('erases every signup of a person with their attempts and outbox rows', async () => {
    const a = await add(1, T0, { email: 'Ana@Example.edu', impression: 'imp_demo_1' });
    await add(2, T0, { email: 'ana@example.edu ', impression: 'imp_demo_2' });
    const other = await add(3, T0);
    await finish(a, { state: 'queued', dueAt: T0 + 5000, countsAsFailure: true, error: '503' }, T0 + 1);
    const erased = await store.transaction((tx) => tx.admin.erasePerson('ana@example.edu'));
    expect(erased).toMatchObject({ signups: 2, attempts: 1, outbox: 2 });
    expect(erased.signup_ids).toContain(a.id);
    expect(await store.read.admin.countSignups({})).toBe(1);
    expect(await get(other.id)).toBeDefined();
    expect(Number((await store.read.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM attempts'))!.n)).toBe(0);
    expect(await store.transaction((tx) => tx.admin.erasePerson('ana@example.edu'))).toMatchObject({ signups: 0 });
  });

  it('purges personal data of signups delivered before the cutoff, in batches, keeping the rows', async () => {
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await add(i, T0));
    for (const [i, row] of rows.entries()) {
      if (i < 4) await finish(row, { state: 'delivered', referral: referral() }, T0 + i * DAY);
    }
    const purged = await store.transaction((tx) => tx.admin.purgeDeliveredPii(T0 + 2 * DAY, T0 + 40 * DAY, 1));
    expect(purged).toBe(1);
    expect(await purgeDeliveredPii(store, T0 + 2 * DAY, T0 + 40 * DAY)).toBe(1);
    const first = (await get(rows[0]!.id))!;
    expect(first).toMatchObject({ state: 'delivered', email: null, email_norm: null, first_name: null, last_name: null, metadata: null });
    expect(first.referral_id).not.toBeNull();
    expect((await get(rows[2]!.id))?.email).not.toBeNull();
    expect((await get(rows[4]!.id))?.email).not.toBeNull(); // queued: never purged
    expect(await store.read.signups.countByState()).toMatchObject({ delivered: 4, queued: 1 });
    expect(await purgeDeliveredPii(store, T0 + 2 * DAY, T0 + 41 * DAY)).toBe(0);
  });

});

describe('AdminStatsStore', () => {
  it('counts by state and source, per day, per impression and ambassador, with latency percentiles', async () => {
    const rows = [];
    for (let i = 0; i < 10; i++) {
      rows.push(await add(i, T0 + (i % 2) * DAY, { impression: i < 6 ? 'imp_demo_1' : 'imp_demo_2', source: i < 8 ? 'widget' : 'tally' }));
    }
    for (let i = 0; i < 6; i++) {
      const student = rows[i]!.impression_id === 'imp_demo_1' ? 'user_demo_1' : 'user_demo_2';
      await finish(rows[i]!, { state: 'delivered', referral: referral(student) }, rows[i]!.created_at + (i + 1) * 100);
    }
    await finish(rows[6]!, { state: 'rejected', error: 'bad' }, T0);
    const raw = await store.read.stats.read({ from: T0 - DAY, to: T0 + 3 * DAY, top: 5 });
    expect(raw.by_state).toEqual({ queued: 3, delivered: 6, rejected: 1, dead: 0, held: 0 });
    expect(raw.by_source.tally).toEqual({ queued: 2, delivered: 0, rejected: 0, dead: 0, held: 0 });
    expect(raw.per_day).toEqual([
      { day: '2026-01-10', queued: 1, delivered: 3, rejected: 1, dead: 0, held: 0 },
      { day: '2026-01-11', queued: 2, delivered: 3, rejected: 0, dead: 0, held: 0 },
    ]);
    expect(raw.top_impressions[0]).toEqual({
      impression_id: 'imp_demo_1', student_id: 'user_demo_1', count: 6, queued: 0, delivered: 6, rejected: 0, dead: 0, held: 0,
    });
    expect(raw.top_students).toEqual([{ student_id: 'user_demo_1', delivered: 6, impressions: 1 }]);
    // Latencies 100..600 ms: nearest rank.
    expect(raw.delivery_latency_ms).toEqual({ count: 6, p50: 300, p90: 600, p99: 600, max: 600 });
    expect(raw.oldest_queued_at).toBe(T0);
    expect((await store.read.stats.read({ from: T0 + 5 * DAY, to: T0 + 6 * DAY, top: 5 })).delivery_latency_ms).toEqual({
      count: 0, p50: null, p90: null, p99: null, max: null,
    });
  });
});
});
