import { describe, expect, it } from 'vitest';
import { migrationsFor } from './migrate';

describe('migrations', () => {
  it('has the same migration names for both engines, so both schemas move in step', () => {
    const sqlite = migrationsFor('sqlite').map((migration) => migration.name);
    const postgres = migrationsFor('postgres').map((migration) => migration.name);
    expect(sqlite.length).toBeGreaterThan(0);
    expect(postgres).toEqual(sqlite);
  });
});

describe('040_held on SQLite', () => {
  it('rebuilds signups keeping every row and its outbox, attempts and keys, and accepts the held state', async () => {
    const Database = (await import('better-sqlite3')).default;
    const { migrateSqlite } = await import('./migrate');
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    const all = migrationsFor('sqlite');
    migrateSqlite(db, all.filter((migration) => migration.name < '040'));
    db.exec(`INSERT INTO signups (id, source, state, impression_id, email, upstream_key, created_at, updated_at, client_key)
             VALUES ('sgn_1', 'widget', 'queued', 'imp_1', 'a@example.edu', 'up_1', 1, 1, 'widget:k1'),
                    ('sgn_2', 'api', 'delivered', 'imp_1', 'b@example.edu', 'up_2', 2, 2, NULL);
             INSERT INTO outbox (signup_id, due_at) VALUES ('sgn_1', 5);
             INSERT INTO attempts (signup_id, started_at, duration_ms, outcome) VALUES ('sgn_2', 3, 10, 'created');
             INSERT INTO duplicate_keys (client_key, signup_id, request_hash, created_at) VALUES ('api:k2', 'sgn_2', 'h', 4);`);
    expect(migrateSqlite(db, all)).toContain('040_held.sql');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT id, state FROM signups ORDER BY id').all()).toEqual([
      { id: 'sgn_1', state: 'queued' },
      { id: 'sgn_2', state: 'delivered' },
    ]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM attempts').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM duplicate_keys').get()).toEqual({ n: 1 });
    db.exec(`INSERT INTO signups (id, source, state, impression_id, upstream_key, created_at, updated_at, held_reason, held_signals)
             VALUES ('sgn_3', 'widget', 'held', 'imp_1', 'up_3', 6, 6, 'honeypot', '{}')`);
    expect(() => db.exec("UPDATE signups SET state = 'bogus' WHERE id = 'sgn_3'")).toThrow(/CHECK/);
    // The foreign keys still cascade from the rebuilt table.
    db.exec("DELETE FROM signups WHERE id = 'sgn_2'");
    expect(db.prepare('SELECT COUNT(*) AS n FROM attempts').get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'signups' AND name LIKE 'signups_%' ORDER BY name").all())
      .toEqual([{ name: 'signups_client_key' }, { name: 'signups_created_id' }, { name: 'signups_retention' }, { name: 'signups_state_created' }]);
  });
});
