/**
 * Test fixtures: one relay (+ emulator) and one club site per worker, a fresh emulator
 * impression per test, and a record of every Content-Security-Policy violation on the page.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { startHostSite, type HostSite } from './host-site';
import { MIN_FILL_MS, startRelay, type Engine, type RunningRelay } from './relay';

interface TestFixtures {
  /** An impression id the emulator knows and no other test uses. */
  impression: string;
  /** CSP violations reported by the page (listener installed before any page script). */
  cspViolations: () => Promise<string[]>;
}

interface WorkerFixtures {
  site: HostSite;
  relay: RunningRelay;
}

/** The project name is the storage engine (playwright.config.ts). */
export const engineOf = (project: string): Engine => (project === 'postgres' ? 'postgres' : 'sqlite');

export const test = base.extend<TestFixtures, WorkerFixtures>({
  site: [
    async ({}, use) => {
      const site = await startHostSite();
      await use(site);
      await site.close();
    },
    { scope: 'worker' },
  ],
  relay: [
    async ({ site }, use, workerInfo) => {
      const relay = await startRelay({ RELAY_ALLOWED_ORIGINS: site.origin }, engineOf(workerInfo.project.name));
      site.useRelay(relay.url);
      await use(relay);
      await relay.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  impression: async ({ relay }, use) => use(await relay.newImpression()),
  cspViolations: async ({ page }, use) => {
    const fromConsole: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) fromConsole.push(message.text());
    });
    await page.addInitScript(() => {
      const list: string[] = ((window as any).__cspViolations = []);
      document.addEventListener('securitypolicyviolation', (e) => list.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await use(async () => [...fromConsole, ...(await page.evaluate(() => (window as any).__cspViolations as string[]))]);
  },
});

export { expect };

export interface Person {
  first: string;
  last: string;
  email: string;
}

export const ada: Person = { first: 'Ada', last: 'Lovelace', email: 'ada@example.edu' };

/**
 * Fills the widget's form (Playwright's locators pierce the open shadow root), then pauses
 * like a person would (a relay with RELAY_MIN_FILL_MS set holds faster fills).
 */
export async function fillForm(page: Page, person: Person = ada): Promise<void> {
  await page.getByLabel('First name').fill(person.first);
  await page.getByLabel('Last name').fill(person.last);
  await page.getByLabel('Email').fill(person.email);
  await page.waitForTimeout(MIN_FILL_MS + 100);
}

export const status = (page: Page) => page.getByRole('status');
export const submitButton = (page: Page) => page.getByRole('button', { name: 'Sign up' });

/** The relay forwards asynchronously: wait until the emulator holds `count` referrals for the impression. */
export async function expectReferrals(relay: RunningRelay, impression: string, count: number) {
  await expect.poll(async () => (await relay.referrals(impression)).length, { timeout: 15_000 }).toBe(count);
  return relay.referrals(impression);
}
