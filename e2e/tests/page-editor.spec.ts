/**
 * The dashboard's hosted-page editor in a real Chromium against a real relay: create a page,
 * watch the live preview follow the unsaved input, see the relay's field errors next to their
 * inputs, save, open the real /join/<slug>, and delete after a confirmation. Axe-clean on a phone.
 */
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '../harness/fixtures';
import { startRelay, type RunningRelay } from '../harness/relay';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'e2e-page-editor-admin-token-0123456789';

/** Build the dashboard when missing or older than its sources (as dashboard.spec.ts does). */
function ensureDashboardBuilt(): void {
  const dir = join(ROOT, 'relay', 'dashboard');
  const newest = (path: string): number =>
    statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name)))) : statSync(path).mtimeMs;
  const built = join(dir, 'dist', 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(newest(join(dir, 'src')), newest(join(dir, 'index.html')))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(dir, 'vite.config.ts')], { cwd: ROOT, stdio: 'inherit' });
}

let relay: RunningRelay;
test.beforeAll(async () => {
  ensureDashboardBuilt();
  relay = await startRelay({ RELAY_ADMIN_TOKEN: TOKEN });
});
test.afterAll(async () => {
  await relay?.stop();
});

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test('creates a page with a live preview, saves it, opens /join/<slug>, then deletes it', async ({ page, cspViolations }) => {
  await page.goto(`${relay.url}/admin#/pages`);
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Hosted pages' })).toBeVisible();
  await page.getByRole('button', { name: 'New page' }).click();

  const preview = page.getByTestId('page-preview');
  await page.getByLabel('Address (/join/…)').fill('chess');
  await page.getByLabel('Title').pressSequentially('Chess Club');
  await expect(preview.getByRole('heading')).toHaveText('Chess Club'); // before any save
  await page.getByLabel('Description').fill('Tuesdays in room 4.');
  await expect(preview).toContainText('Tuesdays in room 4.');
  await page.getByLabel('Ask for a profile photo').check();
  await expect(preview).toContainText('Profile photo');

  // A bad colour: the relay's 400 issue sits next to its input, and nothing is saved.
  await page.getByLabel('Accent colour (#rrggbb)').fill('blue');
  await page.getByRole('button', { name: 'Save page' }).click();
  await expect(page.locator('#page-accent_color-error')).toHaveText(/#1d4ed8/);
  await expect(page.getByLabel('Accent colour (#rrggbb)')).toHaveAttribute('aria-invalid', 'true');
  expect((await fetch(`${relay.url}/v1/admin/pages/chess`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);

  await page.getByLabel('Accent colour (#rrggbb)').fill('#0f766e');
  await expect(preview.getByText('Sign up')).toHaveCSS('background-color', 'rgb(15, 118, 110)');
  expect((await new AxeBuilder({ page }).analyze()).violations.map((v) => v.id)).toEqual([]);
  await page.getByRole('button', { name: 'Save page' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved /join/chess.' })).toBeVisible();
  await expect(page.getByRole('link', { name: '/join/chess' }).first()).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);

  const hosted = await page.context().newPage();
  await hosted.goto(`${relay.url}/join/chess?impression_id=imp_demo_1`);
  await expect(hosted.getByRole('heading', { name: 'Chess Club' })).toBeVisible();
  await hosted.close();

  await page.getByRole('button', { name: 'Delete chess' }).click();
  await expect(page.getByRole('dialog', { name: 'Delete /join/chess?' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete page' }).click();
  await expect(page.getByRole('button', { name: 'Delete chess' })).toHaveCount(0);
  expect((await fetch(`${relay.url}/v1/admin/pages/chess`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  expect(await cspViolations()).toEqual([]);
});
