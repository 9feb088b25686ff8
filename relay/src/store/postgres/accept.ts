/**
 * Group commit for PostgreSQL's accept path. New signups arriving in the same event-loop turn
 * (or while earlier batches are out) are stored by ONE statement in its own transaction: one
 * round trip and one WAL flush for many requests, like SQLite's group commit. A signup the
 * statement does not insert (a conflict on any unique index, or a client key already bound
 * to a twin) goes through the full unit of work, which decides replayed/duplicate/conflict.
 *
 * Measured on the 2-vCPU bench machine: the five round trips per accept of the plain unit
 * (BEGIN, twin lookup, two INSERTs, COMMIT) and one NOTIFY per signup were what limited a
 * PostgreSQL relay; its profile was mostly socket writes.
 */
import type { Pool } from 'pg';
import { SIGNUP_INSERT_COLUMNS, signupInsertValues } from '../repos/signups';
import type { SqlValue } from '../sql';
import type { AcceptResult, NewSignup, SignupRow } from '../types';
import { isRowLevelError, numberPlaceholders, pgChannel, queryPrepared } from './executor';

const BIGINT_COLUMNS = new Set<string>(['created_at', 'updated_at']);
const arrays = SIGNUP_INSERT_COLUMNS.map((column) => (BIGINT_COLUMNS.has(column) ? '?::bigint[]' : '?::text[]')).join(', ');
const columns = SIGNUP_INSERT_COLUMNS.join(', ');

/**
 * One column array per field (unnest), so one prepared statement serves any batch size.
 * `set_config(…, true)` holds until the end of this statement's transaction, so its commit
 * is synchronous whatever the server, database or role default (what SET LOCAL does for the
 * units). One wake-up per batch, sent at commit.
 */
const acceptBatch = (wake: boolean) =>
  numberPlaceholders(`WITH input AS (
    SELECT * FROM unnest(${arrays}) AS t(${columns})),
  inserted AS (
    INSERT INTO signups (${columns})
    SELECT ${columns} FROM input
    WHERE input.client_key IS NULL
       OR NOT EXISTS (SELECT 1 FROM duplicate_keys d WHERE d.client_key = input.client_key)
    ON CONFLICT DO NOTHING
    RETURNING id, state, created_at),
  queued AS (
    INSERT INTO outbox (signup_id, due_at) SELECT id, created_at FROM inserted WHERE state <> 'held' RETURNING signup_id)
  SELECT set_config('synchronous_commit', 'on', true) AS synchronous_commit,
    ARRAY(SELECT id FROM inserted) AS ids
    ${wake ? `, (SELECT pg_notify('${pgChannel('outbox')}', '') FROM queued LIMIT 1) AS woken` : ''}`);
const ACCEPT_AND_WAKE = acceptBatch(true);
const ACCEPT_QUIETLY = acceptBatch(false);

/**
 * Other relays need one wake-up to look at the outbox, not one per batch: each NOTIFY wakes
 * every listening backend and relay, which at hundreds of batches a second cost more than the
 * inserts. So at most one per window rides on a batch, and a batch that went without sends a
 * trailing one once it has committed. (This relay's own forwarder is woken by ingest at once.)
 */
export const WAKE_WINDOW_MS = 25;

/** Rows per statement: bounds one statement's size and the wait of its first request. */
const MAX_BATCH = 256;

interface Pending {
  input: NewSignup;
  signup: SignupRow;
  /** The row's INSERT values, in SIGNUP_INSERT_COLUMNS order (built once). */
  values: SqlValue[];
  resolve(result: AcceptResult): void;
  reject(error: unknown): void;
}

export interface AcceptBatcherOptions {
  /** Each batch statement runs alone on a pooled connection, in its own transaction. */
  pool: Pool;
  /** The full unit for one signup: `transaction((tx) => tx.signups.accept(input))`. */
  acceptOne(input: NewSignup): Promise<AcceptResult>;
  /** Batch statements out at once; the rest of the pool stays free for units and reads. */
  maxInFlight: number;
  /** Sends the trailing wake-up (a NOTIFY of its own) for batches that went without. */
  wakeOthers(): Promise<void>;
  now?: () => number;
}

