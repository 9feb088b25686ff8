/**
 * Small durable facts shared by every relay on the database: counters, flags, and the
 * delivery state (admin pause, bad-key pause, 429 hold, the next probe's turn).
 */
import { placeholders, type Sql } from '../sql';

export interface DeliveryPause {
  reason: 'unauthorized' | 'misconfigured';
  message: string;
  /** Epoch ms. */
  since: number;
}

export interface SharedDeliveryState {
  /** Epoch ms the admin paused delivery, or null. */
  adminPausedSince: number | null;
  /** Paused by Vantio's answer (a wrong key, a redirect), or null. */
  pause: DeliveryPause | null;
  /** After a 429 nothing is sent before this time (epoch ms; 0 when not held). */
  holdUntil: number;
}

const KEYS = {
  adminPause: 'delivery_paused',
  pause: 'delivery_pause',
  holdUntil: 'delivery_hold_until',
  probeAt: 'delivery_probe_at',
} as const;

const UPSERT = `INSERT INTO relay_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;

export class MetaRepo {
  constructor(private readonly sql: Sql) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.sql.get<{ value: string }>('SELECT value FROM relay_meta WHERE key = ?', [key]))?.value;
  }

  async set(key: string, value: string | null): Promise<void> {
    if (value === null) await this.sql.run('DELETE FROM relay_meta WHERE key = ?', [key]);
    else await this.sql.run(UPSERT, [key, value]);
  }

  async counter(name: string): Promise<number> {
    return Number((await this.get(`counter:${name}`)) ?? 0);
  }

  async addToCounter(name: string, by = 1): Promise<void> {
    await this.sql.run(
      `INSERT INTO relay_meta (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(relay_meta.value AS BIGINT) + CAST(excluded.value AS BIGINT) AS TEXT)`,
      [`counter:${name}`, String(by)],
    );
  }

  async deliveryState(): Promise<SharedDeliveryState> {
    const keys = [KEYS.adminPause, KEYS.pause, KEYS.holdUntil];
    const rows = await this.sql.all<{ key: string; value: string }>(
      `SELECT key, value FROM relay_meta WHERE key IN (${placeholders(keys.length)})`,
      keys,
    );
    const value = (key: string) => rows.find((row) => row.key === key)?.value;
    const adminPaused = value(KEYS.adminPause);
    const pause = value(KEYS.pause);
    return {
      adminPausedSince: adminPaused === undefined ? null : Number(adminPaused),
      pause: pause === undefined ? null : (JSON.parse(pause) as DeliveryPause),
      holdUntil: Number(value(KEYS.holdUntil) ?? 0),
    };
  }

  async setAdminPause(since: number | null): Promise<void> {
    await this.set(KEYS.adminPause, since === null ? null : String(since));
    this.sql.notify('delivery_state');
  }

  /** Sets or clears the pause; a pause already in place keeps its `since`. */
  async setPause(pause: DeliveryPause | null): Promise<void> {
    if (pause === null) {
      if ((await this.sql.run('DELETE FROM relay_meta WHERE key = ?', [KEYS.pause])) > 0) this.sql.notify('delivery_state');
      return;
    }
    const current = await this.get(KEYS.pause);
    const since = current === undefined ? pause.since : (JSON.parse(current) as DeliveryPause).since;
    await this.set(KEYS.pause, JSON.stringify({ ...pause, since }));
    if (current === undefined) this.sql.notify('delivery_state');
  }

  /** Holds all delivery until at least `until` (a later hold already in place stays). */
  async extendHold(until: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO relay_meta (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(relay_meta.value AS BIGINT) < CAST(excluded.value AS BIGINT)`,
      [KEYS.holdUntil, String(until)],
    );
    this.sql.notify('delivery_state');
  }

  async clearHold(): Promise<void> {
    await this.set(KEYS.holdUntil, null);
    this.sql.notify('delivery_state');
  }

  /**
   * Takes the next probe turn while paused: true for exactly one caller per `everyMs` across
   * all relays (an atomic conditional update), who then sends one probe.
   */
  async takeProbeTurn(now: number, everyMs: number): Promise<boolean> {
    const changed = await this.sql.run(
      `INSERT INTO relay_meta (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(relay_meta.value AS BIGINT) <= ?`,
      [KEYS.probeAt, String(now + everyMs), now],
    );
    return changed > 0;
  }

  /** No probe before `at` (right after the answer that paused delivery). */
  async deferProbe(at: number): Promise<void> {
    await this.set(KEYS.probeAt, String(at));
  }

  /** When the next probe may go (epoch ms), 0 for now. */
  async nextProbeAt(): Promise<number> {
    return Number((await this.get(KEYS.probeAt)) ?? 0);
  }

  /** Lets the next probe go at once (an admin's resume). */
  async resetProbeTurn(): Promise<void> {
    await this.set(KEYS.probeAt, null);
  }
}
