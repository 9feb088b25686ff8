/** Keyboard-only use, accessibility (axe-core) and a phone-sized viewport. */
import AxeBuilder from '@axe-core/playwright';
import { devices, type Page } from '@playwright/test';
import { expect, expectReferrals, fillForm, status, submitButton, test } from '../harness/fixtures';

/** The id of the focused element inside the widget's shadow root. */
const focusedId = (page: Page) =>
  page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id ?? document.activeElement?.tagName);

async function expectNoAxeViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('keyboard only: tab through, fix an error, send with Enter', async ({ page, relay, impression }) => {
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  await expect(page.getByLabel('First name')).toBeVisible();
  await page.keyboard.press('Tab');
  expect(await focusedId(page)).toBe('first_name');
  await page.keyboard.type('Ada');
  await page.keyboard.press('Tab');
  expect(await focusedId(page)).toBe('last_name');
  await page.keyboard.press('Tab');
  await page.keyboard.type('ada@example.edu');
  await page.keyboard.press('Tab');
  expect(await focusedId(page)).toBe(''); // the button (no id); the honeypot is skipped
  await expect(submitButton(page)).toBeFocused();
  await page.keyboard.press('Enter');

  // The empty last name: marked, described, focused.
  const last = page.getByLabel('Last name');
  await expect(last).toHaveAttribute('aria-invalid', 'true');
  await expect(last).toHaveAccessibleDescription('This is required.');
  expect(await focusedId(page)).toBe('last_name');
  await page.keyboard.type('Lovelace');
  await page.keyboard.press('Enter');
  await expect(status(page)).toHaveText('Thanks, Ada! You’re signed up.');
  await expect(status(page)).toBeFocused();
  await expectReferrals(relay, impression, 1);
});

test('axe-core finds no violations: empty form, errors, success, no impression', async ({ page, relay, impression }) => {
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  await expect(page.getByLabel('First name')).toBeVisible();
  await expectNoAxeViolations(page);
  await submitButton(page).click();
  await expect(page.getByLabel('First name')).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);
  await fillForm(page);
  await submitButton(page).click();
  await expect(status(page)).toHaveText(/Thanks/);
  await expectNoAxeViolations(page);
  await page.evaluate(() => localStorage.clear());
  await page.context().clearCookies();
  await page.goto(`${relay.url}/demo`);
  await expect(page.getByText(/scan the QR code/)).toBeVisible();
  await expectNoAxeViolations(page);
});

test.describe('dark color scheme', () => {
  test.use({ colorScheme: 'dark' });
  test('axe-core finds no violations (contrast included)', async ({ page, relay, impression }) => {
    await page.goto(`${relay.url}/demo?impression_id=${impression}`);
    await submitButton(page).click();
    await expect(page.getByLabel('First name')).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations(page);
  });
});

test.describe('on a phone', () => {
  const { defaultBrowserType: _, ...pixel } = devices['Pixel 7'];
  test.use(pixel);

  test('the form fits the screen, with readable inputs and thumb-sized targets', async ({ page, relay, impression }, testInfo) => {
    await page.goto(`${relay.url}/demo?impression_id=${impression}`);
    await expect(page.getByLabel('First name')).toBeVisible();
    await submitButton(page).click(); // show the error state too: the tallest layout
    await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
    const viewport = page.viewportSize()!;
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    for (const label of ['First name', 'Last name', 'Email']) {
      const input = page.getByLabel(label);
      const box = (await input.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      expect(box.height).toBeGreaterThanOrEqual(44);
      // 16px or more: iOS does not zoom into the field on focus.
      expect(await input.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(16);
    }
    expect((await submitButton(page).boundingBox())!.height).toBeGreaterThanOrEqual(44);
    const screenshot = await page.screenshot({ fullPage: true, path: testInfo.outputPath('mobile.png') });
    await testInfo.attach('mobile', { body: screenshot, contentType: 'image/png' });
  });
});
