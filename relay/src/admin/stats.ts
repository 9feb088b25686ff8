/**
 * `GET /v1/admin/stats`: everything the dashboard's overview needs in one answer.
 * `by_state`, `by_source` and `bots` are all-time; `per_day`, `top_*` and
 * `delivery_latency_ms` cover the window (default: the last 30 UTC days, today included).
 */
import { Hono } from 'hono';
import type { DeliveryStatus } from '../forwarder';
import type { RefusedOrigins } from '../http/refused-origins';
import type { RawStats } from '../store/repos/stats';
import { emptyCounts } from '../store/repos/signups';
import type { StateCounts, Store } from '../store/types';
import { parseOr400, statsWindow, ZStatsQuery } from './query';
import { iso } from './views';

const DAY_MS = 86_400_000;

/** The `GET /v1/admin/stats` answer. */
export interface StatsView {
  generated_at: string;
  window: { from: string; to: string; days: number };
  by_state: StateCounts;
  by_source: Record<string, StateCounts>;
  per_day: Array<{ day: string; total: number } & StateCounts>;
  top_impressions: RawStats['top_impressions'];
  top_students: RawStats['top_students'];
  delivery_latency_ms: RawStats['delivery_latency_ms'];
  oldest_queued_at: string | null;
  oldest_queued_age_s: number | null;
  bots: number;
  delivery: DeliveryStatus;
  retention_days: number;
  /** Pages refused by RELAY_ALLOWED_ORIGINS, the most recently seen first. */
  refused_origins: Array<{ origin: string; count: number; first_seen: string; last_seen: string }>;
}

/** Refused origins listed in the stats (the store keeps up to its cap). */
const REFUSED_ORIGINS_SHOWN = 50;

export interface StatsDeps {
  store: Pick<Store, 'read'>;
  delivery: () => DeliveryStatus;
  now: () => number;
  retentionDays: number;
  refusedOrigins?: RefusedOrigins | undefined;
}

export function statsRoutes({ store, delivery, now, retentionDays, refusedOrigins }: StatsDeps) {
  const app = new Hono();
  app.get('/stats', async (c) => {
    const query = parseOr400(ZStatsQuery, c.req.query(), 'query');
    const at = now();
    const window = statsWindow(query, at);
    const raw = await store.read.stats.read({ ...window, top: query.top });
    const bots = await store.read.meta.counter('bots');
    const view: StatsView = {
      generated_at: iso(at)!,
      window: { from: iso(window.from)!, to: iso(window.to)!, days: Math.ceil((window.to - window.from) / DAY_MS) },
      by_state: raw.by_state,
      by_source: raw.by_source,
      per_day: zeroFilledDays(raw.per_day, window.from, window.to),
      top_impressions: raw.top_impressions,
      top_students: raw.top_students,
      delivery_latency_ms: raw.delivery_latency_ms,
      oldest_queued_at: iso(raw.oldest_queued_at),
      oldest_queued_age_s: raw.oldest_queued_at === null ? null : Math.max(0, Math.floor((at - raw.oldest_queued_at) / 1000)),
      bots,
      delivery: delivery(),
      retention_days: retentionDays,
      refused_origins: (await refusedOrigins?.list(REFUSED_ORIGINS_SHOWN) ?? []).map((row) => ({
        origin: row.origin,
        count: row.count,
        first_seen: iso(row.first_seen)!,
        last_seen: iso(row.last_seen)!,
      })),
    };
    return c.json(view);
  });
  return app;
}

/** One entry per UTC day of the window (charts need the empty days too), with a total. */
function zeroFilledDays(days: RawStats['per_day'], from: number, to: number): StatsView['per_day'] {
  const byDay = new Map(days.map((day) => [day.day, day]));
  const filled: StatsView['per_day'] = [];
  for (let t = Math.floor(from / DAY_MS) * DAY_MS; t < to; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const counts = { ...emptyCounts(), ...byDay.get(day) };
    const { queued, delivered, rejected, dead, held } = counts;
    filled.push({ day, queued, delivered, rejected, dead, held, total: queued + delivered + rejected + dead + held });
  }
  return filled;
}
