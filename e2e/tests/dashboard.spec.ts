/**
 * The admin dashboard in a real Chromium against a real relay and emulator: sign in with
 * the token, read the chart and lists, retry a dead signup, fix a mistyped impression,
 * pause delivery (after a confirmation), find a signup by email and read its attempts,
 * filter, page, export the filtered CSV, and phone-sized screenshots (e2e/screenshots/).
 */
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { engineOf, expect, test } from '../harness/fixtures';
import { startRelay, type RunningRelay } from '../harness/relay';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'e2e-dashboard-admin-token-0123456789';
const SCREENSHOTS = join(import.meta.dirname, '..', 'screenshots');

/** `npm run test:e2e` alone must work: build the dashboard when missing or older than its sources. */
function ensureDashboardBuilt(): void {
  const dir = join(ROOT, 'relay', 'dashboard');
  const newest = (path: string): number =>
    statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name)))) : statSync(path).mtimeMs;
  const built = join(dir, 'dist', 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(newest(join(dir, 'src')), newest(join(dir, 'index.html')))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(dir, 'vite.config.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

let relay: RunningRelay;
const people = {
  delivered: (n: number) => ({ first_name: `Grace${n}`, last_name: 'Hopper', email: `grace${n}@example.edu` }),
  dead: { first_name: 'Dorothy', last_name: 'Vaughan', email: 'dorothy@example.edu' },
  mistyped: { first_name: 'Margaret', last_name: 'Hamilton', email: 'margaret@example.edu' },
};
let posterImpression: string;
let deadImpression: string;

async function admin<T>(path: string): Promise<T> {
  const response = await fetch(`${relay.url}/v1/admin${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
}

async function signup(body: Record<string, string>) {
  const response = await fetch(`${relay.url}/v1/signups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
}

async function faults(config: Record<string, unknown>) {
  const response = await fetch(`${relay.emulatorUrl}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  expect(response.ok).toBe(true);
}

const byState = async () => (await admin<{ by_state: Record<string, number> }>('/stats')).by_state;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, testInfo) => {
  ensureDashboardBuilt();
  relay = await startRelay(
    {
      RELAY_ADMIN_TOKEN: TOKEN,
      // A short retry schedule so a signup goes dead in well under a second.
      RELAY_RETRY_SCHEDULE: '0.05,0.05',
    },
    engineOf(testInfo.project.name),
  );
  posterImpression = await relay.newImpression();
  deadImpression = await relay.newImpression();
  for (let n = 1; n <= 3; n++) await signup({ impression_id: posterImpression, ...people.delivered(n) });
  await signup({ impression_id: 'imp_typo_on_poster', ...people.mistyped });
  await expect.poll(async () => (await byState()).delivered, { timeout: 15_000 }).toBe(3);
  await expect.poll(async () => (await byState()).rejected, { timeout: 15_000 }).toBe(1);
  await faults({ error_rate: 1, error_status: 502 });
  await signup({ impression_id: deadImpression, ...people.dead });
  await expect.poll(async () => (await byState()).dead, { timeout: 15_000 }).toBe(1);
  await faults({});
});

test.afterAll(async () => {
  await relay?.stop();
});

async function signIn(page: Page) {
  await page.goto(`${relay.url}/admin`);
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Signups per day' })).toBeVisible();
}

const problem = (page: Page, name: string) => page.getByRole('listitem', { name: new RegExp(`^${name},`) });

test('sign in: a wrong token is refused; the right one is kept for this tab only', async ({ page, cspViolations }) => {
  await page.goto(`${relay.url}/admin`);
  await page.getByLabel('Admin token').fill('not-the-admin-token-at-all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The relay did not accept that token.');
  await expect(page.getByLabel('Admin token')).toHaveAttribute('aria-invalid', 'true');

  await signIn(page);
  const stored = await page.evaluate(() => ({
    session: Object.values(sessionStorage),
    local: Object.keys(localStorage).length,
    cookie: document.cookie,
  }));
  expect(stored).toEqual({ session: [TOKEN], local: 0, cookie: '' });
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Signups per day' })).toBeVisible();
  // Another tab (a new session) must sign in again.
  const other = await page.context().newPage();
  await other.goto(`${relay.url}/admin`);
  await expect(other.getByLabel('Admin token')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('Admin token')).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  expect(await cspViolations()).toEqual([]);
});

test('shows the chart, delivery health, top lists and the dead/rejected list', async ({ page, cspViolations }) => {
  await signIn(page);
  const tiles = page.locator('.tiles');
  await expect(tiles.getByText('Delivered')).toBeVisible();
  await expect(tiles.locator('.tile-all dd')).toHaveText('5');
  await expect(tiles.locator('.tile-delivered dd')).toHaveText('3');
  await expect(page.getByRole('img', { name: /^Signups per day by state: 5 signups from/ })).toBeVisible();
  await expect(page.locator('svg rect.bar.s-delivered')).toHaveCount(1);
  await page.getByText('Show as a table').click();
  await expect(page.locator('details table tbody tr')).toHaveCount(1);

  const health = page.getByRole('region', { name: 'Delivery health' });
  await expect(health.getByText('Running')).toBeVisible();
  await expect(health.getByText(/retry schedule exhausted; last error 502/)).toBeVisible();
  await expect(health.getByText(/impression imp_… does not exist|imp_…/)).toBeVisible();

  const top = page.getByRole('region', { name: 'Top impressions' });
  await expect(top.getByRole('row', { name: new RegExp(posterImpression) })).toContainText('3');
  await expect(page.getByRole('region', { name: 'Top ambassadors' }).getByRole('row')).toHaveCount(2);

  await expect(problem(page, 'Dorothy Vaughan')).toContainText('dead');
  await expect(problem(page, 'Dorothy Vaughan')).toContainText('dorothy@example.edu');
  await expect(problem(page, 'Margaret Hamilton')).toContainText('rejected');
  await expect(problem(page, 'Margaret Hamilton')).toContainText('imp_typo_on_poster');

  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  expect(await cspViolations()).toEqual([]);
});

test('retries a dead signup: it is delivered and leaves the list', async ({ page }) => {
  await signIn(page);
  const dead = problem(page, 'Dorothy Vaughan');
  await dead.getByRole('button', { name: 'Retry', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'queued for delivery again' })).toHaveText(
    'Signup of Dorothy is queued for delivery again.',
  );
  await expect.poll(async () => (await relay.referrals(deadImpression)).map((r) => r.email), { timeout: 15_000 }).toEqual([
    'dorothy@example.edu',
  ]);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(dead).toHaveCount(0);
});

test('fixes a mistyped impression: the signup is sent on the right one', async ({ page }) => {
  const rightImpression = await relay.newImpression();
  await signIn(page);
  const mistyped = problem(page, 'Margaret Hamilton');
  await mistyped.getByRole('button', { name: 'Fix impression' }).click();
  const input = mistyped.getByLabel('Correct impression id');
  await input.fill('not an id!');
  await mistyped.getByRole('button', { name: 'Retry with this impression' }).click();
  await expect(mistyped.getByRole('alert')).toContainText('An impression id is 1 to 128');
  await expect(input).toHaveAttribute('aria-invalid', 'true');

  await input.fill(rightImpression);
  await mistyped.getByRole('button', { name: 'Retry with this impression' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'queued' })).toHaveText(
    `Signup of Margaret is queued for delivery again on impression ${rightImpression}.`,
  );
  await expect.poll(async () => (await relay.referrals(rightImpression)).map((r) => r.email), { timeout: 15_000 }).toEqual([
    'margaret@example.edu',
  ]);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(mistyped).toHaveCount(0);
  await expect(page.getByText('Nothing dead or rejected.')).toBeVisible();
});

test('pauses delivery only after a confirmation, and resumes it', async ({ page, cspViolations }) => {
  await signIn(page);
  await page.getByRole('button', { name: 'Pause delivery' }).click();
  const dialog = page.getByRole('dialog', { name: 'Pause delivery to Vantio?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('none is sent to Vantio until someone resumes');
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => v.id)).toEqual([]);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect((await admin<{ delivery: { paused: boolean } }>('/delivery')).delivery.paused).toBe(false);

  await page.getByRole('button', { name: 'Pause delivery' }).click();
  await dialog.getByRole('button', { name: 'Pause delivery' }).click();
  const health = page.getByRole('region', { name: 'Delivery health' });
  await expect(health.getByText(/^Paused — delivery paused by an admin/)).toBeVisible();
  expect((await admin<{ delivery: { paused: boolean } }>('/delivery')).delivery.paused).toBe(true);
  await page.getByRole('button', { name: 'Resume delivery' }).click();
  await expect(health.getByText('Running')).toBeVisible();
  expect((await admin<{ delivery: { paused: boolean } }>('/delivery')).delivery.paused).toBe(false);
  expect(await cspViolations()).toEqual([]);
});

test('did Grace sign up? finds a signup by name or email and shows its delivery', async ({ page, cspViolations }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Signups' }).click();
  await expect(page.getByRole('heading', { name: 'All signups' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Name' }).fill('hopper');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('region', { name: 'Signups named like “hopper”' }).getByRole('listitem')).toHaveCount(3);
  await page.getByRole('textbox', { name: 'Name' }).fill('GRACE2 hop');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('region', { name: /^Signups named like/ }).getByRole('listitem')).toHaveCount(1);

  await page.getByLabel('Search by').selectOption('email');
  await page.getByRole('textbox', { name: 'Email' }).fill('grace');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter a whole email address');

  await page.getByRole('textbox', { name: 'Email' }).fill('GRACE2@example.edu');
  await page.getByRole('button', { name: 'Search' }).click();
  const results = page.getByRole('region', { name: /^Signups with email/ });
  await expect(results.getByRole('listitem')).toHaveCount(1);
  await expect(results.getByRole('listitem')).toContainText('delivered');
  await expect(results.getByRole('listitem')).toContainText(posterImpression);
  expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations.map((v) => v.id))).toEqual([]);

  await results.getByRole('link', { name: 'Grace2 Hopper' }).click();
  await expect(page.getByRole('heading', { name: 'Grace2 Hopper' })).toBeVisible();
  const attempts = page.getByRole('region', { name: 'Delivery attempts' });
  await expect(attempts.getByRole('row')).toHaveCount(2); // the header and one successful call
  await expect(attempts.getByRole('row').nth(1)).toContainText('created');
  await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0); // delivered: nothing to retry
  expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations.map((v) => v.id))).toEqual([]);

  // The back button restores the search.
  await page.goBack();
  await expect(page.getByRole('textbox', { name: 'Email' })).toHaveValue('GRACE2@example.edu');
  await expect(results.getByRole('listitem')).toHaveCount(1);
  expect(await cspViolations()).toEqual([]);
});

test('filters by state and source, retries a dead signup from its detail, and exports the filtered CSV', async ({ page }) => {
  const impression = await relay.newImpression();
  await faults({ error_rate: 1, error_status: 502 });
  await signup({ impression_id: impression, first_name: 'Katherine', last_name: 'Johnson', email: 'katherine@example.edu' });
  await expect.poll(async () => (await byState()).dead, { timeout: 15_000 }).toBe(1);
  await faults({});

  await signIn(page);
  await page.goto(`${relay.url}/admin#/signups`);
  await page.getByLabel('State').selectOption('dead');
  await page.getByLabel('Source').selectOption('api');
  await page.getByRole('button', { name: 'Search' }).click();
  const results = page.getByRole('region', { name: 'Signups in state dead, from api' });
  await expect(results.getByRole('listitem')).toHaveCount(1);

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^vantio-signups-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
  expect(csv[0]).toMatch(/^id,created_at,source,state/);
  expect(csv.slice(1)).toEqual([expect.stringContaining('katherine@example.edu')]);
  await expect(page.getByRole('status').filter({ hasText: 'Exported' })).toHaveText(/^Exported 1 signup to vantio-signups-/);

  await results.getByRole('link', { name: 'Katherine Johnson' }).click();
  const attempts = page.getByRole('region', { name: 'Delivery attempts' });
  await expect(attempts.getByRole('row').nth(1)).toContainText('502');
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'queued' })).toHaveText('Signup of Katherine is queued for delivery again.');
  await expect.poll(async () => (await relay.referrals(impression)).map((r) => r.email), { timeout: 15_000 }).toEqual([
    'katherine@example.edu',
  ]);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.locator('.badge').first()).toHaveText('delivered');
});

