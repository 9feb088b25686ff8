/**
 * The admin's SQL: filtered keyset listing, requeue (optionally onto a corrected impression),
 * erasure and the retention sweep. Reads come in bounded pages so no engine holds a cursor
 * open while a caller streams.
 */
import type { TSignupState } from '@vantio/shared';
import { placeholders, type Sql, type SqlValue } from '../sql';
import type { SignupRow } from '../types';
import { UPSERT_OUTBOX } from './signups';

export interface SignupFilter {
  state?: TSignupState | undefined;
  source?: string | undefined;
  impressionId?: string | undefined;
  /** Normalised email. */
  emailNorm?: string | undefined;
  /** Part of the name ("ana", "ana li"), matched case-insensitively in "first last". */
  name?: string | undefined;
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
  | { kind: 'conflict'; existingId: string; existingState: TSignupState }
  /** A suspected bot: released or discarded, never retried. */
  | { kind: 'held' };

/** What releasing or discarding a held signup found. */
export type HeldAction = { kind: 'done'; signup: SignupRow } | { kind: 'not_found' } | { kind: 'not_held'; state: TSignupState };

export interface EraseResult {
  signup_ids: string[];
  signups: number;
  attempts: number;
  outbox: number;
}

export const PII_COLUMNS = ['first_name', 'last_name', 'email', 'email_norm', 'profile_picture', 'metadata'] as const;

export class AdminRepo {
  constructor(private readonly sql: Sql) {}

  /** One page of signups matching `filter`, ordered by (created_at, id). */
  listSignups(filter: SignupFilter, page: PageRequest): Promise<SignupRow[]> {
    const { conditions, params } = whereParts(filter);
    if (page.after) {
      conditions.push(`(created_at, id) ${page.order === 'desc' ? '<' : '>'} (?, ?)`);
      params.push(page.after.createdAt, page.after.id);
    }
    const direction = page.order === 'desc' ? 'DESC' : 'ASC';
    return this.sql.all<SignupRow>(
      `SELECT * FROM signups ${where(conditions)} ORDER BY created_at ${direction}, id ${direction} LIMIT ?`,
      [...params, page.limit],
    );
  }

