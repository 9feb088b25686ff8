/**
 * The SQLite engine: one file, WAL, `synchronous=FULL`, group commit. One process owns the
 * file, so leases live in memory: a crash forgets them and the next start delivers the
 * rows again with the same upstream key.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LowDiskSpaceError } from '../errors';
import { migrateSqlite } from '../migrate';
import { createRepos } from '../repos';
import type { StoreChannel } from '../sql';
import type { AcceptResult, AttemptRecord, Claim, DeliveryNext, NewSignup, Repos, SignupRow, Store } from '../types';
import { SqliteSql } from './executor';
import { GroupCommit } from './group-commit';

function openConnection(path: string, readonly: boolean): Database.Database {
  const db = new Database(path, { readonly, fileMustExist: readonly });
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // Savepoint and statement journals in memory, not in temp files (measured: a fifth of an accept's SQL).
    db.pragma('temp_store = MEMORY');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

export interface SqliteStoreOptions {
  /** probeWritable() fails when the database's file system has less free space than this. */
  minFreeDiskBytes?: number;
}

export class SqliteStore implements Store {
  readonly engine = 'sqlite';
  readonly read: Repos;
  /** Group-commit statistics (tests check the batching with them). */
  readonly commitStats: GroupCommit['stats'];
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly writeSql: SqliteSql;
  private readonly readSql: SqliteSql;
  private readonly tx: Repos;
  private readonly commits: GroupCommit;
  private readonly events = new EventEmitter();
  /** Leased outbox rows: signup id → claim. */
  private readonly leases = new Map<string, { claimId: string; leaseUntil: number }>();

  private constructor(
    readonly path: string,
    private readonly options: SqliteStoreOptions,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.writer = openConnection(path, false);
    migrateSqlite(this.writer);
    // Reads get their own connection: they see committed data only, never a batch in progress.
    this.reader = path === ':memory:' ? this.writer : openConnection(path, true);
    this.writeSql = new SqliteSql(this.writer, true);
    this.readSql = new SqliteSql(this.reader, false);
    this.tx = createRepos(this.writeSql);
    this.read = createRepos(this.readSql);
    this.commits = new GroupCommit(this.writer, this.writeSql, (channels) => {
      for (const channel of channels) this.events.emit(channel);
    });
    this.commitStats = this.commits.stats;
    this.events.setMaxListeners(0);
  }

  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    return new SqliteStore(path, options);
  }

  transaction<T>(unit: (tx: Repos) => Promise<T>): Promise<T> {
    return this.commits.run(() => unit(this.tx));
  }

  accept(input: NewSignup): Promise<AcceptResult> {
    return this.transaction((tx) => tx.signups.accept(input));
  }

  async claimDue(now: number, limit: number, leaseMs: number): Promise<Claim[]> {
    if (limit <= 0) return [];
    const rows = await this.readSql.all<SignupRow & { outbox_due_at: number }>(
      `SELECT s.*, o.due_at AS outbox_due_at FROM outbox o JOIN signups s ON s.id = o.signup_id
       WHERE o.due_at <= ? ORDER BY o.due_at, o.signup_id LIMIT ?`,
      [now, limit + this.leases.size],
    );
    const claims: Claim[] = [];
    for (const { outbox_due_at: dueAt, ...signup } of rows) {
      const lease = this.leases.get(signup.id);
      if (lease && lease.leaseUntil > now) continue;
      const claim = { signup, claimId: randomUUID(), dueAt, leaseUntil: now + leaseMs };
      this.leases.set(signup.id, { claimId: claim.claimId, leaseUntil: claim.leaseUntil });
      claims.push(claim);
      if (claims.length === limit) break;
    }
    return claims;
  }

  async nextDueAt(now: number): Promise<number | null> {
    const rows = await this.readSql.all<{ signup_id: string; due_at: number }>(
      'SELECT signup_id, due_at FROM outbox ORDER BY due_at, signup_id LIMIT ?',
      [this.leases.size + 1],
    );
    let next: number | null = null;
    for (const row of rows) {
      const lease = this.leases.get(row.signup_id);
      const at = lease && lease.leaseUntil > now ? lease.leaseUntil : row.due_at;
      next = next === null ? at : Math.min(next, at);
    }
    return next;
  }

  async recordDelivery(claim: Claim, attempt: AttemptRecord, next: DeliveryNext, now: number): Promise<'recorded' | 'stale'> {
    const id = claim.signup.id;
    const current = this.leases.get(id)?.claimId === claim.claimId;
    try {
      await this.transaction(async (tx) => {
        if (current) await tx.signups.recordOutcome(id, attempt, next, now);
        else await tx.signups.recordAttempt(id, attempt);
      });
    } finally {
      if (current) this.leases.delete(id);
    }
    return current ? 'recorded' : 'stale';
  }

  async releaseClaim(claim: Claim): Promise<void> {
    if (this.leases.get(claim.signup.id)?.claimId === claim.claimId) this.leases.delete(claim.signup.id);
  }

  subscribe(channel: StoreChannel, listener: () => void): () => void {
    this.events.on(channel, listener);
    return () => this.events.off(channel, listener);
  }

  async probeWritable(): Promise<void> {
    await this.transaction((tx) => tx.meta.set('readyz_probe', String(Date.now())));
    // SQLite reuses WAL space after a checkpoint, so that small write can succeed on a full disk.
    const minFree = this.options.minFreeDiskBytes ?? 0;
    if (minFree <= 0 || this.path === ':memory:') return;
    const { bavail, bsize } = await statfs(dirname(this.path));
    if (bavail * bsize < minFree) throw new LowDiskSpaceError(bavail * bsize, minFree);
  }

  async backupTo(destination: string): Promise<void> {
    await this.writer.backup(destination);
  }

  async close(): Promise<void> {
    await this.commits.close();
    if (this.reader !== this.writer) this.reader.close();
    this.writer.close();
  }
}
