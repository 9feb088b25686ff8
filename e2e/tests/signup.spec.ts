/** The signup journey, from poster URL to the emulator's referral, in a real Chromium. */
import { ada, expect, expectReferrals, fillForm, status, submitButton, test } from '../harness/fixtures';

const THANKS = 'Thanks, Ada! You’re signed up.';
const SAVED = 'You’re offline. Your signup is saved and will be sent automatically.';

test('the README snippet under CSP default-src \'self\': no violations, and the impression reaches the referral', async ({
  page,
  relay,
  impression,
  cspViolations,
}) => {
  const response = await page.goto(`${relay.url}/demo?utm_source=poster&impression_id=${impression}&utm_medium=qr`);
  expect(response!.headers()['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'none'");
  // Captured, then taken out of the address bar; the other parameters stay.
  await expect(page.getByLabel('First name')).toBeVisible();
  expect(new URL(page.url()).search).toBe('?utm_source=poster&utm_medium=qr');

  await fillForm(page);
  await submitButton(page).click();
  await expect(status(page)).toHaveText(THANKS);

  const [referral] = await expectReferrals(relay, impression, 1);
  expect(referral).toMatchObject({
    impression_id: impression,
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: ada.email,
    metadata: { source: 'widget', page: '/demo', utm_source: 'poster', utm_medium: 'qr' },
  });
  expect(await cspViolations()).toEqual([]);
});

test('a reload (or a later visit) keeps the impression, first-party', async ({ page, context, relay, impression }) => {
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  await expect(page.getByLabel('First name')).toBeVisible();
  const cookie = (await context.cookies()).find((c) => c.name === 'vantio_imp');
  expect(cookie).toMatchObject({ value: impression, sameSite: 'Lax', path: '/' });
  expect(cookie!.expires - Date.now() / 1000).toBeGreaterThan(29 * 86400);

  await page.goto(`${relay.url}/demo`);
  await page.reload();
  await fillForm(page);
  await submitButton(page).click();
  await expect(status(page)).toHaveText(THANKS);
  await expectReferrals(relay, impression, 1);
});

test('without an impression the page says what to do instead of showing a form', async ({ page, relay }) => {
  await page.goto(`${relay.url}/demo`);
  await expect(page.getByText('To sign up, scan the QR code on a club poster.')).toBeVisible();
  await expect(page.getByLabel('First name')).toHaveCount(0);
});

test('offline submit, reload, recovery: saved, told, sent once — exactly one referral', async ({
  page,
  context,
  relay,
  impression,
}) => {
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  await page.route('**/v1/signups', (route) => route.abort('internetdisconnected'));
  await fillForm(page);
  await submitButton(page).click();
  await expect(status(page)).toHaveText(SAVED);
  await expect(page.getByLabel('First name')).toHaveCount(0);
  const outbox = await page.evaluate(() => JSON.parse(localStorage.getItem('vantio_outbox') ?? '[]'));
  expect(outbox).toHaveLength(1);

  // Still no network after a reload: the saved submission is shown, not a new form.
  await page.reload();
  await expect(status(page)).toHaveText(SAVED);
  await expect(page.getByLabel('First name')).toHaveCount(0);

  // The connection comes back: the `online` event sends it, with the same key.
  const keys: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/v1/signups')) keys.push(request.headers()['idempotency-key']!);
  });
  await page.unroute('**/v1/signups');
  await context.setOffline(true);
  await context.setOffline(false);
  await expect(status(page)).toHaveText(/Thanks, Ada!/);
  expect(keys).toEqual([outbox[0].k]);
  await expectReferrals(relay, impression, 1);
  expect(await page.evaluate(() => localStorage.getItem('vantio_outbox'))).toBeNull();
});

test('a lost answer (the relay stored it, the phone never heard back) still makes one referral', async ({
  page,
  relay,
  impression,
}) => {
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  let lost = 0;
  await page.route('**/v1/signups', async (route) => {
    if (lost++ > 0) return route.continue();
    await route.fetch(); // reaches the relay...
    await route.abort('connectionreset'); // ...but the answer is lost on the way back
  });
  await fillForm(page);
  await submitButton(page).click();
  await expect(status(page)).toHaveText(SAVED);
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await expect(status(page)).toHaveText(THANKS);
  expect(lost).toBe(2);
  await expectReferrals(relay, impression, 1);
  // And the relay sent it upstream exactly once.
  await page.waitForTimeout(500);
  expect(await relay.referrals(impression)).toHaveLength(1);
});

test('a bot that fills the honeypot is thanked, and nothing reaches Vantio', async ({ page, relay, impression }) => {
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  await fillForm(page);
  await page.locator('input[name="vantio-extra"]').fill('https://spam.example');
  await submitButton(page).click();
  await expect(status(page)).toHaveText(THANKS);
  await page.waitForTimeout(1_000);
  expect(await relay.referrals(impression)).toEqual([]);
});

test('on a club site of another origin, under its own strict CSP, with the queue-stub API', async ({
  page,
  site,
  relay,
  impression,
  cspViolations,
}) => {
  await page.goto(`${site.origin}/join?impression_id=${impression}`);
  await fillForm(page, { first: 'Grace', last: 'Hopper', email: 'grace@example.edu' });
  await submitButton(page).click();
  await expect(status(page)).toHaveText('Thanks, Grace! You’re signed up.');
  const [referral] = await expectReferrals(relay, impression, 1);
  expect(referral).toMatchObject({ email: 'grace@example.edu', metadata: { club: 'chess', campus: 'north', source: 'widget' } });

  // Subscribed through the stub before the script loaded: every event, in order, with details.
  const events = await page.evaluate(() => (window as any).clubEvents as [string, any][]);
  expect(events.map(([name]) => name)).toEqual(['ready', 'submit', 'success']);
  expect(events[0]![1]).toEqual({ impression_id: impression });
  expect(events[2]![1]).toMatchObject({ key: events[1]![1].key, id: expect.stringMatching(/^sgn_/), state: expect.any(String) });
  expect(await page.evaluate(() => (window as any).VantioSignup('impression'))).toBe(impression);
  expect(await cspViolations()).toEqual([]);
});

test('429: waits for Retry-After, keeps the person informed as sending, then goes through', async ({
  page,
  relay,
  impression,
}) => {
  await page.goto(`${relay.url}/demo?impression_id=${impression}`);
  const sentAt: number[] = [];
  await page.route('**/v1/signups', (route) => {
    sentAt.push(Date.now());
    if (sentAt.length > 1) return route.continue();
    return route.fulfill({
      status: 429,
      headers: { 'Retry-After': '2', 'Content-Type': 'application/json' },
      body: JSON.stringify({ error: 'Too Many Requests', message: 'Slow down' }),
    });
  });
  await fillForm(page);
  await submitButton(page).click();
  await expect(status(page)).toHaveText('Sending…');
  await expect(submitButton(page)).toHaveAttribute('aria-disabled', 'true');
  await expect(status(page)).toHaveText(THANKS);
  expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(1_900);
  await expectReferrals(relay, impression, 1);
});
