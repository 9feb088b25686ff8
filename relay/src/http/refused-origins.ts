/**
 * Pages whose origin is not in RELAY_ALLOWED_ORIGINS, made visible to the operator so the fix
 * is one config line: a warning per origin (rate-limited), counts and first/last seen in
 * `GET /v1/admin/stats` and on the dashboard.
 *
 * A refusal stays cheap and stores no signup: it only bumps an in-memory counter. The counts
 * go to the store every few seconds, summed per origin, so several relays sharing one database
 * add up and a flood of refusals costs one write per origin per flush, not one per request.
 * Origins are attacker-chosen strings: each is cut to 200 characters, and both the pending
 * batch and the stored table hold at most `cap` origins (beyond that, "(other origins)").
 */
import type { Logger } from '../logger';

export const MAX_ORIGIN_LENGTH = 200;
/** Where refusals of origins beyond the cap are counted; no real Origin header looks like this. */
export const OTHER_ORIGINS = '(other origins)';

/** One refused origin as stored: times are epoch milliseconds. */
export interface RefusedOriginRow {
  origin: string;
  count: number;
  first_seen: number;
  last_seen: number;
}

/** Where the counts are kept; the relay's database in production (see the store's README). */
export interface RefusedOriginStore {
  /** Adds a batch: counts summed, first_seen kept, last_seen advanced; keeps the `cap` most recently seen. */
  addRefusedOrigins(rows: RefusedOriginRow[], cap: number): Promise<void>;
  /** The most recently seen first. */
  listRefusedOrigins(limit: number): Promise<RefusedOriginRow[]>;
}

/** Adds `row` into `into` (same origin): the one merge rule for memory and database alike. */
export function mergeRow(into: RefusedOriginRow | undefined, row: RefusedOriginRow): RefusedOriginRow {
  if (!into) return { ...row };
  return {
    origin: row.origin,
    count: into.count + row.count,
    first_seen: Math.min(into.first_seen, row.first_seen),
    last_seen: Math.max(into.last_seen, row.last_seen),
  };
}

const byLastSeen = (a: RefusedOriginRow, b: RefusedOriginRow) => b.last_seen - a.last_seen || a.origin.localeCompare(b.origin);

/** Keeps the counts in this process only: tests, and a relay without a shared database. */
export function memoryRefusedOriginStore(): RefusedOriginStore {
  let rows = new Map<string, RefusedOriginRow>();
  return {
    async addRefusedOrigins(batch, cap) {
      for (const row of batch) rows.set(row.origin, mergeRow(rows.get(row.origin), row));
      if (rows.size > cap) rows = new Map([...rows.values()].sort(byLastSeen).slice(0, cap).map((row) => [row.origin, row]));
    },
    async listRefusedOrigins(limit) {
      return [...rows.values()].sort(byLastSeen).slice(0, limit);
    },
  };
}

export interface RefusedOriginsOptions {
  store: RefusedOriginStore;
  logger: Logger;
  now: () => number;
  /** Called on every refusal (the metric). */
  onRefused?: (origin: string) => void;
  /** How often pending counts are written to the store. */
  flushEveryMs?: number;
  /** At most this many origins pending, and stored. */
  cap?: number;
  /** One warning per origin per this window… */
  logWindowMs?: number;
  /** …and at most this many warnings per window in all, however many origins there are. */
  maxLogLines?: number;
}

export type RefusedOrigins = ReturnType<typeof createRefusedOrigins>;

export function createRefusedOrigins({
  store,
  logger,
  now,
  onRefused,
  flushEveryMs = 5_000,
  cap = 200,
  logWindowMs = 60_000,
  maxLogLines = 20,
}: RefusedOriginsOptions) {
  let pending = new Map<string, RefusedOriginRow>();
  /** Per origin logged in the current window: refusals since its warning. */
  let logged = new Map<string, number>();
  let windowStart = now();
  let timer: ReturnType<typeof setInterval> | undefined;

  const warn = (origin: string, at: number) => {
    if (at - windowStart >= logWindowMs) {
      logged = new Map();
      windowStart = at;
    }
    const since = logged.get(origin);
    if (since !== undefined) return void logged.set(origin, since + 1);
    if (logged.size >= maxLogLines) return;
    logged.set(origin, 0);
    logger.warn(
      { origin, hint: 'add it to RELAY_ALLOWED_ORIGINS if this page should take signups' },
      'refused a signup from an origin that is not allowed',
    );
  };

  async function flush(): Promise<void> {
    if (!pending.size) return;
    const batch = [...pending.values()];
    pending = new Map();
    try {
      await store.addRefusedOrigins(batch, cap);
    } catch (error) {
      // Only counts are at stake: keep them for the next flush rather than fail anything.
      for (const row of batch) pending.set(row.origin, mergeRow(pending.get(row.origin), row));
      logger.error({ err: error }, 'could not store refused origin counts');
    }
  }

  return {
    /** Counts one refused request. Never throws, never waits. */
    record(rawOrigin: string): void {
      const at = now();
      let origin = rawOrigin.slice(0, MAX_ORIGIN_LENGTH);
      if (!pending.has(origin) && pending.size >= cap) origin = OTHER_ORIGINS;
      pending.set(origin, mergeRow(pending.get(origin), { origin, count: 1, first_seen: at, last_seen: at }));
      warn(origin, at);
      onRefused?.(origin);
    },
    flush,
    /** Stored counts with what is still pending, the most recently seen first. */
    async list(limit: number): Promise<RefusedOriginRow[]> {
      const merged = new Map((await store.listRefusedOrigins(cap)).map((row) => [row.origin, row]));
      for (const row of pending.values()) merged.set(row.origin, mergeRow(merged.get(row.origin), row));
      return [...merged.values()].sort(byLastSeen).slice(0, limit);
    },
    start(): void {
      timer ??= setInterval(() => void flush(), flushEveryMs);
      timer.unref?.();
    },
    /** Stops the timer and writes what is pending. */
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}
