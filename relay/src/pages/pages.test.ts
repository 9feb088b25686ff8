import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing';
import { IMPRESSION_COOKIE } from './routes';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ pictures: true, publicUrl: 'https://relay.example.edu' });
});
afterEach(() => h.close());

const put = (slug: string, body: unknown) =>
  h.admin(`/pages/${slug}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const get = (path: string, headers: Record<string, string> = {}) => h.relay.app.request(path, { headers });
const cookieOf = (res: Response) => /vantio_impression=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
const rows = async (sql: string) => Number((await h.relay.store.read.sql.get<{ n: number }>(sql))!.n);
const token = (html: string) => /name="form_token" value="([^"]+)"/.exec(html)![1]!;
const post = (path: string, form: Record<string, string>, cookie?: string) =>
  h.relay.app.request(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie ? { cookie: `${IMPRESSION_COOKIE}=${cookie}` } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });

describe('admin API', () => {
  it('creates, replaces, lists, reads and deletes a page', async () => {
    const created = await put('robotics', { title: 'Robotics', locale: 'fr' });
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toMatchObject({ slug: 'robotics', config: { title: 'Robotics', locale: 'fr', fields: [], attribution_days: 30 } });
    expect((await put('robotics', { title: 'Robotics 2' })).status).toBe(200);
    expect((await (await h.admin('/pages')).json()).pages.map((p: { slug: string }) => p.slug)).toEqual(['robotics']);
    expect((await (await h.admin('/pages/robotics')).json()).config.title).toBe('Robotics 2');
    expect(await (await h.admin('/pages/robotics', { method: 'DELETE' })).json()).toEqual({ deleted: 'robotics' });
    expect((await h.admin('/pages/robotics')).status).toBe(404);
  });

  it('refuses bad input with field issues and stores nothing', async () => {
    const res = await put('robotics', { title: '', accent_color: 'blue', fields: ['shoe_size'], extra: 1 });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['', 'accent_color', 'fields.0', 'title']);
    expect((await put('Bad Slug', { title: 'x' })).status).toBe(400);
    expect((await h.admin('/pages')).status).toBe(200);
    expect((await (await h.admin('/pages')).json()).pages).toEqual([]);
  });

  it('needs the admin token', async () => {
    expect((await h.relay.app.request('/v1/admin/pages')).status).toBe(401);
  });
});

describe('GET /join/:slug', () => {
  beforeEach(async () => {
    await put('robotics', { title: 'Robotics <Club>', description: 'Build robots.', frame_ancestors: ['https://sites.google.com'] });
  });

  it('moves the impression into an HttpOnly cookie and cleans the address bar', async () => {
    const res = await get('/join/robotics?impression_id=imp_demo_1&utm_source=poster');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/join/robotics?utm_source=poster');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=2592000/);
    expect(cookie).toMatch(/Path=\/join\/robotics/);
  });

  it('renders the form with a strict CSP, OpenGraph tags and escaped text', async () => {
    const res = await get('/join/robotics', { cookie: `${IMPRESSION_COOKIE}=imp_demo_1` });
    expect(res.status).toBe(200);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('frame-ancestors https://sites.google.com');
    expect(csp).not.toContain('unsafe-inline');
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).not.toMatch(/<script/);
    expect(html).toContain('<meta property="og:title" content="Robotics &lt;Club>"/>');
    expect(html).toContain('<meta property="og:url" content="https://relay.example.edu/join/robotics"/>');
    expect(html).toContain('<label for="email">Email</label>');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('shows "scan the poster" with neither parameter nor cookie, and an HTML 404 for unknown pages', async () => {
    const scan = await get('/join/robotics');
    expect(scan.status).toBe(200);
    expect(await scan.text()).toContain('Scan the poster');
    const missing = await get('/join/nope', { 'accept-language': 'es-ES,es;q=0.9' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/text\/html/);
    expect(await missing.text()).toContain('Página no encontrada');
  });

  it('keeps the impression in the form when framed (no first-party cookie there)', async () => {
    const res = await get('/join/robotics?impression_id=imp_demo_1', { 'sec-fetch-dest': 'iframe' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="impression_id" value="imp_demo_1"');
  });
});

describe('POST /join/:slug', () => {
  beforeEach(async () => {
    await put('robotics', { title: 'Robotics', locale: 'es' });
  });
  const form = async () => token(await (await get('/join/robotics', { cookie: `${IMPRESSION_COOKIE}=imp_demo_1` })).text());
  const ada = { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.edu' };

  it('signs up through the one ingest path and redirects to the thank-you page', async () => {
    const form_token = await form();
    h.clock.now += 5_000;
    const res = await post('/join/robotics', { ...ada, form_token }, 'imp_demo_1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/join/robotics/thanks');
    await h.settle();
    const { referrals } = await h.referrals();
    expect(referrals).toMatchObject([{ impression_id: 'imp_demo_1', email: 'ada@example.edu' }]);
    const thanks = await get('/join/robotics/thanks');
    expect(await thanks.text()).toContain('¡Gracias! Te has inscrito.');
  });

  it('never makes a second referral from a resubmitted form', async () => {
    const form_token = await form();
    h.clock.now += 5_000;
    await post('/join/robotics', { ...ada, form_token }, 'imp_demo_1');
    const again = await post('/join/robotics', { ...ada, form_token }, 'imp_demo_1');
    expect(again.status).toBe(303);
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(1);
    expect(await rows("SELECT COUNT(*) AS n FROM signups WHERE source = 'page:robotics'")).toBe(1);
  });

  it('re-renders field errors with the values kept, storing nothing', async () => {
    const form_token = await form();
    h.clock.now += 5_000;
    const res = await post('/join/robotics', { first_name: 'Ada', last_name: '', email: 'not-an-email', form_token }, 'imp_demo_1');
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('value="Ada"');
    expect(html).toContain('value="not-an-email"');
    expect(html).toContain('Campo obligatorio.');
    expect(html).toContain('Escribe un correo válido.');
    expect(html).toContain('aria-describedby="email-error"');
    expect(await rows('SELECT COUNT(*) AS n FROM signups')).toBe(0);
  });

  const heldIds = async () =>
    ((await (await h.admin('/signups?state=held')).json()) as { items: Array<{ id: string; held_reason: string }> }).items;

  it('holds a form sent faster than a person can fill it: answered like a person, released, forwarded once', async () => {
    const form_token = await form(); // the harness sets minFillMs 1000; this post comes 0 ms after the render
    const res = await post('/join/robotics', { ...ada, form_token }, 'imp_demo_1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/join/robotics/thanks');
    expect(await h.relay.store.read.meta.counter('bots')).toBe(1);
    await h.settle();
    h.clock.now += 86_400_000;
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(0);
    const items = await heldIds();
    expect(items).toMatchObject([{ held_reason: 'fill_time' }]);
    const released = await h.admin(`/signups/${items[0]!.id}/release`, { method: 'POST' });
    expect(released.status).toBe(200);
    await h.settle();
    const { referrals, create_calls: calls } = await h.referrals();
    expect(referrals).toMatchObject([{ impression_id: 'imp_demo_1', email: 'ada@example.edu' }]);
    expect(Object.values(calls)).toEqual([1]);
    expect((await h.admin(`/signups/${items[0]!.id}/release`, { method: 'POST' })).status).toBe(409);
  });

  it('holds a filled honeypot with the same answer a person gets', async () => {
    const form_token = await form();
    h.clock.now += 5_000;
    const person = await post('/join/robotics', { ...ada, form_token }, 'imp_demo_1');
    const botToken = await form();
    h.clock.now += 5_000;
    const bot = await post('/join/robotics', { ...ada, email: 'bot@example.edu', honeypot: 'http://spam.example', form_token: botToken }, 'imp_demo_2');
    expect([bot.status, bot.headers.get('location')]).toEqual([person.status, person.headers.get('location')]);
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(1);
    expect(await heldIds()).toMatchObject([{ held_reason: 'honeypot' }]);
    expect(await rows("SELECT COUNT(*) AS n FROM signups WHERE source = 'page:robotics'")).toBe(2);
  });

  it('refuses a forged or missing token and a post without an impression', async () => {
    h.clock.now += 5_000;
    const forged = await post('/join/robotics', { ...ada, form_token: `${h.clock.now - 9000}.${'a'.repeat(22)}.${'b'.repeat(22)}` }, 'imp_demo_1');
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('value="ada@example.edu"');
    const noImpression = await post('/join/robotics', { ...ada, form_token: await form() });
    expect(noImpression.status).toBe(400);
    expect(await noImpression.text()).toContain('Escanea el cartel');
    expect(await rows('SELECT COUNT(*) AS n FROM signups')).toBe(0);
  });
});

describe('the photo field', () => {
  beforeEach(async () => {
    await put('robotics', { title: 'Robotics', fields: ['profile_picture'] });
  });
  const multipart = async (file: Blob, name: string) => {
    const html = await (await get('/join/robotics', { cookie: `${IMPRESSION_COOKIE}=imp_demo_1` })).text();
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toContain('accept="image/*"');
    const body = new FormData();
    for (const [key, value] of Object.entries({ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.edu', form_token: token(html) })) {
      body.set(key, value);
    }
    body.set('profile_picture', file, name);
    h.clock.now += 5_000;
    return h.relay.app.request('/join/robotics', { method: 'POST', headers: { cookie: `${IMPRESSION_COOKIE}=imp_demo_1` }, body });
  };

  it('stores an uploaded photo and forwards its absolute URL', async () => {
    const sharp = (await import('sharp')).default;
    const jpeg = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#c05030' } }).jpeg().toBuffer();
    const res = await multipart(new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'me.jpg');
    expect(res.status).toBe(303);
    await h.settle();
    const [referral] = (await h.referrals()).referrals;
    expect(referral!.profile_picture).toMatch(/^https:\/\/relay\.example\.edu\/pictures\/[A-Za-z0-9_-]{32}\.webp$/);
  });

  it('refuses a text file renamed .jpg with a field error, storing nothing', async () => {
    const res = await multipart(new Blob(['just some text'], { type: 'image/jpeg' }), 'me.jpg');
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('id="profile_picture-error"');
    expect(html).toContain('value="ada@example.edu"');
    expect(await rows('SELECT (SELECT COUNT(*) FROM signups) + (SELECT COUNT(*) FROM pictures) AS n')).toBe(0);
  });
});