  async countSignups(filter: SignupFilter): Promise<number> {
    const { conditions, params } = whereParts(filter);
    const row = await this.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM signups ${where(conditions)}`, params);
    return Number(row?.n ?? 0);
  }

  /** Ids in `states` matching `filter`, oldest first, after `after` (replay pages). */
  async listIdsInStates(states: TSignupState[], filter: SignupFilter, after: Keyset | undefined, limit: number): Promise<Keyset[]> {
    const { conditions, params } = whereParts({ ...filter, state: undefined });
    conditions.unshift(`state IN (${placeholders(states.length)})`);
    params.unshift(...states);
    if (after) {
      conditions.push('(created_at, id) > (?, ?)');
      params.push(after.createdAt, after.id);
    }
    const rows = await this.sql.all<{ id: string; created_at: number }>(
      `SELECT id, created_at FROM signups ${where(conditions)} ORDER BY created_at, id LIMIT ?`,
      [...params, limit],
    );
    return rows.map((row) => ({ id: row.id, createdAt: Number(row.created_at) }));
  }

  /**
   * Puts one signup back in the queue, due `now`, optionally on a corrected impression whose
   * upstream key `upstreamKeyFor` computes. Part of the caller's unit of work.
   */
  async requeue(
    id: string,
    correction: { impressionId: string; upstreamKey: (email: string) => string } | undefined,
    now: number,
  ): Promise<RequeueResult> {
    const { sql } = this;
    const row = await sql.get<SignupRow>('SELECT * FROM signups WHERE id = ?', [id]);
    if (!row) return { kind: 'not_found' };
    if (row.state === 'delivered') return { kind: 'delivered' };
    if (row.state === 'held') return { kind: 'held' };
    if (row.email === null) return { kind: 'erased' };
    const impressionChanged = correction !== undefined && correction.impressionId !== row.impression_id;
    if (impressionChanged) {
      if (row.state === 'queued') return { kind: 'queued' };
      const upstreamKey = correction.upstreamKey(row.email);
      const twin = await sql.get<{ id: string; state: TSignupState }>('SELECT id, state FROM signups WHERE upstream_key = ?', [
        upstreamKey,
      ]);
      if (twin && twin.id !== id) return { kind: 'conflict', existingId: twin.id, existingState: twin.state };
      await sql.run('UPDATE signups SET impression_id = ?, upstream_key = ?, program_id = NULL, student_id = NULL WHERE id = ?', [
        correction.impressionId,
        upstreamKey,
        id,
      ]);
    }
    await sql.run(`UPDATE signups SET state = 'queued', failures = 0, updated_at = ? WHERE id = ?`, [now, id]);
    await sql.run(UPSERT_OUTBOX, [id, now]);
    sql.notify('outbox');
    const signup = (await sql.get<SignupRow>('SELECT * FROM signups WHERE id = ?', [id]))!;
    return { kind: 'requeued', signup, impressionChanged };
  }

  /**
   * Releases a held signup: queued and due now, so it is forwarded once with its usual
   * upstream key. Its held_reason and signals stay for the record.
   */
  async release(id: string, now: number): Promise<HeldAction> {
    const { sql } = this;
    const changed = await sql.run(`UPDATE signups SET state = 'queued', updated_at = ? WHERE id = ? AND state = 'held'`, [now, id]);
    if (changed === 0) return this.notHeld(id);
    await sql.run(UPSERT_OUTBOX, [id, now]);
    sql.notify('outbox');
    return { kind: 'done', signup: (await sql.get<SignupRow>('SELECT * FROM signups WHERE id = ?', [id]))! };
  }

  /** Discards a held signup: the row and its personal data are deleted. */
  async discard(id: string): Promise<HeldAction> {
    const row = await this.sql.get<SignupRow>(`SELECT * FROM signups WHERE id = ? AND state = 'held'`, [id]);
    if (!row) return this.notHeld(id);
    await this.sql.run(`DELETE FROM signups WHERE id = ? AND state = 'held'`, [id]);
    return { kind: 'done', signup: row };
  }

  private async notHeld(id: string): Promise<HeldAction> {
    const row = await this.sql.get<{ state: TSignupState }>('SELECT state FROM signups WHERE id = ?', [id]);
    return row ? { kind: 'not_held', state: row.state } : { kind: 'not_found' };
  }

  /** Retention for held signups, one batch: those held since before `cutoff` are deleted. */
  purgeHeld(cutoff: number, limit: number): Promise<number> {
    return this.sql.run(
      `DELETE FROM signups WHERE id IN (
         SELECT id FROM signups WHERE state = 'held' AND created_at < ? ORDER BY created_at LIMIT ?)`,
      [cutoff, limit],
    );
  }

  /** Deletes every signup of one person (attempts, outbox rows and bound keys go with them). */
  async erasePerson(emailNorm: string): Promise<EraseResult> {
    const { sql } = this;
    // One scan finds the person (email_norm has no index: accepts should not pay for a rare erase).
    const ids = (
      await sql.all<{ id: string }>('SELECT id FROM signups WHERE email_norm = ? ORDER BY created_at, id', [emailNorm])
    ).map((row) => row.id);
    if (ids.length === 0) return { signup_ids: [], signups: 0, attempts: 0, outbox: 0 };
    const list = placeholders(ids.length);
    const count = async (table: 'attempts' | 'outbox') =>
      Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE signup_id IN (${list})`, ids))?.n ?? 0);
    const attempts = await count('attempts');
    const outbox = await count('outbox');
    const signups = await sql.run(`DELETE FROM signups WHERE id IN (${list})`, ids);
    return { signup_ids: ids, signups, attempts, outbox };
  }

  /**
   * Retention, one batch: removes the personal data of up to `limit` signups delivered
   * before `cutoff`, keeping the rows (states, counts, referral ids, timings).
   */
  purgeDeliveredPii(cutoff: number, now: number, limit: number): Promise<number> {
    const sets = PII_COLUMNS.map((column) => `${column} = NULL`).join(', ');
    const index = this.sql.dialect.name === 'sqlite' ? 'INDEXED BY signups_retention' : '';
    return this.sql.run(
      `UPDATE signups SET ${sets}, updated_at = ? WHERE id IN (
         SELECT id FROM signups ${index}
         WHERE state = 'delivered' AND email IS NOT NULL AND delivered_at < ?
         ORDER BY delivered_at LIMIT ?)`,
      [now, cutoff, limit],
    );
  }
}

function whereParts(filter: SignupFilter): { conditions: string[]; params: SqlValue[] } {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  const add = (sql: string, value: SqlValue | undefined) => {
    if (value === undefined) return;
    conditions.push(sql);
    params.push(value);
  };
  add('state = ?', filter.state);
  add('source = ?', filter.source);
  add('impression_id = ?', filter.impressionId);
  add('email_norm = ?', filter.emailNorm);
  // Both engines: `||` concatenates, LOWER folds (SQLite folds ASCII only), ESCAPE makes % and _ literal.
  add(
    `LOWER(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) LIKE ? ESCAPE '\\'`,
    filter.name === undefined ? undefined : `%${filter.name.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`,
  );
  add('created_at >= ?', filter.from);
  add('created_at < ?', filter.to);
  return { conditions, params };
}

const where = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '');
