/**
 * Issue 10, in the field: on a phone, on the pages and browsers clubs really have, nobody is
 * lost. A sandboxed builder frame, blocked storage and cookies, a page the relay does not
 * know, autofill with a quick tap, a bot held and released, and the widget removed and
 * mounted again; against the real relay and emulator.
 */
import type { Page } from '@playwright/test';
import { ada, expect, expectReferrals, fillForm, status, submitButton, test } from '../harness/fixtures';
import { startRelay } from '../harness/relay';

const THANKS = 'Thanks, Ada! You’re signed up.';
const NOT_SET_UP = 'This page isn’t set up for signups yet. Please tell the club.';

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

/** Uncaught exceptions and console errors, in every frame of the page. */
function recordErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && errors.push(`console: ${message.text()}`));
  return errors;
}

const held = async (relay: { admin<T>(path: string): Promise<T> }, impression: string) =>
  (await relay.admin<{ items: Array<{ id: string; impression_id: string; held_reason: string }> }>('/signups?state=held&limit=500')).items.filter(
    (item) => item.impression_id === impression,
  );

test('the demo page logs no console error (its icon included)', async ({ page, relay, impression }) => {
  const errors = recordErrors(page);
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  await expect(page.getByLabel('First name')).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(errors).toEqual([]);
});

