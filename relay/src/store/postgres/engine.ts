/**
 * The PostgreSQL engine: several relays share one queue. Leases live in the outbox
 * (`FOR UPDATE SKIP LOCKED`, `lease_until`, a `claim_id` that fences a stale relay's late
 * write), wake-ups travel by LISTEN/NOTIFY, and every commit is `synchronous_commit = on`.
 *
 * `pg` is loaded by `open()` (a dynamic import), so a SQLite relay never loads it.
 */
import type { Client, ClientConfig, Pool } from 'pg';
import { EventEmitter } from 'node:events';
import { createRepos } from '../repos';
import type { StoreChannel } from '../sql';
import { newSignupRow } from '../repos/signups';
import {
  BackupNotSupported,
  type AcceptResult,
  type AttemptRecord,
  type Claim,
  type DeliveryNext,
  type NewSignup,
  type Repos,
  type SignupRow,
  type Store,
} from '../types';
import { AcceptBatcher } from './accept';
import { PgSql, pgChannel, queryPrepared } from './executor';
import { migratePostgres } from './migrate';

type PgModule = (typeof import('pg'))['default'];

export interface PostgresStoreOptions {
  /** Connections in this relay's pool (default 10). */
  poolSize?: number;
  /** Told about connection trouble (never personal data). */
  warn?: (fields: Record<string, unknown>, message: string) => void;
}

/** Unique violation, serialization failure, deadlock: the unit lost a race; run it again. */
const RETRYABLE = new Set(['23505', '40001', '40P01']);
const MAX_RUNS = 4;
const BEGIN = 'BEGIN; SET LOCAL synchronous_commit = on';
const CHANNELS: StoreChannel[] = ['outbox', 'delivery_state'];

/** int8 (COUNT, epoch ms) and numeric (SUM) as JavaScript numbers: every value the relay stores fits. */
function typeParsers(pg: PgModule): NonNullable<ClientConfig['types']> {
  const asNumber = (value: string) => Number(value);
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 20 || oid === 1700 ? asNumber : pg.types.getTypeParser(oid, format)) as NonNullable<ClientConfig['types']>['getTypeParser'],
  };
}

export class PostgresStore implements Store {
  readonly engine = 'postgres';
  readonly read: Repos;
  private readonly events = new EventEmitter();
  private listener: Client | null = null;
  private listenerRetryMs = 250;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly batcher: AcceptBatcher;
  /** Accept statements and the rows they stored (tests check the batching with them). */
  readonly acceptStats: AcceptBatcher['stats'];

  private constructor(
    private readonly pg: PgModule,
    private readonly pool: Pool,
    private readonly config: ClientConfig,
    private readonly warn: NonNullable<PostgresStoreOptions['warn']>,
    poolSize: number,
  ) {
    this.read = createRepos(new PgSql(pool, null));
    this.batcher = new AcceptBatcher({
      pool,
      acceptOne: (input) => this.transaction((tx) => tx.signups.accept(input)),
      // Two out at once: while one commits the next batch fills. More made smaller batches and
      // fewer accepts/s on the bench (2 relays: 3,900/s at 2, 3,500/s at 5).
      maxInFlight: Math.min(2, poolSize),
      wakeOthers: async () => {
        await pool.query(`SELECT pg_notify('${pgChannel('outbox')}', '')`);
      },
    });
    this.acceptStats = this.batcher.stats;
    this.events.setMaxListeners(0);
  }

