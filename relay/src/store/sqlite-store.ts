import type { TSignupState } from '@vantio/shared';
import { SIGNUP_STATES } from '@vantio/shared';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SqliteDatabase } from './database';
import { openDatabase } from './database';
import { LowDiskSpaceError } from './errors';
import { GroupCommit } from './group-commit';
import type {
  AcceptResult,
  AttemptRecord,
  AttemptRow,
  DeliveryNext,
  DueDelivery,
  NewSignup,
  SignupRow,
  StateCounts,
  Store,
} from './types';

/** The SQLite store. Single process: the forwarder's claims live in memory, so a crash
 * simply leaves rows in the outbox and the next start delivers them again (same key). */
export class SqliteStore implements Store {
  readonly commits: GroupCommit;
  private readonly sql;

  constructor(
    readonly db: SqliteDatabase,
    private readonly options: SqliteStoreOptions = {},
  ) {
    this.commits = new GroupCommit(db);
    this.sql = {
      byClientKey: db.prepare('SELECT * FROM signups WHERE client_key = ?'),
      byUpstreamKey: db.prepare('SELECT * FROM signups WHERE upstream_key = ?'),
      duplicateKey: db.prepare(
        'SELECT s.*, d.request_hash AS key_request_hash FROM duplicate_keys d JOIN signups s ON s.id = d.signup_id WHERE d.client_key = ?',
      ),
      insertDuplicateKey: db.prepare(
        'INSERT INTO duplicate_keys (client_key, signup_id, request_hash, created_at) VALUES (?, ?, ?, ?)',
      ),
      byId: db.prepare('SELECT * FROM signups WHERE id = ?'),
      insertSignup: db.prepare(
        `INSERT INTO signups (id, source, state, impression_id, first_name, last_name, email, email_norm,
           profile_picture, metadata, client_key, request_hash, upstream_key, created_at, updated_at)
         VALUES (@id, @source, 'queued', @impressionId, @firstName, @lastName, @email, @emailNorm,
           @profilePicture, @metadata, @clientKey, @requestHash, @upstreamKey, @now, @now)`,
      ),
      insertOutbox: db.prepare('INSERT INTO outbox (signup_id, due_at) VALUES (?, ?)'),
      upsertOutbox: db.prepare(
        'INSERT INTO outbox (signup_id, due_at) VALUES (?, ?) ON CONFLICT (signup_id) DO UPDATE SET due_at = excluded.due_at',
      ),
      deleteOutbox: db.prepare('DELETE FROM outbox WHERE signup_id = ?'),
      insertAttempt: db.prepare(
        `INSERT INTO attempts (signup_id, started_at, duration_ms, outcome, http_status, error)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      delivered: db.prepare(
        `UPDATE signups SET state = 'delivered', attempts = attempts + 1, updated_at = @now, delivered_at = @now,
           last_error = NULL, referral_id = @referralId, program_id = @programId, student_id = @studentId,
           referral_status = @status WHERE id = @id`,
      ),
      finished: db.prepare(
        `UPDATE signups SET state = @state, attempts = attempts + 1, failures = failures + @failed,
           updated_at = @now, last_error = @error WHERE id = @id`,
      ),
      requeue: db.prepare(
        `UPDATE signups SET state = 'queued', failures = 0, updated_at = ? WHERE id = ? AND state != 'delivered'`,
      ),
      due: db.prepare(
        `SELECT s.*, o.due_at AS outbox_due_at FROM outbox o JOIN signups s ON s.id = o.signup_id
         WHERE o.due_at <= ? ORDER BY o.due_at, o.signup_id LIMIT ?`,
      ),
      nextDue: db.prepare('SELECT signup_id, due_at FROM outbox ORDER BY due_at, signup_id LIMIT ?'),
      attempts: db.prepare('SELECT * FROM attempts WHERE signup_id = ? ORDER BY started_at, id'),
      countByState: db.prepare('SELECT state, COUNT(*) AS n FROM signups GROUP BY state'),
      getMeta: db.prepare('SELECT value FROM relay_meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO relay_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      deleteMeta: db.prepare('DELETE FROM relay_meta WHERE key = ?'),
      addCounter: db.prepare(
        `INSERT INTO relay_meta (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + CAST(excluded.value AS INTEGER)`,
      ),
    };
  }

  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    return new SqliteStore(openDatabase(path), options);
  }

  acceptSignup(input: NewSignup): Promise<AcceptResult> {
    return this.commits.run(() => this.acceptNow(input));
  }

  private acceptNow(input: NewSignup): AcceptResult {
    if (input.clientKey !== undefined) {
      const keyed = this.sql.byClientKey.get(input.clientKey) as SignupRow | undefined;
      if (keyed) return { kind: keyed.request_hash === input.requestHash ? 'replayed' : 'key_conflict', signup: keyed };
      const bound = this.sql.duplicateKey.get(input.clientKey) as (SignupRow & { key_request_hash: string }) | undefined;
      if (bound) {
        const { key_request_hash: keyHash, ...signup } = bound;
        // The same answer as the first time (duplicate), or 422 for another body.
        return { kind: keyHash === input.requestHash ? 'duplicate' : 'key_conflict', signup };
      }
    }
    const twin = this.sql.byUpstreamKey.get(input.upstreamKey) as SignupRow | undefined;
    if (twin) {
      if (input.clientKey !== undefined && input.requestHash !== null) {
        this.sql.insertDuplicateKey.run(input.clientKey, twin.id, input.requestHash, input.now);
      }
      return { kind: 'duplicate', signup: twin };
    }
    const signup = newSignupRow(input);
    this.sql.insertSignup.run({
      ...input,
      profilePicture: signup.profile_picture,
      metadata: signup.metadata,
      clientKey: signup.client_key,
    });
    this.sql.insertOutbox.run(input.id, input.now);
    return { kind: 'created', signup };
  }

  recordDelivery(signupId: string, attempt: AttemptRecord, next: DeliveryNext, now: number): Promise<void> {
    return this.commits.run(() => {
      this.sql.insertAttempt.run(
        signupId,
        attempt.startedAt,
        attempt.durationMs,
        attempt.outcome,
        attempt.httpStatus,
        attempt.error,
      );
      switch (next.state) {
        case 'delivered':
          this.sql.delivered.run({
            id: signupId,
            now,
            referralId: next.referral.id,
            programId: next.referral.program_id,
            studentId: next.referral.student_id,
            status: next.referral.status,
          });
          this.sql.deleteOutbox.run(signupId);
          break;
        case 'rejected':
        case 'dead':
          this.sql.finished.run({ id: signupId, state: next.state, failed: next.state === 'dead' ? 1 : 0, now, error: next.error });
          this.sql.deleteOutbox.run(signupId);
          break;
        case 'queued':
          this.sql.finished.run({ id: signupId, state: 'queued', failed: next.countsAsFailure ? 1 : 0, now, error: next.error });
          this.sql.upsertOutbox.run(signupId, next.dueAt);
          break;
      }
    });
  }

  incrementCounter(name: string, by = 1): Promise<void> {
    return this.commits.run(() => {
      this.sql.addCounter.run(`counter:${name}`, String(by));
    });
  }

  requeue(signupId: string, dueAt: number, now: number): Promise<boolean> {
    return this.commits.run(() => {
      if (this.sql.requeue.run(now, signupId).changes === 0) return false;
      this.sql.upsertOutbox.run(signupId, dueAt);
      return true;
    });
  }

  claimDue(now: number, limit: number, inFlight: ReadonlySet<string>): DueDelivery[] {
    if (limit <= 0) return [];
    const rows = this.sql.due.all(now, limit + inFlight.size) as (SignupRow & { outbox_due_at: number })[];
    const due: DueDelivery[] = [];
    for (const { outbox_due_at, ...signup } of rows) {
      if (inFlight.has(signup.id)) continue;
      due.push({ signup, dueAt: outbox_due_at });
      if (due.length === limit) break;
    }
    return due;
  }

  nextDueAt(inFlight: ReadonlySet<string>): number | null {
    const rows = this.sql.nextDue.all(inFlight.size + 1) as { signup_id: string; due_at: number }[];
    return rows.find((row) => !inFlight.has(row.signup_id))?.due_at ?? null;
  }

  getSignup(id: string): SignupRow | undefined {
    return this.sql.byId.get(id) as SignupRow | undefined;
  }

  listAttempts(signupId: string): AttemptRow[] {
    return this.sql.attempts.all(signupId) as AttemptRow[];
  }

  countByState(): StateCounts {
    const counts = Object.fromEntries(SIGNUP_STATES.map((state) => [state, 0])) as StateCounts;
    for (const row of this.sql.countByState.all() as { state: TSignupState; n: number }[]) counts[row.state] = row.n;
    return counts;
  }

  getCounter(name: string): number {
    return Number(this.getFlag(`counter:${name}`) ?? 0);
  }

  getFlag(name: string): string | undefined {
    return (this.sql.getMeta.get(name) as { value: string } | undefined)?.value;
  }

  setFlag(name: string, value: string | null): Promise<void> {
    return this.commits.run(() => {
      if (value === null) this.sql.deleteMeta.run(name);
      else this.sql.setMeta.run(name, value);
    });
  }

  async probeWritable(): Promise<void> {
    // A real write, through the same group commit and fsync as a signup.
    await this.setFlag(READY_PROBE_KEY, String(Date.now()));
    // SQLite can reuse WAL space after a checkpoint, so a small write can succeed on a full disk.
    const minFree = this.options.minFreeDiskBytes ?? 0;
    if (minFree <= 0 || this.db.memory) return;
    const { bavail, bsize } = await statfs(dirname(this.db.name));
    if (bavail * bsize < minFree) throw new LowDiskSpaceError(bavail * bsize, minFree);
  }

  checkWritable(): void {
    this.db.prepare('BEGIN IMMEDIATE').run();
    this.db.prepare('ROLLBACK').run();
  }

  close(): void {
    this.commits.close();
    this.db.close();
  }
}

export interface SqliteStoreOptions {
  /** probeWritable() fails when the database's file system has less free space than this. */
  minFreeDiskBytes?: number;
}

const READY_PROBE_KEY = 'readyz_probe';

/** The row `insertSignup` writes, built here rather than read back (one query less per accept). */
function newSignupRow(input: NewSignup): SignupRow {
  return {
    id: input.id,
    source: input.source,
    state: 'queued',
    impression_id: input.impressionId,
    first_name: input.firstName,
    last_name: input.lastName,
    email: input.email,
    email_norm: input.emailNorm,
    profile_picture: input.profilePicture ?? null,
    metadata: input.metadata === undefined ? null : JSON.stringify(input.metadata),
    client_key: input.clientKey ?? null,
    request_hash: input.requestHash,
    upstream_key: input.upstreamKey,
    created_at: input.now,
    updated_at: input.now,
    delivered_at: null,
    attempts: 0,
    failures: 0,
    last_error: null,
    referral_id: null,
    program_id: null,
    student_id: null,
    referral_status: null,
  };
}