test('pages through many signups of one impression', async ({ page }) => {
  const impression = await relay.newImpression();
  for (let n = 1; n <= 27; n++) await signup({ impression_id: impression, first_name: `Page${n}`, last_name: 'Reader', email: `page${n}@example.edu` });
  await signIn(page);
  await page.goto(`${relay.url}/admin#/signups?impression_id=${impression}`);
  const results = page.getByRole('region', { name: `Signups on impression ${impression}` });
  await expect(results.getByRole('listitem')).toHaveCount(25);
  await expect(results.getByText('Showing 1–25, newest first.')).toBeVisible();
  await expect(results.getByRole('listitem').first()).toContainText('Page27 Reader');
  await results.getByRole('button', { name: 'Next page' }).click();
  await expect(results.getByRole('listitem')).toHaveCount(2);
  await expect(results.getByText('Showing 26–27, newest first.')).toBeVisible();
  await expect(results.getByRole('button', { name: 'Next page' })).toBeDisabled();
  await results.getByRole('button', { name: 'Previous page' }).click();
  await expect(results.getByRole('listitem')).toHaveCount(25);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

  test('fits the screen without sideways scrolling (screenshot for review)', async ({ page, cspViolations }) => {
    // Something to show in the list again: one more rejected signup.
    await signup({ impression_id: 'imp_typo_again', first_name: 'Annie', last_name: 'Easley', email: 'annie@example.edu' });
    await expect
      .poll(async () => (await admin<{ items: unknown[] }>('/signups?state=rejected&email=annie@example.edu')).items.length, { timeout: 15_000 })
      .toBe(1);
    await signIn(page);
    await expect(problem(page, 'Annie Easley')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    for (const button of await page.getByRole('button').all()) {
      const box = (await button.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44); // a comfortable touch target
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-mobile.png'), fullPage: true });

    await page.getByRole('link', { name: 'Signups' }).click();
    await expect(page.getByRole('heading', { name: 'All signups' })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    for (const control of await page.locator('button:visible, select:visible, input:visible, a.button:visible, .tabs a:visible').all()) {
      expect((await control.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-signups-mobile.png'), fullPage: true });
    expect(await cspViolations()).toEqual([]);
  });
});
