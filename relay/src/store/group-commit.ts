import type { SqliteDatabase } from './database';

interface PendingWrite {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: every write queued during one turn of the event loop runs in a single
 * transaction, so one fsync acknowledges many requests. Each write runs in its own
 * savepoint, so one failing write does not undo the others; if the commit itself fails
 * (disk full, I/O error), every write in the batch is rejected and none is acknowledged.
 */
export class GroupCommit {
  private queue: PendingWrite[] = [];
  private scheduled = false;
  private closed = false;
  /** Batches committed and writes in them (tests check the batching with it). */
  readonly stats = { batches: 0, writes: 0, largestBatch: 0 };

  // One savepoint per write, from cached statements: a new db.transaction() wrapper per
  // write showed up in profiles of the accept path.
  private readonly savepoint;
  private readonly release;
  private readonly rollbackTo;

  constructor(private readonly db: SqliteDatabase) {
    this.savepoint = db.prepare('SAVEPOINT group_commit_write');
    this.release = db.prepare('RELEASE group_commit_write');
    this.rollbackTo = db.prepare('ROLLBACK TO group_commit_write');
  }

  /** Runs `write` inside the next batch transaction; resolves after the batch is on disk. */
  run<T>(write: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now (also used on close). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      this.db.transaction(() => {
        for (const pending of batch) {
          this.savepoint.run();
          try {
            results.push({ ok: true, value: pending.run() });
            this.release.run();
          } catch (error) {
            this.rollbackTo.run();
            this.release.run();
            results.push({ ok: false, value: error });
          }
        }
      }).immediate();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.stats.batches += 1;
    this.stats.writes += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    batch.forEach((pending, index) => {
      const result = results[index]!;
      if (result.ok) pending.resolve(result.value);
      else pending.reject(result.value);
    });
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}