  static async open(databaseUrl: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pg = (await import('pg')).default;
    const config: ClientConfig = { connectionString: databaseUrl, types: typeParsers(pg), connectionTimeoutMillis: 10_000 };
    const poolSize = options.poolSize ?? 10;
    const pool = new pg.Pool({ ...config, max: poolSize, idleTimeoutMillis: 30_000 });
    const warn = options.warn ?? (() => undefined);
    // An idle connection that drops must not crash the process; the next query reconnects.
    pool.on('error', (error) => warn({ code: (error as { code?: string }).code }, 'postgres: an idle connection failed'));
    const store = new PostgresStore(pg, pool, config, warn, poolSize);
    try {
      await migratePostgres(pool);
      await store.listen();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async transaction<T>(unit: (tx: Repos) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      for (let run = 1; ; run++) {
        const sql = new PgSql(client, new Set());
        try {
          // A 2xx means committed: a server (or role) default of synchronous_commit=off must not
          // weaken that. SET LOCAL in the same round trip as BEGIN also works behind poolers.
          await client.query(BEGIN);
          const result = await unit(createRepos(sql));
          // Notifications (delivered at commit) and COMMIT in one round trip: channel names are constants.
          const notify = [...sql.notified!].map((channel) => `SELECT pg_notify('${pgChannel(channel)}', '');`).join(' ');
          await client.query(`${notify} COMMIT`);
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          if (broken || run >= MAX_RUNS || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
        }
      }
    } finally {
      client.release(broken);
    }
  }

  accept(input: NewSignup): Promise<AcceptResult> {
    return this.batcher.accept(input, newSignupRow(input));
  }

  async claimDue(now: number, limit: number, leaseMs: number): Promise<Claim[]> {
    if (limit <= 0) return [];
    // One round trip: lease the rows and read their signups (a delivery slot waits for it).
    const { rows } = await queryPrepared<SignupRow & { lease_claim_id: string; lease_due_at: number; lease_until_at: number }>(this.pool, {
      name: 'vantio_claim_due',
      text: `WITH leased AS (
         UPDATE outbox SET claim_id = gen_random_uuid()::text, lease_until = $2
         WHERE signup_id IN (
           SELECT signup_id FROM outbox
           WHERE due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
           ORDER BY due_at, signup_id LIMIT $3
           FOR UPDATE SKIP LOCKED)
         RETURNING signup_id, claim_id, due_at, lease_until)
       SELECT s.*, l.claim_id AS lease_claim_id, l.due_at AS lease_due_at, l.lease_until AS lease_until_at
       FROM leased l JOIN signups s ON s.id = l.signup_id
       ORDER BY l.due_at, l.signup_id`,
      values: [now, now + leaseMs, limit],
    });
    // A row whose signup was erased meanwhile is not joined: nothing to send (its outbox row went with it).
    return rows.map(({ lease_claim_id: claimId, lease_due_at: dueAt, lease_until_at: leaseUntil, ...signup }) => ({
      signup,
      claimId,
      dueAt,
      leaseUntil,
    }));
  }

  async nextDueAt(now: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ due: number | null; lease: number | null }>(
      `SELECT (SELECT MIN(due_at) FROM outbox WHERE lease_until IS NULL OR lease_until <= $1) AS due,
              (SELECT MIN(lease_until) FROM outbox WHERE lease_until > $1) AS lease`,
      [now],
    );
    const { due, lease } = rows[0]!;
    if (due === null) return lease;
    return lease === null ? due : Math.min(due, lease);
  }

  recordDelivery(claim: Claim, attempt: AttemptRecord, next: DeliveryNext, now: number): Promise<'recorded' | 'stale'> {
    const id = claim.signup.id;
    return this.transaction(async (tx) => {
      const row = await tx.sql.get<{ claim_id: string | null }>('SELECT claim_id FROM outbox WHERE signup_id = ? FOR UPDATE', [id]);
      if (row?.claim_id !== claim.claimId) {
        // Another relay took the row over (our lease expired): keep the attempt, change nothing else.
        await tx.signups.recordAttempt(id, attempt);
        return 'stale' as const;
      }
      await tx.signups.recordOutcome(id, attempt, next, now);
      if (next.state === 'queued') tx.sql.notify('outbox');
      return 'recorded' as const;
    });
  }

  async releaseClaim(claim: Claim): Promise<void> {
    await this.transaction(async (tx) => {
      const released = await tx.sql.run('UPDATE outbox SET claim_id = NULL, lease_until = NULL WHERE signup_id = ? AND claim_id = ?', [
        claim.signup.id,
        claim.claimId,
      ]);
      if (released > 0) tx.sql.notify('outbox');
    });
  }

  subscribe(channel: StoreChannel, listener: () => void): () => void {
    this.events.on(channel, listener);
    return () => this.events.off(channel, listener);
  }

  /** One dedicated connection LISTENs for every relay's commits; it reconnects with backoff. */
  private async listen(): Promise<void> {
    const client = new this.pg.Client(this.config);
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = null;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.warn({ code: (error as { code?: string } | undefined)?.code, retry_ms: this.listenerRetryMs }, 'postgres: wake-up connection lost; reconnecting');
      this.scheduleListen();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      const channel = CHANNELS.find((candidate) => pgChannel(candidate) === message.channel);
      if (channel) this.events.emit(channel);
    });
    try {
      await client.connect();
      for (const channel of CHANNELS) await client.query(`LISTEN ${pgChannel(channel)}`);
    } catch (error) {
      client.removeAllListeners();
      await client.end().catch(() => undefined);
      throw error;
    }
    this.listener = client;
    this.listenerRetryMs = 250;
  }

  private scheduleListen(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.listen()
        .then(() => {
          // Notifications sent while disconnected are gone: everyone re-reads once.
          for (const channel of CHANNELS) this.events.emit(channel);
        })
        .catch((error: { code?: string }) => {
          if (this.closed) return;
          this.listenerRetryMs = Math.min(this.listenerRetryMs * 2, 10_000);
          this.warn({ code: error?.code, retry_ms: this.listenerRetryMs }, 'postgres: wake-up connection failed; retrying');
          this.scheduleListen();
        });
    }, this.listenerRetryMs);
    this.reconnectTimer.unref?.();
  }

  async probeWritable(): Promise<void> {
    await this.transaction((tx) => tx.meta.set('readyz_probe', String(Date.now())));
  }

  async backupTo(): Promise<void> {
    throw new BackupNotSupported('PostgreSQL');
  }

  async close(): Promise<void> {
    await this.batcher.idle();
    await this.batcher.flushWake();
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}