export class AcceptBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** Batch statements and fallback units still running. */
  private readonly working = new Set<Promise<void>>();
  private lastWakeAt = -Infinity;
  private trailingWake: NodeJS.Timeout | undefined;
  /** Statements and rows, for tests of the batching. */
  readonly stats = { statements: 0, rows: 0 };

  constructor(private readonly options: AcceptBatcherOptions) {}

  accept(input: NewSignup, signup: SignupRow): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, signup, values: signupInsertValues(signup), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // After this turn's requests have queued theirs: that is what makes a batch.
    setImmediate(() => {
      this.scheduled = false;
      // A backlog larger than one batch fills every free slot, not one per turn.
      while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) this.track(this.flush());
    });
  }

  private track(work: Promise<void>): void {
    this.working.add(work);
    void work.finally(() => this.working.delete(work));
  }

  /** Resolves once every queued signup has its answer, fallbacks included (close() waits for it). */
  async idle(): Promise<void> {
    while (this.queue.length > 0 || this.working.size > 0 || this.scheduled) {
      await (this.working.size > 0 ? Promise.allSettled([...this.working]) : new Promise((resolve) => setImmediate(resolve)));
    }
  }

  private async flush(): Promise<void> {
    const taken = this.queue.splice(0, MAX_BATCH);
    // A value PostgreSQL cannot store must not fail everyone else's statement: its own unit
    // refuses it (UnstorableText, a 400).
    const batch = taken.filter((pending) => {
      if (!pending.values.some((value) => typeof value === 'string' && value.includes('\u0000'))) return true;
      this.acceptAlone(pending);
      return false;
    });
    if (batch.length === 0) return;
    // One order for every relay: two batches holding the same people lock them alike, never in a cycle.
    batch.sort((a, b) => (a.signup.upstream_key < b.signup.upstream_key ? -1 : a.signup.upstream_key > b.signup.upstream_key ? 1 : 0));
    this.inFlight += 1;
    try {
      const inserted = await this.insertBatch(batch);
      for (const pending of batch) {
        if (inserted.has(pending.signup.id)) pending.resolve({ kind: 'created', signup: pending.signup });
        else this.acceptAlone(pending);
      }
    } catch (error) {
      if (isRowLevelError(error)) {
        // The statement failed on a value or lost a race: each signup goes through its own
        // unit, which stores it, retries it or gives it its own error.
        for (const pending of batch) this.acceptAlone(pending);
      } else {
        // The database is down or the connection broke: no fallback herd, everyone hears now
        // (a 503; a client sending again with its key gets the stored signup if it committed).
        for (const pending of batch) pending.reject(error);
      }
    } finally {
      this.inFlight -= 1;
      this.schedule();
    }
  }

  private acceptAlone(pending: Pending): void {
    this.track(this.options.acceptOne(pending.input).then(pending.resolve, pending.reject));
  }

  private async insertBatch(batch: Pending[]): Promise<Set<string>> {
    const columnsOfValues: SqlValue[][] = SIGNUP_INSERT_COLUMNS.map(() => []);
    for (const { values } of batch) values.forEach((value, column) => columnsOfValues[column]!.push(value));
    const now = (this.options.now ?? Date.now)();
    const wake = now - this.lastWakeAt >= WAKE_WINDOW_MS;
    if (wake) this.lastWakeAt = now;
    const { rows } = await queryPrepared<{ ids: string[] }>(this.options.pool, {
      name: wake ? 'vantio_accept_and_wake' : 'vantio_accept_quietly',
      text: wake ? ACCEPT_AND_WAKE : ACCEPT_QUIETLY,
      values: columnsOfValues,
    });
    const ids = rows[0]!.ids;
    this.stats.statements += 1;
    this.stats.rows += ids.length;
    if (!wake && ids.length > 0) this.oweWake();
    return new Set(ids);
  }

  private oweWake(): void {
    if (this.trailingWake) return;
    const delay = Math.max(0, this.lastWakeAt + WAKE_WINDOW_MS - (this.options.now ?? Date.now)());
    this.trailingWake = setTimeout(() => {
      this.trailingWake = undefined;
      this.lastWakeAt = (this.options.now ?? Date.now)();
      // A lost wake-up only delays other relays until their next look at the outbox.
      this.options.wakeOthers().catch(() => undefined);
    }, delay);
  }

  /** Sends a wake-up still owed at once (close() calls it after idle()). */
  flushWake(): Promise<void> {
    if (!this.trailingWake) return Promise.resolve();
    clearTimeout(this.trailingWake);
    this.trailingWake = undefined;
    return this.options.wakeOthers().catch(() => undefined);
  }
}
