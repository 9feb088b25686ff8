/**
 * `migrate-to-postgres`: copies a SQLite relay's database (RELAY_DB) into PostgreSQL
 * (RELAY_DATABASE_URL), every table, keeping rows already there: safe to re-run, and a
 * re-run after the last signups arrived copies just those. Runs beside the SQLite file,
 * not over the admin API.
 */
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { copySqliteToPostgres, type TableCopy } from '../store/copy-to-postgres';
import { openStore } from '../store/open';
import { CliError, EXIT } from './client';
import { noPositionals, usageError, type Command } from './command';

export const migrateToPostgres: Command = {
  summary: 'Copy this relay\'s SQLite database (RELAY_DB) into PostgreSQL (RELAY_DATABASE_URL)',
  usage: 'migrate-to-postgres',
  options: {},
  help:
    '  Stop the SQLite relay first (or run this again after stopping it: rows already copied are kept).\n' +
    '  Then start the relays with RELAY_DATABASE_URL. The SQLite file is only read.',
  async run(ctx) {
    noPositionals(ctx);
    let config;
    try {
      config = loadConfig(ctx.io.env);
    } catch (error) {
      if (error instanceof ConfigError) throw usageError(error.message);
      throw error;
    }
    if (!config.databaseUrl) throw usageError('set RELAY_DATABASE_URL to the PostgreSQL database to copy into');
    const sqlitePath = resolve(ctx.io.cwd, config.dbPath);
    let target;
    try {
      target = await openStore({ databaseUrl: config.databaseUrl, dbPath: sqlitePath });
    } catch (error) {
      // The message of a connection error never contains the URL (and so not its password).
      throw new CliError(EXIT.unreachable, `cannot open RELAY_DATABASE_URL: ${(error as Error).message}`);
    }
    try {
      if (!ctx.json) ctx.print(`copying ${sqlitePath} into PostgreSQL`);
      const copies = await copySqliteToPostgres(sqlitePath, target, (copy) => {
        if (!ctx.json) ctx.print(`  ${copy.table.padEnd(20)} ${String(copy.read).padStart(9)} rows, ${copy.inserted} new`);
      });
      const total = (key: keyof Omit<TableCopy, 'table'>) => copies.reduce((sum, copy) => sum + copy[key], 0);
      if (ctx.json) ctx.printJson({ source: sqlitePath, tables: copies, read: total('read'), inserted: total('inserted') });
      else ctx.print(`done: ${total('read')} rows read, ${total('inserted')} new in PostgreSQL (the rest were there already)`);
      return EXIT.ok;
    } catch (error) {
      throw new CliError(EXIT.failed, (error as Error).message);
    } finally {
      await target.close();
    }
  },
};
