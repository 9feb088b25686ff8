/**
 * Playwright drives a real Chromium against a real relay and emulator (started per worker by
 * the `relay` fixture in harness/fixtures.ts). Run with `npm run test:e2e` from the root.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, defineConfig } from '@playwright/test';

/** A system Chromium first (CI installs it with apt), Playwright's own download second. */
function findChromium(): string {
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/snap/bin'];
  for (const name of names) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (dir && existsSync(path)) return path;
    }
  }
  const bundled = chromium.executablePath();
  if (existsSync(bundled)) return bundled;
  throw new Error(
    'No Chromium found for the end-to-end tests. Install one, then run again:\n' +
      '  Debian/Ubuntu: sudo apt-get install chromium\n' +
      '  anywhere:      npx playwright install chromium',
  );
}

/**
 * The suite runs once per storage engine: SQLite always, PostgreSQL when the test run has a
 * server (RELAY_TEST_DATABASE_URL; `.ci/run` starts one). Without it: one skip message.
 */
const withPostgres = Boolean(process.env.RELAY_TEST_DATABASE_URL?.trim());
if (!withPostgres) {
  if (process.env.CI === 'true') throw new Error('CI=true but RELAY_TEST_DATABASE_URL is not set: the e2e suite must also run on PostgreSQL');
  // Workers load this file too; they inherit the flag, so the note appears once.
  if (!process.env.VANTIO_E2E_PG_NOTED) process.stderr.write('note: e2e on PostgreSQL skipped (RELAY_TEST_DATABASE_URL is not set; see scripts/pg-test-cluster.sh)\n');
  process.env.VANTIO_E2E_PG_NOTED = '1';
}

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  globalSetup: './harness/global-setup.ts',
  // Two cores here: one relay and one browser per worker.
  workers: 2,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  globalTimeout: withPostgres ? 600_000 : 300_000,
  projects: [{ name: 'sqlite' }, ...(withPostgres ? [{ name: 'postgres' }] : [])],
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: findChromium(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
  },
});
