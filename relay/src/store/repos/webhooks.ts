/**
 * Webhook storage: delivery records (replay protection) and kept unmappable payloads.
 * A delivery record is written in the same unit of work as the signup it points to, and
 * linked by that signup's id: both are committed, or neither is.
 */
import type { TFieldIssue } from '@vantio/shared';
import { normaliseEmail } from '@vantio/shared';
import type { Sql, SqlValue } from '../sql';

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

const ERASE_SCAN_PAGE = 500;

export class WebhookRepo {
  constructor(private readonly sql: Sql) {}

  findDelivery(source: string, deliveryId: string): Promise<DeliveryRecord | undefined> {
    return this.sql.get<DeliveryRecord>('SELECT * FROM webhook_deliveries WHERE source = ? AND delivery_id = ?', [source, deliveryId]);
  }

  /** Records a delivery as accepted into `signupId`; false when it was already recorded. */
  async recordAccepted(input: { source: string; deliveryId: string; signupId: string; now: number }): Promise<boolean> {
    const changed = await this.sql.run(
      `INSERT INTO webhook_deliveries (source, delivery_id, received_at, outcome, signup_id) VALUES (?, ?, ?, 'accepted', ?)
       ON CONFLICT (source, delivery_id) DO NOTHING`,
      [input.source, input.deliveryId, input.now, input.signupId],
    );
    return changed > 0;
  }

  /** Keeps an unmappable payload and records its delivery; a concurrent retry finds the first one's payload. */
  async recordUnmappable(input: {
    id: string;
    source: string;
    deliveryId: string;
    body: string;
    issues: TFieldIssue[];
    now: number;
  }): Promise<{ payloadId: string | null; stored: boolean }> {
    const earlier = await this.findDelivery(input.source, input.deliveryId);
    if (earlier) return { payloadId: earlier.payload_id, stored: false };
    await this.sql.run(
      `INSERT INTO webhook_payloads (id, source, delivery_id, received_at, updated_at, body, issues) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [input.id, input.source, input.deliveryId, input.now, input.now, input.body, JSON.stringify(input.issues)],
    );
    await this.sql.run(
      `INSERT INTO webhook_deliveries (source, delivery_id, received_at, outcome, payload_id) VALUES (?, ?, ?, 'unmappable', ?)`,
      [input.source, input.deliveryId, input.now, input.id],
    );
    return { payloadId: input.id, stored: true };
  }

  purgeDeliveries(cutoff: number): Promise<number> {
    return this.sql.run('DELETE FROM webhook_deliveries WHERE received_at < ?', [cutoff]);
  }

  getPayload(id: string): Promise<PayloadRow | undefined> {
    return this.sql.get<PayloadRow>('SELECT * FROM webhook_payloads WHERE id = ?', [id]);
  }

  listPayloads(filter: PayloadFilter): Promise<PayloadSummary[]> {
    const order = this.sql.dialect.arrivalOrder('webhook_payloads');
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (filter.status) (conditions.push('status = ?'), params.push(filter.status));
    if (filter.source) (conditions.push('source = ?'), params.push(filter.source));
    // Arrival order, even within one millisecond (ids are only ms-sortable).
    if (filter.before) {
      conditions.push(`${order} < (SELECT ${order} FROM webhook_payloads WHERE id = ?)`);
      params.push(filter.before);
    }
    return this.sql.all<PayloadSummary>(
      `SELECT id, source, delivery_id, received_at, updated_at, issues, status, signup_id FROM webhook_payloads
       ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${order} DESC LIMIT ?`,
      [...params, filter.limit],
    );
  }

  /** The latest mapping attempt's issues (an admin replay that still fails). */
  async setPayloadIssues(id: string, issues: TFieldIssue[], now: number): Promise<void> {
    await this.sql.run(`UPDATE webhook_payloads SET issues = ?, updated_at = ? WHERE id = ? AND status = 'pending'`, [
      JSON.stringify(issues),
      now,
      id,
    ]);
  }

  /** Marks a payload ingested into `signupId`, in the ingest's unit of work. */
  async markIngested(id: string, signupId: string, now: number): Promise<void> {
    await this.sql.run(
      `UPDATE webhook_payloads SET status = 'ingested', issues = '[]', updated_at = ?, signup_id = ? WHERE id = ? AND status = 'pending'`,
      [now, signupId, id],
    );
  }

  async deletePayload(id: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM webhook_payloads WHERE id = ?', [id])) > 0;
  }

  /** Deletes kept payloads received before `cutoff` (retention); resolves with the count. */
  purgePayloads(cutoff: number): Promise<number> {
    return this.sql.run('DELETE FROM webhook_payloads WHERE received_at < ?', [cutoff]);
  }

  /**
   * Right to erasure: deletes every kept payload that mentions `email` (any case, as a whole
   * address, also when the sender escaped it in JSON). Scans in pages; resolves with the count.
   */
  async erasePayloadsByEmail(email: string): Promise<number> {
    const needle = normaliseEmail(email);
    if (!needle.includes('@')) return 0;
    const mentions = mentionPattern(needle);
    const doomed: string[] = [];
    for (let after = ''; ; ) {
      const rows = await this.sql.all<{ id: string; body: string }>(
        'SELECT id, body FROM webhook_payloads WHERE id > ? ORDER BY id LIMIT ?',
        [after, ERASE_SCAN_PAGE],
      );
      for (const row of rows) if (mentionsEmail(row.body, mentions)) doomed.push(row.id);
      if (rows.length < ERASE_SCAN_PAGE) break;
      after = rows.at(-1)!.id;
    }
    for (const id of doomed) await this.sql.run('DELETE FROM webhook_payloads WHERE id = ?', [id]);
    return doomed.length;
  }

  async countPayloads(): Promise<Record<PayloadRow['status'], number>> {
    const counts = { pending: 0, ingested: 0 };
    for (const row of await this.sql.all<{ status: PayloadRow['status']; n: number }>(
      'SELECT status, COUNT(*) AS n FROM webhook_payloads GROUP BY status',
    )) {
      counts[row.status] = Number(row.n);
    }
    return counts;
  }
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
