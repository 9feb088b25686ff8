import type { Database, Statement } from 'better-sqlite3';
import type { StoreChannel } from '../sql';
import type { SqliteSql } from './executor';

interface UnitResult {
  ok: boolean;
  value: unknown;
}

interface PendingUnit {
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: every unit of work queued during one turn of the event loop runs in a
 * single transaction, so one fsync acknowledges many requests. A failing unit does not undo
 * the others (the batch reruns with a savepoint per unit, see commit()); if the commit itself fails
 * (disk full, I/O error), every unit in the batch is rejected and none is acknowledged.
 * Units only await the executor's already-settled promises, so a batch holds the write
 * lock for microtasks, never for I/O.
 */
export class GroupCommit {
  private queue: PendingUnit[] = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;
  private closed = false;
  /** Batches committed and units in them (tests check the batching with it). */
  readonly stats = { batches: 0, writes: 0, largestBatch: 0, reruns: 0 };
  private readonly statements: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', Statement>;

  constructor(
    db: Database,
    private readonly sql: SqliteSql,
    private readonly onCommitted: (channels: ReadonlySet<StoreChannel>) => void,
  ) {
    // Cached statements: a db.transaction() wrapper per unit showed up in profiles of the accept path.
    this.statements = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT group_commit_unit'),
      release: db.prepare('RELEASE group_commit_unit'),
      rollbackTo: db.prepare('ROLLBACK TO group_commit_unit'),
    };
  }

  /** Runs `unit` inside the next batch transaction; resolves after the batch is on disk. */
  run<T>(unit: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: unit, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Commits whatever is queued now (also used on close). */
  async flush(): Promise<void> {
    this.scheduled = false;
    while (this.flushing) await this.flushing;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.flushing = this.commit(batch);
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
      if (this.queue.length > 0) this.schedule();
    }
  }

  private async commit(batch: PendingUnit[]): Promise<void> {
    // Optimistic first: no savepoints (they cost a third of an accept's SQL). If a unit of a
    // larger batch fails, the whole transaction is rolled back and the batch runs again with
    // a savepoint per unit, so the others still commit (units may run more than once: Store).
    const outcome = await this.attempt(batch, false);
    if ('error' in outcome) {
      for (const pending of batch) pending.reject(outcome.error);
      return;
    }
    this.stats.batches += 1;
    this.stats.writes += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    batch.forEach((pending, index) => {
      const result = outcome.results[index]!;
      if (result.ok) pending.resolve(result.value);
      else pending.reject(result.value);
    });
    if (outcome.channels.size > 0) this.onCommitted(outcome.channels);
  }

  /**
   * One transaction over the batch. `isolated`: each unit in its own savepoint, a failing
   * unit rolled back alone. Otherwise a failing unit rolls everything back and the batch
   * runs again isolated.
   */
  private async attempt(
    batch: PendingUnit[],
    isolated: boolean,
  ): Promise<{ error: unknown } | { results: UnitResult[]; channels: Set<StoreChannel> }> {
    const { statements: s, sql } = this;
    const results: UnitResult[] = [];
    const channels = new Set<StoreChannel>();
    try {
      s.begin.run();
    } catch (error) {
      return { error };
    }
    try {
      for (const pending of batch) {
        sql.notified.clear();
        if (isolated) s.savepoint.run();
        try {
          results.push({ ok: true, value: await pending.run() });
          if (isolated) s.release.run();
          for (const channel of sql.notified) channels.add(channel);
        } catch (error) {
          if (!isolated) {
            this.rollback();
            // One unit alone: rolling the transaction back is rolling the unit back.
            if (batch.length === 1) return { results: [{ ok: false, value: error }], channels };
            this.stats.reruns += 1;
            return this.attempt(batch, true);
          }
          s.rollbackTo.run();
          s.release.run();
          results.push({ ok: false, value: error });
        }
      }
      s.commit.run();
    } catch (error) {
      this.rollback();
      return { error };
    }
    return { results, channels };
  }

  private rollback(): void {
    try {
      this.statements.rollback.run();
    } catch {
      // SQLite may already have rolled back (e.g. SQLITE_FULL): nothing left to undo.
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
