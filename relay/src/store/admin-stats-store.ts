/**
 * The admin stats queries. Totals (by state, by source) are all-time; the rest covers a
 * window of created_at. Percentiles use nearest rank with LIMIT/OFFSET so memory stays
 * flat however many signups were delivered.
 */
import { SIGNUP_STATES, type TSignupState } from '@vantio/shared';
import type { SqliteDatabase } from './database';

export type StateCounts = Record<TSignupState, number>;

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

export const emptyCounts = (): StateCounts =>
  Object.fromEntries(SIGNUP_STATES.map((state) => [state, 0])) as StateCounts;

const STATE_SUMS = SIGNUP_STATES.map((state) => `SUM(state = '${state}') AS ${state}`).join(', ');

export class AdminStatsStore {
  private readonly sql;

  constructor(db: SqliteDatabase) {
    const inWindow = 'created_at >= @from AND created_at < @to';
    this.sql = {
      bySourceState: db.prepare('SELECT source, state, COUNT(*) AS n FROM signups GROUP BY source, state'),
      perDay: db.prepare(
        `SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day, ${STATE_SUMS}
         FROM signups WHERE ${inWindow} GROUP BY day ORDER BY day`,
      ),
      topImpressions: db.prepare(
        `SELECT impression_id, MAX(student_id) AS student_id, COUNT(*) AS count, ${STATE_SUMS}
         FROM signups WHERE ${inWindow} GROUP BY impression_id ORDER BY count DESC, impression_id LIMIT @top`,
      ),
      topStudents: db.prepare(
        `SELECT student_id, COUNT(*) AS delivered, COUNT(DISTINCT impression_id) AS impressions
         FROM signups WHERE student_id IS NOT NULL AND state = 'delivered' AND ${inWindow}
         GROUP BY student_id ORDER BY delivered DESC, student_id LIMIT @top`,
      ),
      latencySummary: db.prepare(
        `SELECT COUNT(*) AS count, MAX(delivered_at - created_at) AS max
         FROM signups WHERE state = 'delivered' AND ${inWindow}`,
      ),
      latencyAtRank: db.prepare(
        `SELECT delivered_at - created_at AS ms FROM signups WHERE state = 'delivered' AND ${inWindow}
         ORDER BY ms LIMIT 1 OFFSET @offset`,
      ),
      oldestQueued: db.prepare(`SELECT MIN(created_at) AS at FROM signups WHERE state = 'queued'`),
    };
  }

  read(window: StatsWindow): RawStats {
    const { from, to, top } = window;
    const range = { from, to };
    const byState = emptyCounts();
    const bySource: Record<string, StateCounts> = {};
    for (const row of this.sql.bySourceState.all() as { source: string; state: TSignupState; n: number }[]) {
      byState[row.state] += row.n;
      (bySource[row.source] ??= emptyCounts())[row.state] = row.n;
    }
    const latency = this.sql.latencySummary.get(range) as { count: number; max: number | null };
    const percentile = (p: number) => {
      if (latency.count === 0) return null;
      const offset = Math.max(0, Math.ceil(p * latency.count) - 1);
      return (this.sql.latencyAtRank.get({ ...range, offset }) as { ms: number }).ms;
    };
    return {
      by_state: byState,
      by_source: bySource,
      per_day: this.sql.perDay.all(range) as RawStats['per_day'],
      top_impressions: this.sql.topImpressions.all({ ...range, top }) as RawStats['top_impressions'],
      top_students: this.sql.topStudents.all({ ...range, top }) as RawStats['top_students'],
      delivery_latency_ms: {
        count: latency.count,
        p50: percentile(0.5),
        p90: percentile(0.9),
        p99: percentile(0.99),
        max: latency.max,
      },
      oldest_queued_at: (this.sql.oldestQueued.get() as { at: number | null }).at,
    };
  }
}
