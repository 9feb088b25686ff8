import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import type { Dialect, Sql, SqlValue, StoreChannel } from '../sql';
import { UnstorableText } from '../types';

export const postgresDialect: Dialect = {
  name: 'postgres',
  utcDay: (expression) => `to_char(to_timestamp(${expression} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  arrivalOrder: () => 'seq',
};

/** The PostgreSQL channel a store channel is sent on (one namespace per application). */
export const pgChannel = (channel: StoreChannel) => `vantio_${channel}`;

const rewritten = new Map<string, string>();
const MAX_CACHED = 1_000;

/**
 * `?` placeholders → `$1…$n`, outside string literals, quoted identifiers and comments
 * (a `?` inside `'…'` is data). Cached per statement text: the repositories reuse a few
 * hundred texts.
 */
export function numberPlaceholders(text: string): string {
  const cached = rewritten.get(text);
  if (cached !== undefined) return cached;
  let out = '';
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "'" || char === '"') {
      const end = closingQuote(text, i, char);
      out += text.slice(i, end + 1);
      i = end;
    } else if (char === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length - 1 : end;
      out += text.slice(i, stop + 1);
      i = stop;
    } else if (char === '?') {
      out += `$${++n}`;
    } else {
      out += char;
    }
  }
  if (rewritten.size < MAX_CACHED) rewritten.set(text, out);
  return out;
}

/** Index of the quote closing the one at `start` (a doubled quote is an escaped one). */
function closingQuote(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== quote) continue;
    if (text[i + 1] === quote) i++;
    else return i;
  }
  return text.length - 1;
}

const statementNames = new Map<string, string>();

/** A named (server-side prepared, per connection) statement for texts seen often. */
function queryConfig(text: string, params: readonly SqlValue[]): QueryConfig {
  for (const value of params) if (typeof value === 'string' && value.includes('\u0000')) throw new UnstorableText();
  const pgText = numberPlaceholders(text);
  let name = statementNames.get(pgText);
  if (name === undefined && statementNames.size < MAX_CACHED) {
    name = `vantio_${statementNames.size}`;
    statementNames.set(pgText, name);
  }
  return { text: pgText, values: params as SqlValue[], ...(name ? { name } : {}) };
}

/**
 * A statement failed on what it was given (a data exception, an integrity violation) or lost a
 * race (serialization failure, deadlock), not on the database or the connection: running its
 * rows again one by one can succeed.
 */
export function isRowLevelError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23') || code === '40001' || code === '40P01');
}

/**
 * A named (per-connection prepared) statement, run again unnamed when the server refuses the
 * cached plan: after another relay's migration changed a table, a `SELECT *` prepared before
 * it fails with 0A000 ("cached plan must not change result type") on every use.
 */
export async function queryPrepared<R extends QueryResultRow>(db: Pool | PoolClient, config: QueryConfig): Promise<QueryResult<R>> {
  try {
    return await db.query<R>(config);
  } catch (error) {
    if ((error as { code?: string }).code !== '0A000' || !config.name) throw error;
    const { name: _stale, ...unnamed } = config;
    return db.query<R>(unnamed);
  }
}

/**
 * `Sql` over the pool (committed reads, one statement each) or over one client inside a
 * unit of work, whose notifications are collected and sent just before COMMIT, so they
 * are delivered exactly when (and only if) it commits.
 */
export class PgSql implements Sql {
  readonly dialect = postgresDialect;

  constructor(
    private readonly db: Pool | PoolClient,
    /** The unit of work's channels; null for reads over the pool. */
    readonly notified: Set<StoreChannel> | null,
  ) {}

  async all<T>(text: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await queryPrepared(this.db, queryConfig(text, params))).rows as T[];
  }

  async get<T>(text: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await queryPrepared(this.db, queryConfig(text, params))).rows[0] as T | undefined;
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await queryPrepared(this.db, queryConfig(text, params))).rowCount ?? 0;
  }

  notify(channel: StoreChannel): void {
    if (!this.notified) throw new Error('store: notify() outside a unit of work');
    this.notified.add(channel);
  }
}
