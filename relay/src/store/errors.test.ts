import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isStorageUnavailable } from './errors';

/** node-postgres' DatabaseError carries the SQLSTATE in `code`; its socket errors the errno. */
const pgError = (code: string, message = 'pg error') => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('isStorageUnavailable', () => {
  it('recognises real better-sqlite3 errors by their (extended) result code', () => {
    const sqlite = (code: string) => new Database.SqliteError('from sqlite', code);
    expect(isStorageUnavailable(sqlite('SQLITE_FULL'))).toEqual({ reason: 'full' });
    expect(isStorageUnavailable(sqlite('SQLITE_IOERR_WRITE'))).toEqual({ reason: 'io' });
    expect(isStorageUnavailable(sqlite('SQLITE_IOERR'))).toEqual({ reason: 'io' });
    expect(isStorageUnavailable(sqlite('SQLITE_READONLY_DBMOVED'))).toEqual({ reason: 'readonly' });
    expect(isStorageUnavailable(sqlite('SQLITE_BUSY_SNAPSHOT'))).toEqual({ reason: 'busy' });
    expect(isStorageUnavailable(sqlite('SQLITE_CANTOPEN'))).toEqual({ reason: 'unreachable' });
    expect(isStorageUnavailable(sqlite('SQLITE_CONSTRAINT_UNIQUE'))).toBeNull(); // a bug, not an outage
    expect(isStorageUnavailable(sqlite('SQLITE_FULLY_MADE_UP'))).toBeNull();
  });

  it('recognises a write to a read-only SQLite connection and a closed one, as SQLite raises them', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x)');
    db.pragma('query_only = ON');
    let readonly: unknown;
    try {
      db.exec('INSERT INTO t VALUES (1)');
    } catch (error) {
      readonly = error;
    }
    expect(isStorageUnavailable(readonly)).toEqual({ reason: 'readonly' });
    db.close();
    let closed: unknown;
    try {
      db.exec('SELECT 1');
    } catch (error) {
      closed = error;
    }
    expect(isStorageUnavailable(closed)).toEqual({ reason: 'closed' });
    expect(isStorageUnavailable(new Error('store is closed'))).toEqual({ reason: 'closed' });
  });

  it('recognises node-postgres SQLSTATEs and connection failures', () => {
    expect(isStorageUnavailable(pgError('53100'))).toEqual({ reason: 'full' });
    expect(isStorageUnavailable(pgError('53300'))).toEqual({ reason: 'busy' }); // too_many_connections
    expect(isStorageUnavailable(pgError('08006'))).toEqual({ reason: 'unreachable' });
    expect(isStorageUnavailable(pgError('08P01'))).toEqual({ reason: 'unreachable' });
    for (const code of ['57P01', '57P02', '57P03']) expect(isStorageUnavailable(pgError(code))).toEqual({ reason: 'unreachable' });
    expect(isStorageUnavailable(pgError('25006'))).toEqual({ reason: 'readonly' });
    expect(isStorageUnavailable(pgError('40001'))).toEqual({ reason: 'busy' });
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']) expect(isStorageUnavailable(pgError(code))).toEqual({ reason: 'unreachable' });
    expect(isStorageUnavailable(new Error('Connection terminated unexpectedly'))).toEqual({ reason: 'unreachable' });
    expect(isStorageUnavailable(new Error('timeout exceeded when trying to connect'))).toEqual({ reason: 'unreachable' });
    expect(isStorageUnavailable(new AggregateError([pgError('ECONNREFUSED')], 'connect failed'))).toEqual({ reason: 'unreachable' });
    expect(isStorageUnavailable(new Error('wrapped', { cause: pgError('53100') }))).toEqual({ reason: 'full' });
    expect(isStorageUnavailable(pgError('23505'))).toBeNull(); // unique_violation: a bug
    expect(isStorageUnavailable(pgError('42P01'))).toBeNull(); // undefined_table: a bug
  });

  it('recognises file-system errno codes and nothing else', () => {
    expect(isStorageUnavailable(pgError('ENOSPC'))).toEqual({ reason: 'full' });
    expect(isStorageUnavailable(pgError('EROFS'))).toEqual({ reason: 'readonly' });
    expect(isStorageUnavailable(new TypeError('x is not a function'))).toBeNull();
    expect(isStorageUnavailable('SQLITE_FULL')).toBeNull();
    expect(isStorageUnavailable(undefined)).toBeNull();
  });
});
