/**
 * Webhook SQL: delivery records (replay protection) and kept unmappable payloads.
 * Writes go through the store's group commit. `recordAccepted` and `markIngested` are
 * queued in the same event-loop turn as the ingest write, so they land in the same
 * batch transaction as the signup they point to: both are on disk, or neither is.
 */
import type { TFieldIssue } from '@vantio/shared';
import { normaliseEmail } from '@vantio/shared';
import { newId } from '../ids';
import type { SqliteDatabase } from './database';
import type { SqliteStore } from './sqlite-store';

export interface DeliveryRecord {
  source: string;
  delivery_id: string;
  received_at: number;
  outcome: 'accepted' | 'unmappable';
  signup_id: string | null;
  payload_id: string | null;
}

export interface PayloadRow {
  id: string;
  source: string;
  delivery_id: string;
  received_at: number;
  updated_at: number;
  body: string;
  issues: string;
  status: 'pending' | 'ingested';
  signup_id: string | null;
}

export type PayloadSummary = Omit<PayloadRow, 'body'>;

export interface PayloadFilter {
  status?: PayloadRow['status'] | undefined;
  source?: string | undefined;
  /** Newest first; page with the last id of the previous page (an unknown id gives an empty page). */
  before?: string | undefined;
  limit: number;
}

/** Delivery records are kept this long (the promise to senders is at least 24 h). */
export const DELIVERY_RETENTION_MS = 7 * 24 * 3_600_000;
const PURGE_EVERY_MS = 3_600_000;

export class WebhookStore {
  private readonly sql;
  private nextPurgeAt = 0;

  constructor(private readonly store: SqliteStore) {
    const { db } = store;
    this.sql = {
      delivery: db.prepare('SELECT * FROM webhook_deliveries WHERE source = ? AND delivery_id = ?'),
      insertAccepted: db.prepare(
        `INSERT OR IGNORE INTO webhook_deliveries (source, delivery_id, received_at, outcome, signup_id)
         SELECT ?, ?, ?, 'accepted', id FROM signups WHERE upstream_key = ?`,
      ),
      insertUnmappable: db.prepare(
        `INSERT INTO webhook_deliveries (source, delivery_id, received_at, outcome, payload_id)
         VALUES (?, ?, ?, 'unmappable', ?)`,
      ),
      purgeDeliveries: db.prepare('DELETE FROM webhook_deliveries WHERE received_at < ?'),
      insertPayload: db.prepare(
        `INSERT INTO webhook_payloads (id, source, delivery_id, received_at, updated_at, body, issues)
         VALUES (@id, @source, @deliveryId, @now, @now, @body, @issues)`,
      ),
      payload: db.prepare('SELECT * FROM webhook_payloads WHERE id = ?'),
      setIssues: db.prepare("UPDATE webhook_payloads SET issues = ?, updated_at = ? WHERE id = ? AND status = 'pending'"),
      markIngested: db.prepare(
        `UPDATE webhook_payloads SET status = 'ingested', issues = '[]', updated_at = @now,
           signup_id = (SELECT id FROM signups WHERE upstream_key = @upstreamKey)
         WHERE id = @id AND status = 'pending' AND EXISTS (SELECT 1 FROM signups WHERE upstream_key = @upstreamKey)`,
      ),
      deletePayload: db.prepare('DELETE FROM webhook_payloads WHERE id = ?'),
      purgePayloads: db.prepare('DELETE FROM webhook_payloads WHERE received_at < ?'),
      countPayloads: db.prepare('SELECT status, COUNT(*) AS n FROM webhook_payloads GROUP BY status'),
    };
  }

  findDelivery(source: string, deliveryId: string): DeliveryRecord | undefined {
    return this.sql.delivery.get(source, deliveryId) as DeliveryRecord | undefined;
  }

  /**
   * Records a delivery as accepted, pointing at the signup its ingest wrote (found by the
   * upstream key). Call it in the same turn as `ingest()` so both share one batch; if the
   * signup write failed, nothing is recorded.
   */
  recordAccepted(input: { source: string; deliveryId: string; upstreamKey: string; now: number }): Promise<void> {
    return this.store.commits.run(() => {
      this.sql.insertAccepted.run(input.source, input.deliveryId, input.now, input.upstreamKey);
      this.purgeIfDue(input.now);
    });
  }