test('a sandboxed builder frame (no allow-same-origin): no page error, and a message instead of an empty box', async ({
  page,
  site,
  relay,
  impression,
}) => {
  const errors = recordErrors(page);
  await page.goto(`${site.origin}/framed?impression_id=${impression}`);
  const frame = page.frameLocator('iframe');
  await expect(frame.getByText('Inside this page, the form can’t see which poster you scanned.', { exact: false })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(errors).toEqual([]);
});

test('a sandboxed frame whose builder templates data-impression-id: the form shows, and origin null is refused clearly', async ({
  page,
  site,
  relay,
  impression,
}) => {
  const errors = recordErrors(page);
  await page.goto(`${site.origin}/framed?tag=${impression}`);
  const frame = page.frameLocator('iframe');
  // Storage is out of reach in the frame: the person is told up front.
  await expect(frame.getByText(/blocks storage/)).toBeVisible();
  await frame.getByLabel('First name').fill('Ada');
  await frame.getByLabel('Last name').fill('Lovelace');
  await frame.getByLabel('Email').fill(ada.email);
  await frame.getByRole('button', { name: 'Sign up' }).click();
  await expect(frame.getByRole('status')).toHaveText(NOT_SET_UP);
  expect(errors.filter((error) => !/403/.test(error))).toEqual([]);
  expect((await relay.admin<{ refused_origins: Array<{ origin: string }> }>('/stats')).refused_origins.map((row) => row.origin)).toContain('null');
});

test('storage that throws and cookies disabled: told nothing is kept, and the signup is delivered', async ({ page, relay, impression }) => {
  const errors = recordErrors(page);
  await page.addInitScript(() => {
    const deny = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    Object.defineProperty(window, 'localStorage', { get: deny, configurable: true });
    Object.defineProperty(window, 'sessionStorage', { get: deny, configurable: true });
    // Cookies disabled: writes vanish, reads find nothing.
    Object.defineProperty(Document.prototype, 'cookie', { get: () => '', set: () => {}, configurable: true });
  });
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  await expect(page.getByText('Your browser blocks storage: sign up now, this page won’t remember you later.')).toBeVisible();
  await fillForm(page);
  await submitButton(page).tap();
  await expect(status(page)).toHaveText(THANKS);
  await expectReferrals(relay, impression, 1);
  expect(errors).toEqual([]);
});

test('a page whose origin is not allowed: "not set up yet", one POST, no retry; the operator sees it', async ({ page, site, relay }) => {
  // A relay of its own: its log is read once it has stopped (and flushed it).
  const own = await startRelay({ RELAY_ALLOWED_ORIGINS: site.origin });
  site.useRelay(own.url);
  try {
    const impression = await own.newImpression();
    const posts: string[] = [];
    page.on('request', (request) => request.method() === 'POST' && request.url().endsWith('/v1/signups') && posts.push(request.url()));
    await page.goto(`${site.unlistedOrigin}/join?impression_id=${impression}`);
    await fillForm(page);
    await submitButton(page).tap();
    await expect(status(page)).toHaveText(NOT_SET_UP);
    await expect(status(page)).not.toHaveText(/saved|offline/i);
    // The outbox would retry after about a second; nothing more goes out, nothing is kept.
    await page.waitForTimeout(3_000);
    expect(posts).toHaveLength(1);
    expect(await page.evaluate(() => localStorage.getItem('vantio_outbox'))).toBeNull();

    const stats = await own.admin<{ refused_origins: Array<{ origin: string; count: number; last_seen: string }> }>('/stats');
    expect(stats.refused_origins).toEqual([expect.objectContaining({ origin: site.unlistedOrigin, count: 1 })]);
    expect(await own.referrals(impression)).toEqual([]);
  } finally {
    await own.stop();
    site.useRelay(relay.url);
  }
  const warning = own
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .find((line) => line.level === 40 && line.origin === site.unlistedOrigin);
  expect(warning).toMatchObject({ msg: expect.stringMatching(/not allowed/), hint: expect.stringMatching(/RELAY_ALLOWED_ORIGINS/) });
});

test('autofill (every field in one step) and a tap 300 ms after the form appeared: delivered', async ({ page, relay, impression }) => {
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  await expect(page.getByLabel('First name')).toBeVisible();
  // What the browser's autofill does: all values at once, with input events.
  await page.locator('[data-vantio-signup]').evaluate((host, person) => {
    for (const [name, value] of Object.entries(person)) {
      const input = host.shadowRoot!.querySelector<HTMLInputElement>(`[name="${name}"]`)!;
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }, { first_name: 'Ada', last_name: 'Lovelace', email: ada.email });
  await page.waitForTimeout(300);
  await submitButton(page).tap();
  await expect(status(page)).toHaveText(THANKS);
  await expectReferrals(relay, impression, 1);
  expect(await held(relay, impression)).toEqual([]);
});

test('a filled honeypot is held (the page still says thanks), then released and delivered exactly once', async ({
  page,
  relay,
  impression,
}) => {
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  await fillForm(page);
  await page.locator('input[name="vantio-extra"]').fill('https://spam.example');
  await submitButton(page).tap();
  await expect(status(page)).toHaveText(THANKS);

  await expect.poll(async () => (await held(relay, impression)).length).toBe(1);
  const [signup] = await held(relay, impression);
  expect(signup!.held_reason).toBe('honeypot');
  await page.waitForTimeout(1_000);
  expect(await relay.referrals(impression)).toEqual([]);

  const callsBefore = Object.values(await relay.createCalls()).reduce((sum, n) => sum + n, 0);
  await relay.admin(`/signups/${signup!.id}/release`, { method: 'POST' });
  await expectReferrals(relay, impression, 1);
  await page.waitForTimeout(1_000);
  expect(await relay.referrals(impression)).toHaveLength(1);
  const callsAfter = Object.values(await relay.createCalls()).reduce((sum, n) => sum + n, 0);
  expect(callsAfter - callsBefore).toBe(1);
  expect(await held(relay, impression)).toEqual([]);
});

test('VantioSignup("unmount") removes the widget, and mounting again works', async ({ page, relay, impression }) => {
  const errors = recordErrors(page);
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  await expect(page.getByLabel('First name')).toBeVisible();
  await page.evaluate(() => (window as any).VantioSignup('unmount'));
  await expect(page.getByLabel('First name')).toHaveCount(0);
  await page.evaluate(() => (window as any).VantioSignup('mount', document.querySelector('[data-vantio-signup]')));
  await fillForm(page);
  await submitButton(page).tap();
  await expect(status(page)).toHaveText(THANKS);
  await expectReferrals(relay, impression, 1);
  expect(errors).toEqual([]);
});
