/**
 * The storage interface, one for both engines (see README.md beside this file): SQLite is
 * the zero-setup default; PostgreSQL lets several relays share one queue. Every module
 * outside `store/` sees only this interface; no module outside `store/` imports an engine.
 */
import type { TReferral, TSignupState } from '@vantio/shared';
import type { AdminRepo } from './repos/admin';
import type { MetaRepo } from './repos/meta';
import type { PageRepo } from './repos/pages';
import type { PictureRepo } from './repos/pictures';
import type { RefusedOriginRepo } from './repos/refused-origins';
import type { SignupRepo } from './repos/signups';
import type { StatsRepo } from './repos/stats';
import type { WebhookRepo } from './repos/webhooks';
import type { LinkRepo } from './repos/links';
import type { Sql, StoreChannel } from './sql';

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
  /** Why a suspected bot was held (honeypot, fill_time); kept after a release. */
  held_reason: string | null;
  /** JSON text of the signals the bot check saw, or null. */
  held_signals: string | null;
}

/** A suspected bot's verdict: the signup is stored `held`, with no outbox row. */
export interface Hold {
  reason: 'honeypot' | 'fill_time';
  signals: Record<string, unknown>;
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
  /** Store it held (a suspected bot) instead of queued. */
  hold?: Hold | undefined;
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

/** A signup one relay has leased and must deliver; `claimId` fences a stale relay's late write. */
export interface Claim {
  signup: SignupRow;
  claimId: string;
  dueAt: number;
  /** Another relay may take the row over after this (epoch ms). */
  leaseUntil: number;
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

/** The repositories, over one unit of work (`transaction`) or over committed data (`read`). */
export interface Repos {
  signups: SignupRepo;
  admin: AdminRepo;
  webhooks: WebhookRepo;
  /** Poster links for GET /go/:slug (repos/links.ts). */
  links: LinkRepo;
  meta: MetaRepo;
  stats: StatsRepo;
  /** Hosted signup pages (/join/:slug). */
  pages: PageRepo;
  /** Uploaded profile pictures and the signups that use them. */
  pictures: PictureRepo;
  refusedOrigins: RefusedOriginRepo;
  /** The same unit's raw SQL, for what no repository covers (tests, copying a database). */
  sql: Sql;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Reads of committed data (never a write: SQLite opens this connection read-only). */
  readonly read: Repos;
  /**
   * One unit of work: every write in `unit` commits durably (fsync'd / synchronous_commit)
   * before this resolves, or none does. SQLite group-commits the units of one event-loop
   * turn in one transaction (a savepoint each). `unit` must await only its `tx` calls and
   * may run more than once (PostgreSQL retries a unit that lost a uniqueness race), so it
   * has no side effects outside the database.
   */
  transaction<T>(unit: (tx: Repos) => Promise<T>): Promise<T>;
  /**
   * Exactly `transaction((tx) => tx.signups.accept(input))`: the accept path on its own, which
   * an engine may run faster (PostgreSQL stores a new signup in one statement, one round trip).
   */
  accept(input: NewSignup): Promise<AcceptResult>;

  /** Leases up to `limit` due outbox rows for `leaseMs`, oldest first, skipping rows leased by anyone. */
  claimDue(now: number, limit: number, leaseMs: number): Promise<Claim[]>;
  /** When the next outbox row can be claimed (due, or its lease expires), or null when none is waiting. */
  nextDueAt(now: number): Promise<number | null>;
  /**
   * Records one attempt and the signup's next state, fenced by the claim: if the lease was
   * lost (another relay took the row over), only the attempt is kept and 'stale' returned.
   */
  recordDelivery(claim: Claim, attempt: AttemptRecord, next: DeliveryNext, now: number): Promise<'recorded' | 'stale'>;
  /** Gives a claim back unrecorded (a delivery aborted at shutdown): the row is due again at once. */
  releaseClaim(claim: Claim): Promise<void>;
  /** Calls `listener` when any relay commits a change on `channel`; returns the unsubscribe. */
  subscribe(channel: StoreChannel, listener: () => void): () => void;

  /** Throws unless the database takes a real (tiny) write now and (where the engine can tell) its disk has room. */
  probeWritable(): Promise<void>;
  /** A consistent copy of the live database into `destination` (SQLite); PostgreSQL throws BackupNotSupported. */
  backupTo(destination: string): Promise<void>;
  close(): Promise<void>;
}

/** Backups of a PostgreSQL store are PostgreSQL's job (`pg_dump`, point-in-time recovery). */
export class BackupNotSupported extends Error {
  constructor(engine: string) {
    super(
      `Backups of a ${engine} relay database are made with the database's own tools: run pg_dump (e.g. ` +
        '`pg_dump --format=custom "$RELAY_DATABASE_URL" > relay.dump`) or use your provider\'s point-in-time recovery',
    );
    this.name = 'BackupNotSupported';
  }
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can): such a value is refused before it is sent,
 * and the HTTP layer answers 400, never a 500.
 */
export class UnstorableText extends Error {
  constructor() {
    super('Text containing a NUL character (U+0000) cannot be stored; remove it and send again');
    this.name = 'UnstorableText';
  }
}
