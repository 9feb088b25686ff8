import { defineConfig } from 'vitest/config';

// Each workspace owns its test setup (environment, plugins); e2e runs under Playwright.
export default defineConfig({
  test: {
    projects: ['*/vitest.config.ts'],
  },
});
