/**
 * Moves a SQLite relay's data into PostgreSQL (`vantio-relay migrate-to-postgres`): every
 * table, from one consistent read snapshot of the file, into a database the PostgreSQL
 * engine has migrated. Rows already there are kept (`ON CONFLICT DO NOTHING`), so a re-run
 * copies only what is new. Leases are not copied (SQLite keeps them in memory).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { placeholders, type SqlValue } from './sql';
import type { Store } from './types';

/** Parents before children (foreign keys); any other table follows by name. */
const ORDER = [
  'signups',
  'duplicate_keys',
  'outbox',
  'attempts',
  'relay_meta',
  'webhook_deliveries',
  'webhook_payloads',
  'pictures',
  'picture_uses',
];
/** Engine-local columns: the PostgreSQL side fills them (leases, the arrival sequence). */
const NOT_COPIED = new Set(['outbox.claim_id', 'outbox.lease_until', 'webhook_payloads.seq']);
/** Serial columns whose sequence must continue after the copied ids. */
const SERIALS = [
  { table: 'attempts', column: 'id' },
  { table: 'webhook_payloads', column: 'seq' },
];
const BATCH = 200;

export interface TableCopy {
  table: string;
  /** Rows in the SQLite file. */
  read: number;
  /** Rows inserted now (the rest were already in PostgreSQL). */
  inserted: number;
}

export async function copySqliteToPostgres(sqlitePath: string, target: Store, onTable?: (copy: TableCopy) => void): Promise<TableCopy[]> {
  if (target.engine !== 'postgres') throw new Error('the target store must be PostgreSQL');
  if (!existsSync(sqlitePath)) throw new Error(`no SQLite database at ${sqlitePath}`);
  const source = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    const tables = (source.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[])
      .map((row) => row.name)
      .filter((name) => name !== 'schema_migrations')
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const targetColumns = await columnsIn(target);
    // One read transaction: every table comes from the same snapshot of a live file.
    source.exec('BEGIN');
    const copies: TableCopy[] = [];
    for (const table of tables) {
      const wanted = targetColumns.get(table);
      if (!wanted) throw new Error(`table ${table} is not in the PostgreSQL schema: upgrade the relay before moving its data`);
      const columns = (source.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[])
        .map((row) => row.name)
        .filter((column) => wanted.has(column) && !NOT_COPIED.has(`${table}.${column}`));
      const order = table === 'webhook_payloads' ? 'ORDER BY rowid' : '';
      const rows = source.prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} ${order}`).raw().iterate() as Iterable<SqlValue[]>;
      const copy: TableCopy = { table, read: 0, inserted: 0 };
      let batch: SqlValue[][] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const values = batch;
        batch = [];
        copy.inserted += await target.transaction((tx) =>
          tx.sql.run(
            `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${values.map(() => `(${placeholders(columns.length)})`).join(', ')}
             ON CONFLICT DO NOTHING`,
            values.flat(),
          ),
        );
      };
      for (const row of rows) {
        copy.read += 1;
        batch.push(row.map(toSqlValue));
        if (batch.length === BATCH) await flush();
      }
      await flush();
      copies.push(copy);
      onTable?.(copy);
    }
    source.exec('COMMIT');
    await target.transaction(async (tx) => {
      for (const { table, column } of SERIALS) {
        if (!targetColumns.get(table)?.has(column)) continue;
        await tx.sql.get(
          `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), GREATEST((SELECT COALESCE(MAX(${column}), 0) FROM ${table}), 1))`,
        );
      }
      // Whatever is queued is due at once on the new engine.
      tx.sql.notify('outbox');
    });
    return copies;
  } finally {
    source.close();
  }
}

function rank(table: string): number {
  const at = ORDER.indexOf(table);
  return at === -1 ? ORDER.length : at;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function toSqlValue(value: unknown): SqlValue {
  if (typeof value === 'bigint') return Number(value);
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  throw new Error(`unexpected ${typeof value} value in the SQLite database`);
}

async function columnsIn(target: Store): Promise<Map<string, Set<string>>> {
  const rows = await target.read.sql.all<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  const tables = new Map<string, Set<string>>();
  for (const row of rows) {
    let columns = tables.get(row.table_name);
    if (!columns) tables.set(row.table_name, (columns = new Set()));
    columns.add(row.column_name);
  }
  return tables;
}
