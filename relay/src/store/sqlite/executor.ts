import type { Database, Statement } from 'better-sqlite3';
import type { Dialect, Sql, SqlValue, StoreChannel } from '../sql';

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  utcDay: (expression) => `strftime('%Y-%m-%d', ${expression} / 1000, 'unixepoch')`,
  arrivalOrder: () => 'rowid',
};

const MAX_CACHED_STATEMENTS = 256;

/**
 * `Sql` over one better-sqlite3 connection. Calls run synchronously (SQLite is in-process)
 * and hand back settled promises; statements are prepared once per text.
 */
export class SqliteSql implements Sql {
  readonly dialect = sqliteDialect;
  private readonly statements = new Map<string, Statement>();
  /** Channels notified by the unit of work now running (the group commit collects them). */
  readonly notified = new Set<StoreChannel>();

  constructor(
    private readonly db: Database,
    private readonly writable: boolean,
  ) {}

  prepare(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      // Bounded: texts built for a list length (IN (?, ?, …)) must not grow the cache forever.
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(text, statement);
    }
    return statement;
  }

  all<T>(text: string, params: readonly SqlValue[] = []): Promise<T[]> {
    try {
      return Promise.resolve(this.prepare(text).all(...params) as T[]);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get<T>(text: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    try {
      return Promise.resolve(this.prepare(text).get(...params) as T | undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    try {
      const statement = this.prepare(text);
      // A write with RETURNING is a reader statement to better-sqlite3.
      return Promise.resolve(statement.reader ? statement.all(...params).length : statement.run(...params).changes);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  notify(channel: StoreChannel): void {
    if (!this.writable) throw new Error('store: notify() outside a unit of work');
    this.notified.add(channel);
  }
}
