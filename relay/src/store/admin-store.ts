/**
 * The admin's SQL: filtered keyset listing, stats, retry with a corrected impression,
 * erasure, the retention sweep and online backup. Writes go through the group commit;
 * reads use the connection directly, in bounded pages (an open `iterate()` would keep the
 * connection busy and block every ingest write until the caller finished reading).
 */
import type { Statement } from 'better-sqlite3';
import { upstreamIdempotencyKey, type TSignupState } from '@vantio/shared';
import type { SqliteStore } from './sqlite-store';
import type { SignupRow } from './types';

export interface SignupFilter {
  state?: TSignupState | undefined;
  source?: string | undefined;
  impressionId?: string | undefined;
  /** Normalised email. */
  emailNorm?: string | undefined;
  /** created_at >= from (epoch ms). */
  from?: number | undefined;
  /** created_at < to (epoch ms). */
  to?: number | undefined;
}

export interface Keyset {
  createdAt: number;
  id: string;
}

export interface PageRequest {
  limit: number;
  order: 'asc' | 'desc';
  after?: Keyset | undefined;
}

export type RequeueResult =
  | { kind: 'requeued'; signup: SignupRow; impressionChanged: boolean }
  | { kind: 'not_found' }
  | { kind: 'delivered' }
  /** Its personal data was erased: nothing left to send. */
  | { kind: 'erased' }
  /** Still queued: the forwarder may be sending it, so its impression cannot change now. */
  | { kind: 'queued' }
  /** The same person already has a signup on the corrected impression. */
  | { kind: 'conflict'; existingId: string; existingState: TSignupState };

export interface EraseResult {
  signup_ids: string[];
  signups: number;
  attempts: number;
  outbox: number;
}

const PII_COLUMNS = ['first_name', 'last_name', 'email', 'email_norm', 'profile_picture', 'metadata'] as const;

/** Thrown inside a savepoint to undo a dry run after computing its results. */
class DryRunRollback extends Error {}

