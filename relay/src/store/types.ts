/**
 * The storage interface. All SQL lives behind it: the SQLite store is the zero-setup
 * default; a PostgreSQL store (leasing outbox rows with FOR UPDATE SKIP LOCKED) can
 * implement the same interface when several relays must share one queue.
 */
import type { TReferral, TSignupState } from '@vantio/shared';

export interface SignupRow {
  id: string;
  source: string;
  state: TSignupState;
  impression_id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  email_norm: string | null;
  profile_picture: string | null;
  /** JSON text of an object, or null. */
  metadata: string | null;
  client_key: string | null;
  request_hash: string | null;
  upstream_key: string;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
  attempts: number;
  failures: number;
  last_error: string | null;
  referral_id: string | null;
  program_id: string | null;
  student_id: string | null;
  referral_status: string | null;
}

export interface AttemptRow {
  id: number;
  signup_id: string;
  started_at: number;
  duration_ms: number;
  outcome: 'created' | 'rejected' | 'unauthorized' | 'misconfigured' | 'mismatched' | 'retryable';
  http_status: number | null;
  error: string | null;
}

export interface NewSignup {
  id: string;
  source: string;
  impressionId: string;
  firstName: string;
  lastName: string;
  email: string;
  emailNorm: string;
  profilePicture?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  clientKey?: string | undefined;
  requestHash: string | null;
  upstreamKey: string;
  now: number;
}

export type AcceptResult =
  /** Stored with its outbox row: a new signup. */
  | { kind: 'created'; signup: SignupRow }
  /** The same person on the same impression was already stored. */
  | { kind: 'duplicate'; signup: SignupRow }
  /** The same client idempotency key with the same body: the same answer again. */
  | { kind: 'replayed'; signup: SignupRow }
  /** The same client idempotency key with another body. */
  | { kind: 'key_conflict'; signup: SignupRow };

/** A signup the forwarder has claimed and must deliver. */
export interface DueDelivery {
  signup: SignupRow;
  dueAt: number;
}

export interface AttemptRecord {
  startedAt: number;
  durationMs: number;
  outcome: AttemptRow['outcome'];
  httpStatus: number | null;
  error: string | null;
}

export type DeliveryNext =
  | { state: 'delivered'; referral: TReferral }
  | { state: 'rejected'; error: string }
  | { state: 'dead'; error: string }
  /** Back in the queue; `countsAsFailure` advances the retry schedule. */
  | { state: 'queued'; dueAt: number; countsAsFailure: boolean; error: string | null };

export type StateCounts = Record<TSignupState, number>;

export interface Store {
  /** Durably stores a signup and its outbox row (group-committed), or finds its twin. */
  acceptSignup(input: NewSignup): Promise<AcceptResult>;
  /** Records one upstream attempt and the signup's next state, in one transaction. */
  recordDelivery(signupId: string, attempt: AttemptRecord, next: DeliveryNext, now: number): Promise<void>;
  /** Adds to a durable counter (e.g. `bots`). */
  incrementCounter(name: string, by?: number): Promise<void>;
  /** Puts a signup back in the queue, due at `dueAt` (admin retry/replay). */
  requeue(signupId: string, dueAt: number, now: number): Promise<boolean>;

  /** Outbox rows due by `now`, oldest first, skipping ids already in flight. */
  claimDue(now: number, limit: number, inFlight: ReadonlySet<string>): DueDelivery[];
  /** When the next not-in-flight outbox row falls due, or null when the outbox is empty. */
  nextDueAt(inFlight: ReadonlySet<string>): number | null;

  getSignup(id: string): SignupRow | undefined;
  listAttempts(signupId: string): AttemptRow[];
  countByState(): StateCounts;
  getCounter(name: string): number;
  getFlag(name: string): string | undefined;
  setFlag(name: string, value: string | null): Promise<void>;
  /** Throws when the database cannot take a write lock. */
  checkWritable(): void;
  /**
   * A real small write (durable, like a signup's), plus free disk space where the engine can
   * tell; rejects with the reason when either fails. For /readyz, which caches the result.
   */
  probeWritable(): Promise<void>;
  close(): void;
}