  /**
   * Keeps an unmappable payload and records its delivery, in one write. A concurrent
   * retry of the same delivery finds the first one's payload instead of storing another.
   */
  recordUnmappable(input: {
    source: string;
    deliveryId: string;
    body: string;
    issues: TFieldIssue[];
    now: number;
  }): Promise<{ payloadId: string | null; stored: boolean }> {
    return this.store.commits.run(() => {
      const earlier = this.findDelivery(input.source, input.deliveryId);
      if (earlier) return { payloadId: earlier.payload_id, stored: false };
      const id = newId('whp', input.now);
      this.sql.insertPayload.run({ id, ...input, issues: JSON.stringify(input.issues) });
      this.sql.insertUnmappable.run(input.source, input.deliveryId, input.now, id);
      this.purgeIfDue(input.now);
      return { payloadId: id, stored: true };
    });
  }

  getPayload(id: string): PayloadRow | undefined {
    return this.sql.payload.get(id) as PayloadRow | undefined;
  }

  listPayloads(filter: PayloadFilter): PayloadSummary[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit };
    if (filter.status) (where.push('status = @status'), (params.status = filter.status));
    if (filter.source) (where.push('source = @source'), (params.source = filter.source));
    // rowid is arrival order, even within one millisecond (ids are only ms-sortable).
    if (filter.before) {
      where.push('rowid < (SELECT rowid FROM webhook_payloads WHERE id = @before)');
      params.before = filter.before;
    }
    const sql = `SELECT id, source, delivery_id, received_at, updated_at, issues, status, signup_id
      FROM webhook_payloads ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY rowid DESC LIMIT @limit`;
    return this.store.db.prepare(sql).all(params) as PayloadSummary[];
  }

  /** The latest mapping attempt's issues (an admin replay that still fails). */
  setPayloadIssues(id: string, issues: TFieldIssue[], now: number): Promise<void> {
    return this.store.commits.run(() => {
      this.sql.setIssues.run(JSON.stringify(issues), now, id);
    });
  }

  /** Marks a payload ingested; like `recordAccepted`, call it in the ingest's turn. */
  markIngested(id: string, upstreamKey: string, now: number): Promise<void> {
    return this.store.commits.run(() => {
      this.sql.markIngested.run({ id, upstreamKey, now });
    });
  }

  deletePayload(id: string): Promise<boolean> {
    return this.store.commits.run(() => this.sql.deletePayload.run(id).changes > 0);
  }

  /** Deletes kept payloads received before `cutoff` (for a retention sweep); resolves with the count. */
  purgePayloads(cutoff: number): Promise<number> {
    return this.store.commits.run(() => this.sql.purgePayloads.run(cutoff).changes);
  }

  erasePayloadsByEmail(email: string): Promise<number> {
    return erasePayloadsByEmail(this.store, email);
  }

  countPayloads(): Record<PayloadRow['status'], number> {
    const counts = { pending: 0, ingested: 0 };
    for (const row of this.sql.countPayloads.all() as { status: PayloadRow['status']; n: number }[]) counts[row.status] = row.n;
    return counts;
  }

  private purgeIfDue(now: number) {
    if (now < this.nextPurgeAt) return;
    this.nextPurgeAt = now + PURGE_EVERY_MS;
    this.sql.purgeDeliveries.run(now - DELIVERY_RETENTION_MS);
  }
}

/**
 * Right to erasure: deletes every kept webhook payload that mentions `email` (any case,
 * as a whole address, also when the sender escaped it in JSON). Resolves with the count.
 */
export function erasePayloadsByEmail(store: SqliteStore, email: string): Promise<number> {
  return store.commits.run(() => erasePayloadsByEmailIn(store.db, email));
}

/** The same, synchronously, for use inside a caller's own `commits.run` write. */
export function erasePayloadsByEmailIn(db: SqliteDatabase, email: string): number {
  const needle = normaliseEmail(email);
  if (!needle.includes('@')) return 0;
  const mentions = mentionPattern(needle);
  const rows = db.prepare('SELECT id, body FROM webhook_payloads').iterate() as Iterable<{ id: string; body: string }>;
  const doomed: string[] = [];
  for (const row of rows) if (mentionsEmail(row.body, mentions)) doomed.push(row.id);
  const remove = db.prepare('DELETE FROM webhook_payloads WHERE id = ?');
  for (const id of doomed) remove.run(id);
  return doomed.length;
}

/** The address not glued to more address characters on either side (`ann@x.edu` ≠ `joann@x.edu`). */
function mentionPattern(needle: string): RegExp {
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9._%+'\`{|}~!#$&*/=?^-])${escaped}(?![a-z0-9-]|\\.[a-z0-9])`);
}

function mentionsEmail(body: string, pattern: RegExp): boolean {
  if (pattern.test(body.toLowerCase())) return true;
  // Senders may escape characters (`\u0040`); compare the decoded strings too.
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  const stack: unknown[] = [parsed];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (pattern.test(value.toLowerCase())) return true;
    } else if (Array.isArray(value)) stack.push(...value);
    else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) stack.push(key, item);
    }
  }
  return false;
}
