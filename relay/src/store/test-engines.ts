/**
 * The engines a storage test runs on: SQLite always (a temp file), PostgreSQL when the
 * test run has a server (RELAY_TEST_DATABASE_URL, set up by the PostgreSQL test support).
 * Storage tests are written once: `describe.each(testEngines())(…)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite/engine';
import type { Store } from './types';

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty store of this engine. */
  open(): Promise<Store>;
  /** Removes what `open` made (files, databases). */
  cleanup(): Promise<void>;
}

export function sqliteTestEngine(): TestEngine {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'store-test-'));
      dirs.push(dir);
      return SqliteStore.open(join(dir, 'relay.sqlite'));
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testEngines(): TestEngine[] {
  return [sqliteTestEngine()];
}
