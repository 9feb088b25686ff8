import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSql } from './executor';
import { GroupCommit } from './group-commit';

let dir: string;
let db: Database.Database;
let commits: GroupCommit;
let sql: SqliteSql;
let committed: string[][];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
  db = new Database(join(dir, 'test.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
  sql = new SqliteSql(db, true);
  committed = [];
  commits = new GroupCommit(db, sql, (channels) => committed.push([...channels]));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (v: string) => async () => {
  await sql.run('INSERT INTO t (v) VALUES (?)', [v]);
  return v;
};
const count = () => (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;

describe('GroupCommit', () => {
  it('commits every write queued in one turn of the event loop in one transaction', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => commits.run(insert(`v${i}`))));
    expect(new Set(ids).size).toBe(50);
    expect(commits.stats).toEqual({ batches: 1, writes: 50, largestBatch: 50, reruns: 0 });
    await commits.run(insert('later'));
    expect(commits.stats.batches).toBe(2);
  });

  it('resolves only after the batch is committed (visible to another connection)', async () => {
    const reader = new Database(join(dir, 'test.sqlite'), { readonly: true });
    try {
      const pending = commits.run(insert('durable'));
      expect((reader.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(0);
      await pending;
      expect((reader.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(1);
    } finally {
      reader.close();
    }
  });

  it('a failing write is rolled back alone; the rest of its batch commits', async () => {
    const results = await Promise.allSettled([
      commits.run(insert('a')),
      commits.run(async () => {
        await insert('b')();
        await insert('a')(); // UNIQUE violation after a successful insert: both must go
      }),
      commits.run(insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT v FROM t ORDER BY v').all()).toEqual([{ v: 'a' }, { v: 'c' }]);
    // Run without savepoints first, then once more with one per unit after the failure.
    expect(commits.stats).toMatchObject({ batches: 1, reruns: 1 });
  });

  it('issues no SAVEPOINT or RELEASE for a batch whose units all succeed', async () => {
    const statements: string[] = [];
    const traced = new Database(join(dir, 'test.sqlite'), { verbose: (text) => statements.push(String(text)) });
    try {
      const tracedSql = new SqliteSql(traced, true);
      const tracedCommits = new GroupCommit(traced, tracedSql, () => undefined);
      const add = (v: string) => () => tracedSql.run('INSERT INTO t (v) VALUES (?)', [v]);
      await Promise.all([tracedCommits.run(add('p')), tracedCommits.run(add('q'))]);
      expect(statements.filter((text) => /SAVEPOINT|RELEASE/.test(text))).toEqual([]);
      expect(tracedCommits.stats).toMatchObject({ batches: 1, writes: 2, reruns: 0 });
    } finally {
      traced.close();
    }
  });

  it('rolls back a failing unit that is alone in its batch without running it again', async () => {
    let runs = 0;
    const failing = commits.run(async () => {
      runs += 1;
      await insert('alone')();
      throw new Error('refused after writing');
    });
    await expect(failing).rejects.toThrow('refused after writing');
    expect(runs).toBe(1);
    expect(count()).toBe(0);
    expect(commits.stats.reruns).toBe(0);
  });

  it('rejects every write of a batch whose commit fails, and acknowledges none', async () => {
    const blocker = new Database(join(dir, 'test.sqlite'));
    blocker.pragma('busy_timeout = 0');
    db.pragma('busy_timeout = 0');
    blocker.prepare('BEGIN IMMEDIATE').run(); // another writer holds the lock
    try {
      const results = await Promise.allSettled([commits.run(insert('x')), commits.run(insert('y'))]);
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
    } finally {
      blocker.prepare('ROLLBACK').run();
      blocker.close();
    }
    expect(count()).toBe(0);
    await commits.run(insert('after'));
    expect(count()).toBe(1);
  });

  it('refuses writes after close, having committed what was queued', async () => {
    const queued = commits.run(insert('last'));
    await commits.close();
    await expect(queued).resolves.toBeDefined();
    await expect(commits.run(insert('too late'))).rejects.toThrow(/closed/);
    expect(count()).toBe(1);
  });
});

describe('GroupCommit notifications', () => {
  it("announces a unit's channels once its batch committed, and never those of a unit that failed", async () => {
    await Promise.all([
      commits.run(async () => {
        await insert('n1')();
        sql.notify('outbox');
      }),
      commits
        .run(async () => {
          sql.notify('delivery_state');
          throw new Error('rolled back');
        })
        .catch(() => undefined),
    ]);
    expect(committed).toEqual([['outbox']]);
  });

  it('queues units that arrive while a batch is committing into the next batch', async () => {
    const first = commits.run(async () => {
      await insert('x1')();
      // Arrives mid-batch: must not join the transaction already being committed.
      void commits.run(insert('x2'));
      return 'first';
    });
    await first;
    await commits.flush();
    expect(count()).toBe(2);
    expect(commits.stats.batches).toBe(2);
  });
});
