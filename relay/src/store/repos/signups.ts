/**
 * Signups, their outbox rows and their attempt history: the accept path and the outcome of
 * each delivery. Written once for both engines (see ../sql.ts).
 */
import { SIGNUP_STATES, type TSignupState } from '@vantio/shared';
import { placeholders, type Sql, type SqlValue } from '../sql';
import type {
  AcceptResult,
  AttemptRecord,
  AttemptRow,
  DeliveryNext,
  NewSignup,
  SignupRow,
  StateCounts,
} from '../types';

export const emptyCounts = (): StateCounts =>
  Object.fromEntries(SIGNUP_STATES.map((state) => [state, 0])) as StateCounts;

/** Puts a signup (back) in the outbox, unclaimed, due at `due_at`. */
export const UPSERT_OUTBOX = `INSERT INTO outbox (signup_id, due_at) VALUES (?, ?)
  ON CONFLICT (signup_id) DO UPDATE SET due_at = excluded.due_at, claim_id = NULL, lease_until = NULL`;

export class SignupRepo {
  constructor(private readonly sql: Sql) {}

  /** Stores a signup and its outbox row, or finds its twin (same key, or same person and impression). */
  async accept(input: NewSignup): Promise<AcceptResult> {
    const { sql } = this;
    if (input.clientKey !== undefined) {
      const keyed = await sql.get<SignupRow>('SELECT * FROM signups WHERE client_key = ?', [input.clientKey]);
      if (keyed) return { kind: keyed.request_hash === input.requestHash ? 'replayed' : 'key_conflict', signup: keyed };
      const bound = await sql.get<SignupRow & { key_request_hash: string }>(
        `SELECT s.*, d.request_hash AS key_request_hash FROM duplicate_keys d JOIN signups s ON s.id = d.signup_id
         WHERE d.client_key = ?`,
        [input.clientKey],
      );
      if (bound) {
        const { key_request_hash: keyHash, ...signup } = bound;
        // The same answer as the first time (duplicate), or 422 for another body.
        return { kind: keyHash === input.requestHash ? 'duplicate' : 'key_conflict', signup };
      }
    }
    const twin = await sql.get<SignupRow>('SELECT * FROM signups WHERE upstream_key = ?', [input.upstreamKey]);
    if (twin) {
      if (input.clientKey !== undefined && input.requestHash !== null) {
        await sql.run('INSERT INTO duplicate_keys (client_key, signup_id, request_hash, created_at) VALUES (?, ?, ?, ?)', [
          input.clientKey,
          twin.id,
          input.requestHash,
          input.now,
        ]);
      }
      return { kind: 'duplicate', signup: twin };
    }
    const signup = newSignupRow(input);
    await sql.run(INSERT_SIGNUP, signupInsertValues(signup));
    // A held signup gets no outbox row: nothing forwards it until an admin releases it.
    if (signup.state === 'held') return { kind: 'created', signup };
    await sql.run('INSERT INTO outbox (signup_id, due_at) VALUES (?, ?)', [input.id, input.now]);
    sql.notify('outbox');
    return { kind: 'created', signup };
  }

  get(id: string): Promise<SignupRow | undefined> {
    return this.sql.get<SignupRow>('SELECT * FROM signups WHERE id = ?', [id]);
  }

  attempts(signupId: string): Promise<AttemptRow[]> {
    return this.sql.all<AttemptRow>('SELECT * FROM attempts WHERE signup_id = ? ORDER BY started_at, id', [signupId]);
  }

  async countByState(): Promise<StateCounts> {
    const counts = emptyCounts();
    for (const row of await this.sql.all<{ state: TSignupState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM signups GROUP BY state',
    )) {
      counts[row.state] = Number(row.n);
    }
    return counts;
  }

  async recordAttempt(signupId: string, attempt: AttemptRecord): Promise<void> {
    await this.sql.run(
      'INSERT INTO attempts (signup_id, started_at, duration_ms, outcome, http_status, error) VALUES (?, ?, ?, ?, ?, ?)',
      [signupId, attempt.startedAt, attempt.durationMs, attempt.outcome, attempt.httpStatus, attempt.error],
    );
  }

  /** The attempt and the signup's next state; the caller has checked its claim is still current. */
  async recordOutcome(signupId: string, attempt: AttemptRecord, next: DeliveryNext, now: number): Promise<void> {
    const { sql } = this;
    await this.recordAttempt(signupId, attempt);
    switch (next.state) {
      case 'delivered':
        await sql.run(
          `UPDATE signups SET state = 'delivered', attempts = attempts + 1, updated_at = ?, delivered_at = ?,
             last_error = NULL, referral_id = ?, program_id = ?, student_id = ?, referral_status = ? WHERE id = ?`,
          [now, now, next.referral.id, next.referral.program_id, next.referral.student_id, next.referral.status, signupId],
        );
        await sql.run('DELETE FROM outbox WHERE signup_id = ?', [signupId]);
        return;
      case 'rejected':
      case 'dead':
        await this.finish(signupId, next.state, next.state === 'dead' ? 1 : 0, now, next.error);
        await sql.run('DELETE FROM outbox WHERE signup_id = ?', [signupId]);
        return;
      case 'queued':
        await this.finish(signupId, 'queued', next.countsAsFailure ? 1 : 0, now, next.error);
        await sql.run(UPSERT_OUTBOX, [signupId, next.dueAt]);
        return;
    }
  }

  private async finish(id: string, state: TSignupState, failed: number, now: number, error: string | null) {
    await this.sql.run(
      `UPDATE signups SET state = ?, attempts = attempts + 1, failures = failures + ?, updated_at = ?, last_error = ?
       WHERE id = ?`,
      [state, failed, now, error, id],
    );
  }
}

/** The columns a new signup's INSERT writes (the rest keep their defaults). */
export const SIGNUP_INSERT_COLUMNS = [
  'id', 'source', 'state', 'impression_id', 'first_name', 'last_name', 'email', 'email_norm', 'profile_picture', 'metadata',
  'client_key', 'request_hash', 'upstream_key', 'created_at', 'updated_at', 'held_reason', 'held_signals',
] as const satisfies readonly (keyof SignupRow)[];

const INSERT_SIGNUP = `INSERT INTO signups (${SIGNUP_INSERT_COLUMNS.join(', ')}) VALUES (${placeholders(SIGNUP_INSERT_COLUMNS.length)})`;

/** The values for SIGNUP_INSERT_COLUMNS, in order. */
export const signupInsertValues = (signup: SignupRow): SqlValue[] => SIGNUP_INSERT_COLUMNS.map((column) => signup[column]);

/** The row the insert writes, built here rather than read back (one query less per accept). */
export function newSignupRow(input: NewSignup): SignupRow {
  return {
    id: input.id,
    source: input.source,
    state: input.hold ? 'held' : 'queued',
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
    held_reason: input.hold?.reason ?? null,
    held_signals: input.hold ? JSON.stringify(input.hold.signals) : null,
  };
}
