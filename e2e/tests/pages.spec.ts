/**
 * Hosted signup pages (/join/:slug) on a phone, against the real relay and its emulator:
 * a page made through the admin API, signed up on through its labels (with and without
 * JavaScript), the impression remembered by the relay's cookie, a real phone photo (EXIF,
 * GPS) re-encoded and erased, a text file posing as a JPEG refused, axe in light and dark.
 */
import { gzipSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import { devices, test as base, expect, type Page } from '@playwright/test';
import sharp from 'sharp';
import { phoneJpeg, textAsJpeg } from '../harness/photos';
import { MIN_FILL_MS, startRelay, type RunningRelay } from '../harness/relay';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
const { defaultBrowserType: _type, ...phone } = devices['Pixel 7'];

const test = base.extend<{ impression: string }, { relay: RunningRelay }>({
  relay: [
    async ({}, use) => {
      const relay = await startRelay({ RELAY_ADMIN_TOKEN: ADMIN_TOKEN });
      await use(relay);
      await relay.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  impression: async ({ relay }, use) => use(await relay.newImpression()),
});
test.use({ ...phone });

const admin = (relay: RunningRelay, path: string, init: RequestInit = {}) =>
  fetch(`${relay.url}/v1/admin${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });

async function createPage(relay: RunningRelay, slug: string, config: Record<string, unknown> = {}) {
  const res = await admin(relay, `/pages/${slug}`, {
    method: 'PUT',
    body: JSON.stringify({
      title: 'Join the Riverside Robotics Club',
      club_name: 'Riverside Robotics',
      description: 'We build small robots and race them on Fridays.',
      accent_color: '#ffcc00',
      fields: ['profile_picture'],
      success_message: 'Welcome aboard! See you on Tuesday.',
      ...config,
    }),
  });
  expect(res.status).toBe(201);
}

async function signUp(page: Page, person: { first: string; last: string; email: string }) {
  await page.getByLabel('First name').fill(person.first);
  await page.getByLabel('Last name').fill(person.last);
  await page.getByLabel('Email').fill(person.email);
  await page.waitForTimeout(MIN_FILL_MS + 100); // the relay's fill-time bot check
}

async function referralsOf(relay: RunningRelay, impression: string, count: number) {
  await expect.poll(async () => (await relay.referrals(impression)).length, { timeout: 15_000 }).toBe(count);
  return relay.referrals(impression);
}

async function expectNoAxeViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('a page made through the admin API: signed up through its labels, the referral carries the impression', async ({ page, relay, impression }) => {
  await createPage(relay, 'robotics');
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`${relay.url}/join/robotics?impression_id=${impression}`);
  // The parameter left the address bar; the relay's cookie holds it, out of scripts' reach.
  await expect(page).toHaveURL(`${relay.url}/join/robotics`);
  const [cookie] = await page.context().cookies();
  expect(cookie).toMatchObject({ name: 'vantio_impression', value: impression, httpOnly: true, secure: true, sameSite: 'Lax' });
  await expect(page.getByRole('heading', { name: 'Join the Riverside Robotics Club' })).toBeVisible();
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', 'Join the Riverside Robotics Club');

  await signUp(page, { first: 'Ada', last: 'Lovelace', email: 'ada@example.edu' });
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page).toHaveURL(`${relay.url}/join/robotics/thanks`);
  await expect(page.getByRole('status')).toHaveText('Welcome aboard! See you on Tuesday.');
  const [referral] = await referralsOf(relay, impression, 1);
  expect(referral).toMatchObject({ impression_id: impression, first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.edu' });
  expect(requests.filter((url) => !url.startsWith(relay.url))).toEqual([]);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('the native form signs up; errors come back with the values kept; a resend is no second referral', async ({ page, relay, impression }) => {
    await createPage(relay, 'chess', { title: 'Chess Club', locale: 'fr', fields: [], success_message: undefined });
    await page.goto(`${relay.url}/join/chess?impression_id=${impression}`);
    await expect(page).toHaveURL(`${relay.url}/join/chess`);
    await page.getByLabel('Prénom').fill('Marie');
    await page.getByLabel('E-mail').fill('not-an-email');
    await page.waitForTimeout(MIN_FILL_MS + 100);
    await page.getByRole('button', { name: 'M’inscrire' }).click();
    await expect(page.getByRole('alert')).toHaveText('Corrigez les champs signalés.');
    await expect(page.getByLabel('Nom', { exact: true })).toHaveAccessibleDescription('Ce champ est obligatoire.');
    await expect(page.getByLabel('Prénom')).toHaveValue('Marie');
    await expect(page.getByLabel('E-mail')).toHaveValue('not-an-email');

    await page.getByLabel('Nom', { exact: true }).fill('Curie');
    await page.getByLabel('E-mail').fill('marie@example.edu');
    const form_token = (await page.locator('input[name=form_token]').getAttribute('value'))!;
    await page.getByRole('button', { name: 'M’inscrire' }).click();
    await expect(page.getByRole('status')).toHaveText('Merci ! Vous êtes inscrit.');
    await referralsOf(relay, impression, 1);

    // The same form sent again (a double tap, a resend after a timeout): replayed, no second referral.
    const again = await page.request.post(`${relay.url}/join/chess`, {
      form: { first_name: 'Marie', last_name: 'Curie', email: 'marie@example.edu', form_token },
    });
    expect(again.url()).toBe(`${relay.url}/join/chess/thanks`);
    await page.waitForTimeout(500);
    expect(await relay.referrals(impression)).toHaveLength(1);
    expect(Object.values(await relay.createCalls()).every((calls) => calls === 1)).toBe(true);
  });
});

test('a second visit without the parameter is remembered by the cookie; with neither, "scan the poster"', async ({ browser, relay, impression }) => {
  await createPage(relay, 'drama', { title: 'Drama Society', fields: [], success_message: undefined });
  const context = await browser.newContext({ ...phone });
  const first = await context.newPage();
  await first.goto(`${relay.url}/join/drama?impression_id=${impression}`);
  await first.close();

  const later = await context.newPage();
  await later.goto(`${relay.url}/join/drama`);
  await signUp(later, { first: 'Grace', last: 'Hopper', email: 'grace@example.edu' });
  await later.getByRole('button', { name: 'Sign up' }).click();
  await expect(later.getByRole('status')).toHaveText('Thanks! You’re signed up.');
  expect((await referralsOf(relay, impression, 1))[0]).toMatchObject({ email: 'grace@example.edu' });
  await context.close();

  const stranger = await browser.newContext({ ...phone });
  const page = await stranger.newPage();
  await page.goto(`${relay.url}/join/drama`);
  await expect(page.getByRole('heading', { name: 'Scan the poster' })).toBeVisible();
  await expect(page.getByLabel('First name')).toHaveCount(0);
  await stranger.close();
});

test('a 12-megapixel photo with EXIF and GPS: forwarded as a ≤ 1024 px picture without metadata, deleted on erase', async ({ page, relay, impression }) => {
  await createPage(relay, 'photo');
  await page.goto(`${relay.url}/join/photo?impression_id=${impression}`);
  await signUp(page, { first: 'Katherine', last: 'Johnson', email: 'katherine@example.edu' });
  const jpeg = await phoneJpeg();
  expect((await sharp(jpeg).metadata()).exif!.includes('TestPhone')).toBe(true);
  await page.getByLabel(/Photo/).setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('status')).toBeVisible();

  const [referral] = await referralsOf(relay, impression, 1);
  expect(referral!.profile_picture).toMatch(new RegExp(`^${relay.url}/pictures/[A-Za-z0-9_-]{32}\\.webp$`));
  const served = await fetch(referral!.profile_picture!);
  expect(served.status).toBe(200);
  expect(served.headers.get('cache-control')).toContain('immutable');
  expect(served.headers.get('x-content-type-options')).toBe('nosniff');
  const bytes = Buffer.from(await served.arrayBuffer());
  const metadata = await sharp(bytes).metadata();
  expect(Math.max(metadata.width!, metadata.height!)).toBeLessThanOrEqual(1024);
  expect(metadata.exif).toBeUndefined();
  expect(bytes.includes('TestPhone')).toBe(false);

  const erased = await admin(relay, '/people/katherine@example.edu', { method: 'DELETE' });
  expect(erased.status).toBe(200);
  expect((await fetch(referral!.profile_picture!)).status).toBe(404);
});

test('a text file renamed .jpg is refused, the form kept, nothing sent', async ({ page, relay, impression }) => {
  await createPage(relay, 'refuse');
  await page.goto(`${relay.url}/join/refuse?impression_id=${impression}`);
  await signUp(page, { first: 'Alan', last: 'Turing', email: 'alan@example.edu' });
  await page.getByLabel(/Photo/).setInputFiles(textAsJpeg);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByText('This file is not a picture we can use.', { exact: false })).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue('alan@example.edu');
  await page.waitForTimeout(500);
  expect(await relay.referrals(impression)).toHaveLength(0);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe-clean in ${colorScheme}: form, errors, thanks, scan the poster, 404; no CSP violation`, async ({ page, relay, impression }) => {
    await page.emulateMedia({ colorScheme });
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await createPage(relay, `axe-${colorScheme}`);
    await page.goto(`${relay.url}/join/axe-${colorScheme}?impression_id=${impression}`);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expectNoAxeViolations(page);
    await signUp(page, { first: 'Ada', last: 'Lovelace', email: `ada-${colorScheme}@example.edu` });
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByRole('status')).toBeVisible();
    await expectNoAxeViolations(page);
    await page.context().clearCookies();
    await page.goto(`${relay.url}/join/axe-${colorScheme}`);
    await expectNoAxeViolations(page);
    const missing = await page.goto(`${relay.url}/join/no-such-club`);
    expect(missing!.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await expectNoAxeViolations(page);
    expect(violations).toEqual([]);
  });
}

test('the first view is at most 30 KB gzip, everything included', async ({ page, relay, impression }) => {
  await createPage(relay, 'weight');
  const bodies: Buffer[] = [];
  page.on('response', async (response) => {
    if (response.status() < 300) bodies.push(await response.body());
  });
  await page.goto(`${relay.url}/join/weight?impression_id=${impression}`, { waitUntil: 'load' });
  await expect(page.getByLabel('First name')).toBeVisible();
  const gzip = bodies.reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0);
  console.log(`first view: ${bodies.length} response(s), ${bodies.reduce((s, b) => s + b.length, 0)} B raw, ${gzip} B gzip`);
  expect(bodies).toHaveLength(1); // the document: styles inline, no script, no font
  expect(gzip).toBeLessThanOrEqual(30 * 1024);
});
