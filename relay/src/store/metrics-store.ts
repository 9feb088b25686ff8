import type { SqliteDatabase } from './database';

export interface QueueSnapshot {
  /** Signups waiting for delivery (each has one outbox row). */
  depth: number;
  /** When the oldest still-queued signup was accepted (epoch ms), or null when none is. */
  oldestCreatedAt: number | null;
}

/** Read-only queue figures for `/metrics`; both come from the (state, created_at) index. */
export function createQueueSnapshot(db: SqliteDatabase): () => QueueSnapshot {
  const query = db.prepare(
    `SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM signups WHERE state = 'queued'`,
  );
  return () => {
    const row = query.get() as { depth: number; oldest: number | null };
    return { depth: row.depth, oldestCreatedAt: row.oldest };
  };
}
