import type { Pool, PoolClient, QueryConfig } from 'pg';
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
    return (await this.db.query(queryConfig(text, params))).rows as T[];
  }

  async get<T>(text: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.db.query(queryConfig(text, params))).rows[0] as T | undefined;
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.db.query(queryConfig(text, params))).rowCount ?? 0;
  }

  notify(channel: StoreChannel): void {
    if (!this.notified) throw new Error('store: notify() outside a unit of work');
    this.notified.add(channel);
  }
}