export class AdminStore {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly store: SqliteStore) {}

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.store.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** One page of signups matching `filter`, ordered by (created_at, id). */
  listSignups(filter: SignupFilter, page: PageRequest): SignupRow[] {
    const { sql, params } = whereClause(filter);
    const conditions = sql ? [sql] : [];
    if (page.after) {
      conditions.push(`(created_at, id) ${page.order === 'desc' ? '<' : '>'} (@afterCreatedAt, @afterId)`);
      Object.assign(params, { afterCreatedAt: page.after.createdAt, afterId: page.after.id });
    }
    const direction = page.order === 'desc' ? 'DESC' : 'ASC';
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    return this.prepare(
      `SELECT * FROM signups ${where} ORDER BY created_at ${direction}, id ${direction} LIMIT @limit`,
    ).all({ ...params, limit: page.limit }) as SignupRow[];
  }

  countSignups(filter: SignupFilter): number {
    const { sql, params } = whereClause(filter);
    return (this.prepare(`SELECT COUNT(*) AS n FROM signups ${sql ? `WHERE ${sql}` : ''}`).get(params) as { n: number }).n;
  }

  /** Ids in `states` matching `filter`, oldest first, after `afterId` (replay pages). */
  listIdsInStates(states: TSignupState[], filter: SignupFilter, after: Keyset | undefined, limit: number): Keyset[] {
    const { sql, params } = whereClause({ ...filter, state: undefined });
    const conditions = [`state IN (${states.map((_, i) => `@s${i}`).join(', ')})`];
    states.forEach((state, i) => (params[`s${i}`] = state));
    if (sql) conditions.push(sql);
    if (after) {
      conditions.push('(created_at, id) > (@afterCreatedAt, @afterId)');
      Object.assign(params, { afterCreatedAt: after.createdAt, afterId: after.id });
    }
    const rows = this.prepare(
      `SELECT id, created_at FROM signups WHERE ${conditions.join(' AND ')} ORDER BY created_at, id LIMIT @limit`,
    ).all({ ...params, limit }) as { id: string; created_at: number }[];
    return rows.map((row) => ({ id: row.id, createdAt: row.created_at }));
  }

  /**
   * Puts signups back in the queue, due now, optionally on a corrected impression (which
   * changes the upstream key). All in one transaction; with `dryRun` the same checks run
   * and everything is rolled back.
   */
  async requeue(
    ids: string[],
    options: { impressionId?: string | undefined; now: number; dryRun?: boolean },
  ): Promise<RequeueResult[]> {
    return this.store.commits.run(() => {
      const results: RequeueResult[] = [];
      const work = this.store.db.transaction(() => {
        for (const id of ids) results.push(this.requeueOne(id, options.impressionId, options.now));
        if (options.dryRun) throw new DryRunRollback();
      });
      try {
        work();
      } catch (error) {
        if (!(error instanceof DryRunRollback)) throw error;
      }
      return results;
    });
  }

  private requeueOne(id: string, impressionId: string | undefined, now: number): RequeueResult {
    const row = this.prepare('SELECT * FROM signups WHERE id = ?').get(id) as SignupRow | undefined;
    if (!row) return { kind: 'not_found' };
    if (row.state === 'delivered') return { kind: 'delivered' };
    if (row.email === null) return { kind: 'erased' };
    const impressionChanged = impressionId !== undefined && impressionId !== row.impression_id;
    if (impressionChanged) {
      if (row.state === 'queued') return { kind: 'queued' };
      const upstreamKey = upstreamIdempotencyKey(impressionId, row.email);
      const twin = this.prepare('SELECT id, state FROM signups WHERE upstream_key = ?').get(upstreamKey) as
        | { id: string; state: TSignupState }
        | undefined;
      if (twin && twin.id !== id) return { kind: 'conflict', existingId: twin.id, existingState: twin.state };
      this.prepare(
        `UPDATE signups SET impression_id = ?, upstream_key = ?, program_id = NULL, student_id = NULL WHERE id = ?`,
      ).run(impressionId, upstreamKey, id);
    }
    this.prepare(`UPDATE signups SET state = 'queued', failures = 0, updated_at = ? WHERE id = ?`).run(now, id);
    this.prepare(
      'INSERT INTO outbox (signup_id, due_at) VALUES (?, ?) ON CONFLICT (signup_id) DO UPDATE SET due_at = excluded.due_at',
    ).run(id, now);
    return { kind: 'requeued', signup: this.prepare('SELECT * FROM signups WHERE id = ?').get(id) as SignupRow, impressionChanged };
  }

  /** Deletes every signup of one person (attempts and outbox rows cascade); says what went. */
  erasePerson(emailNorm: string): Promise<EraseResult> {
    return this.store.commits.run(() => {
      // One scan finds the person (email_norm has no index: accepts should not pay for a rare erase).
      const ids = (
        this.prepare('SELECT id FROM signups WHERE email_norm = ? ORDER BY created_at, id').all(emailNorm) as { id: string }[]
      ).map((row) => row.id);
      const list = JSON.stringify(ids);
      const count = (table: 'attempts' | 'outbox') =>
        (this.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE signup_id IN (SELECT value FROM json_each(?))`).get(list) as {
          n: number;
        }).n;
      const attempts = count('attempts');
      const outbox = count('outbox');
      const signups = this.prepare('DELETE FROM signups WHERE id IN (SELECT value FROM json_each(?))').run(list).changes;
      return { signup_ids: ids, signups, attempts, outbox };
    });
  }

  /**
   * Retention: removes the personal data of signups delivered before `cutoff`, keeping the
   * rows (states, counts, referral ids, timings). Batched so no transaction grows large.
   */
  async purgeDeliveredPii(cutoff: number, now: number, batchSize = 1000): Promise<number> {
    const sets = PII_COLUMNS.map((column) => `${column} = NULL`).join(', ');
    const statement = this.prepare(
      `UPDATE signups SET ${sets}, updated_at = @now WHERE id IN (
         SELECT id FROM signups INDEXED BY signups_retention
         WHERE state = 'delivered' AND email IS NOT NULL AND delivered_at < @cutoff
         ORDER BY delivered_at LIMIT @limit)`,
    );
    let total = 0;
    for (;;) {
      const changed = await this.store.commits.run(() => statement.run({ now, cutoff, limit: batchSize }).changes);
      total += changed;
      if (changed < batchSize) return total;
    }
  }

  /** SQLite's online backup of the live database into `destination` (a new file). */
  async backupTo(destination: string): Promise<void> {
    await this.store.db.backup(destination);
  }
}

/** A parameterised WHERE fragment (no leading WHERE) for a filter; '' when empty. */
export function whereClause(filter: SignupFilter): { sql: string; params: Record<string, unknown> } {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (sql: string, name: string, value: unknown) => {
    if (value === undefined) return;
    parts.push(sql);
    params[name] = value;
  };
  add('state = @state', 'state', filter.state);
  add('source = @source', 'source', filter.source);
  add('impression_id = @impressionId', 'impressionId', filter.impressionId);
  add('email_norm = @emailNorm', 'emailNorm', filter.emailNorm);
  add('created_at >= @from', 'from', filter.from);
  add('created_at < @to', 'to', filter.to);
  return { sql: parts.join(' AND '), params };
}
