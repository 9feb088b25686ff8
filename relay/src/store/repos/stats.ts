/**
 * The admin stats and queue figures. Totals (by state, by source) are all-time; the rest
 * covers a window of created_at. Percentiles use nearest rank with LIMIT/OFFSET so memory
 * stays flat however many signups were delivered.
 */
import { SIGNUP_STATES, type TSignupState } from '@vantio/shared';
import type { Sql } from '../sql';
import type { StateCounts } from '../types';
import { emptyCounts } from './signups';

export interface StatsWindow {
  /** created_at >= from (epoch ms). */
  from: number;
  /** created_at < to (epoch ms). */
  to: number;
  /** How many impressions / ambassadors to list. */
  top: number;
}

export interface RawStats {
  by_state: StateCounts;
  by_source: Record<string, StateCounts>;
  /** Only days with signups; UTC `YYYY-MM-DD`. */
  per_day: Array<{ day: string } & StateCounts>;
  top_impressions: Array<{ impression_id: string; student_id: string | null; count: number } & StateCounts>;
  top_students: Array<{ student_id: string; delivered: number; impressions: number }>;
  delivery_latency_ms: { count: number; p50: number | null; p90: number | null; p99: number | null; max: number | null };
  oldest_queued_at: number | null;
}

export interface QueueSnapshot {
  /** Signups waiting for delivery (each has one outbox row). */
  depth: number;
  /** When the oldest still-queued signup was accepted (epoch ms), or null when none is. */
  oldestCreatedAt: number | null;
}

const STATE_SUMS = SIGNUP_STATES.map((state) => `SUM(CASE WHEN state = '${state}' THEN 1 ELSE 0 END) AS ${state}`).join(', ');
const IN_WINDOW = 'created_at >= ? AND created_at < ?';

/** Numbers as numbers: PostgreSQL sends COUNT and SUM as bigint/numeric. */
function numeric<T extends Record<string, unknown>>(row: T, keys: readonly string[]): T {
  const copy: Record<string, unknown> = { ...row };
  for (const key of keys) if (copy[key] !== null && copy[key] !== undefined) copy[key] = Number(copy[key]);
  return copy as T;
}

export class StatsRepo {
  constructor(private readonly sql: Sql) {}

  async read({ from, to, top }: StatsWindow): Promise<RawStats> {
    const { sql } = this;
    const byState = emptyCounts();
    const bySource: Record<string, StateCounts> = {};
    for (const row of await sql.all<{ source: string; state: TSignupState; n: number }>(
      'SELECT source, state, COUNT(*) AS n FROM signups GROUP BY source, state',
    )) {
      byState[row.state] += Number(row.n);
      (bySource[row.source] ??= emptyCounts())[row.state] = Number(row.n);
    }
    const latency = numeric(
      (await sql.get<{ count: number; max: number | null }>(
        `SELECT COUNT(*) AS count, MAX(delivered_at - created_at) AS max FROM signups WHERE state = 'delivered' AND ${IN_WINDOW}`,
        [from, to],
      ))!,
      ['count', 'max'],
    );
    const percentile = async (p: number) => {
      if (latency.count === 0) return null;
      const offset = Math.max(0, Math.ceil(p * latency.count) - 1);
      const row = await sql.get<{ ms: number }>(
        `SELECT delivered_at - created_at AS ms FROM signups WHERE state = 'delivered' AND ${IN_WINDOW}
         ORDER BY ms LIMIT 1 OFFSET ?`,
        [from, to, offset],
      );
      return row ? Number(row.ms) : null;
    };
    const day = sql.dialect.utcDay('created_at');
    const perDay = await sql.all<{ day: string } & StateCounts>(
      `SELECT ${day} AS day, ${STATE_SUMS} FROM signups WHERE ${IN_WINDOW} GROUP BY ${day} ORDER BY day`,
      [from, to],
    );
    const topImpressions = await sql.all<RawStats['top_impressions'][number]>(
      `SELECT impression_id, MAX(student_id) AS student_id, COUNT(*) AS count, ${STATE_SUMS}
       FROM signups WHERE ${IN_WINDOW} GROUP BY impression_id ORDER BY count DESC, impression_id LIMIT ?`,
      [from, to, top],
    );
    const topStudents = await sql.all<RawStats['top_students'][number]>(
      `SELECT student_id, COUNT(*) AS delivered, COUNT(DISTINCT impression_id) AS impressions
       FROM signups WHERE student_id IS NOT NULL AND state = 'delivered' AND ${IN_WINDOW}
       GROUP BY student_id ORDER BY delivered DESC, student_id LIMIT ?`,
      [from, to, top],
    );
    const oldest = await sql.get<{ at: number | null }>(`SELECT MIN(created_at) AS at FROM signups WHERE state = 'queued'`);
    return {
      by_state: byState,
      by_source: bySource,
      per_day: perDay.map((row) => numeric(row, SIGNUP_STATES)),
      top_impressions: topImpressions.map((row) => numeric(row, ['count', ...SIGNUP_STATES])),
      top_students: topStudents.map((row) => numeric(row, ['delivered', 'impressions'])),
      delivery_latency_ms: {
        count: latency.count,
        p50: await percentile(0.5),
        p90: await percentile(0.9),
        p99: await percentile(0.99),
        max: latency.max,
      },
      oldest_queued_at: oldest?.at === null || oldest?.at === undefined ? null : Number(oldest.at),
    };
  }

  /** Read-only queue figures for `/metrics`; both come from the (state, created_at) index. */
  async queue(): Promise<QueueSnapshot> {
    const row = await this.sql.get<{ depth: number; oldest: number | null }>(
      `SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM signups WHERE state = 'queued'`,
    );
    return { depth: Number(row?.depth ?? 0), oldestCreatedAt: row?.oldest == null ? null : Number(row.oldest) };
  }
}
