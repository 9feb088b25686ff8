import { defineProject } from 'vitest/config';

// PostgreSQL tests need a server (store/test-engines.ts). Without one, say so once here (test
// files run in separate workers, which inherit the flag and stay quiet); CI fails instead.
if (!process.env.RELAY_TEST_DATABASE_URL?.trim() && process.env.CI !== 'true' && !process.env.VANTIO_PG_SKIP_NOTED) {
  process.stderr.write(
    'note: PostgreSQL tests skipped (RELAY_TEST_DATABASE_URL is not set; start a server with `scripts/pg-test-cluster.sh start`)\n',
  );
  process.env.VANTIO_PG_SKIP_NOTED = '1';
}

export default defineProject({
  test: {
    name: 'relay',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
