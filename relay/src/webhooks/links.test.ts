import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const FORM = 'https://docs.google.com/forms/d/e/1FAIpQLSd3Xk9Qm2vT7rJp0aB4cE6gH8iK1lM3nO5pQ7rS9tU1vW3xYz/viewform';
const put = (slug: string, body: unknown) =>
  h.admin(`/links/${slug}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const go = (path: string, init?: RequestInit) => h.relay.app.request(`/go/${path}`, init);
const linkCount = async () => Number((await h.relay.store.read.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM poster_links'))!.n);

describe('GET /go/:slug → the Google Form with the impression prefilled', () => {
  beforeEach(async () => {
    expect((await put('robotics', { target: FORM, impression_param: 'entry.1122334455' })).status).toBe(201);
  });

  it('answers 302 to the prefill link, the impression URL-encoded into its entry field', async () => {
    const response = await go('robotics?impression_id=imp_demo_1');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${FORM}?usp=pp_url&entry.1122334455=imp_demo_1`);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('survives a restart (the link is in the database)', async () => {
    h.relay = await h.restart();
    expect((await go('robotics?impression_id=imp_demo_2')).headers.get('location')).toContain('entry.1122334455=imp_demo_2');
  });

  it.each([
    ['no impression', 'robotics', 400],
    ['an impression that would add parameters', 'robotics?impression_id=imp_1%26entry.9%3Dx', 400],
    ['an impression with a URL in it', 'robotics?impression_id=https://evil.example/', 400],
    ['an unknown slug', 'nope?impression_id=imp_demo_1', 404],
    ['a slug that is not one', '..%2Fadmin?impression_id=imp_demo_1', 404],
  ])('refuses %s with a JSON error', async (_name, path, status) => {
    const response = await go(path);
    expect(response.status).toBe(status);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.json()).toEqual({ error: expect.any(String), message: expect.any(String) });
  });

  it('answers 405 for other methods', async () => {
    expect((await go('robotics?impression_id=imp_demo_1', { method: 'POST' })).status).toBe(405);
  });
});

describe('the admin API for poster links', () => {
  it('creates, reads, lists, replaces and deletes a link', async () => {
    const created = await put('chess-club', { target: FORM, impression_param: 'entry.42' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ slug: 'chess-club', url: '/go/chess-club', target: FORM, impression_param: 'entry.42' });
    const replaced = await put('chess-club', { target: `${FORM}?hl=fr`, impression_param: 'entry.43' });
    expect(replaced.status).toBe(200);
    expect(await (await h.admin('/links/chess-club')).json()).toMatchObject({ impression_param: 'entry.43' });
    expect(await (await h.admin('/links')).json()).toMatchObject({ links: [{ slug: 'chess-club' }] });
    expect((await go('chess-club?impression_id=imp_x')).headers.get('location')).toBe(`${FORM}?hl=fr&usp=pp_url&entry.43=imp_x`);
    expect((await h.admin('/links/chess-club', { method: 'DELETE' })).status).toBe(204);
    expect((await h.admin('/links/chess-club')).status).toBe(404);
    expect((await go('chess-club?impression_id=imp_x')).status).toBe(404);
  });

  it.each([
    ['http', { target: FORM.replace('https:', 'http:'), impression_param: 'entry.1' }, 'must be an https:// URL'],
    ['another host', { target: 'https://evil.example/forms/d/e/x/viewform', impression_param: 'entry.1' }, 'is not'],
    ['a look-alike host', { target: 'https://docs.google.com.evil.example/forms/d/e/x/viewform', impression_param: 'entry.1' }, 'is not'],
    ['a Google Doc', { target: 'https://docs.google.com/document/d/abc/edit', impression_param: 'entry.1' }, 'must be a Google Form'],
    ['a Google Form path trick', { target: 'https://docs.google.com/forms/../url?q=https://evil.example', impression_param: 'entry.1' }, 'must be a Google Form'],
    ['credentials', { target: FORM.replace('https://', 'https://me:pw@'), impression_param: 'entry.1' }, 'user name'],
    ['another port', { target: FORM.replace('docs.google.com', 'docs.google.com:8443'), impression_param: 'entry.1' }, 'is not'],
    ['javascript:', { target: 'javascript:alert(1)', impression_param: 'entry.1' }, 'https'],
    ['a non-entry field for a Google Form', { target: FORM, impression_param: 'impression_id' }, 'entry.<number>'],
    ['an unknown key', { target: FORM, impression_param: 'entry.1', redirect: 'x' }, 'invalid'],
    ['no target', { impression_param: 'entry.1' }, 'invalid'],
  ])('refuses %s (400) and stores nothing', async (_name, body, message) => {
    const response = await put('club', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain(message);
    expect(await linkCount()).toBe(0);
  });

  it('refuses a bad slug, a body that is not JSON, and a missing token', async () => {
    expect((await put('Bad_Slug', { target: FORM, impression_param: 'entry.1' })).status).toBe(400);
    const notJson = await h.admin('/links/club', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    const anonymous = await h.relay.app.request('/v1/admin/links/club', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: FORM, impression_param: 'entry.1' }),
    });
    expect(anonymous.status).toBe(401);
    expect(await linkCount()).toBe(0);
  });

  it('allows other origins only from the admin allowlist, re-checked on every redirect', async () => {
    const tally = { target: 'https://tally.so/r/wMx9Ab', impression_param: 'impression_id' };
    expect((await put('tally', tally)).status).toBe(400);
    const setOrigins = (origins: unknown) =>
      h.admin('/link-origins', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ origins }) });
    expect((await setOrigins(['https://tally.so/'])).status).toBe(400);
    expect((await setOrigins(['http://tally.so'])).status).toBe(400);
    expect(await (await setOrigins(['https://tally.so', 'https://tally.so'])).json()).toEqual({ origins: ['https://tally.so'] });
    expect((await put('tally', tally)).status).toBe(201);
    expect((await go('tally?impression_id=imp_demo_3')).headers.get('location')).toBe('https://tally.so/r/wMx9Ab?impression_id=imp_demo_3');
    // Taking the origin off the list stops its links at once.
    await setOrigins([]);
    expect((await go('tally?impression_id=imp_demo_3')).status).toBe(404);
    expect(h.logLines.join('')).toContain('poster link target refused');
  });
});
