/**
 * The one SQL surface the repositories are written against, once, for both engines.
 * Statements use `?` placeholders (the PostgreSQL executor numbers them `$1…$n`) and only
 * SQL that SQLite 3.45+ and PostgreSQL 15 both run; the few differences live in `Dialect`.
 */
export type SqlValue = string | number | null;

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** `YYYY-MM-DD` (UTC) of an epoch-millisecond expression. */
  utcDay(epochMsExpression: string): string;
  /** A column that orders a table's rows by arrival (SQLite's rowid, a PostgreSQL sequence). */
  arrivalOrder(table: 'webhook_payloads'): string;
}

/** Wake-up channels: a new due outbox row, or a change to the shared delivery state. */
export type StoreChannel = 'outbox' | 'delivery_state';

export interface Sql {
  readonly dialect: Dialect;
  all<T>(text: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(text: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Resolves with the number of rows changed. */
  run(text: string, params?: readonly SqlValue[]): Promise<number>;
  /** Wakes every relay's subscribers of `channel` once this unit commits (never if it rolls back). */
  notify(channel: StoreChannel): void;
}

/** `?, ?, ?` for a list of n values (n ≥ 1), for `IN (…)`. */
export function placeholders(count: number): string {
  return Array.from({ length: Math.max(count, 1) }, () => '?').join(', ');
}
