/**
 * Headers that must hold for whole classes of answers (issue 11): admin answers are never
 * cached or sniffed (errors included), and every HTML page the relay serves (/demo, /docs,
 * /admin) has one baseline: nosniff, a referrer policy, a CSP with frame-ancestors, no framing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../src/dashboard-routes';
import { htmlBaseline } from '../src/http/security-headers';
import { createStaticRoutes } from '../src/static-routes';
import { ADMIN_TOKEN, createHarness, person, type Harness } from '../src/testing';

let h: Harness;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vantio-headers-'));
  h = await createHarness({ extraRoutes: [createStaticRoutes({ widgetDir: dir, demo: true, publicUrl: 'http://relay.example.edu' })] });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('admin answers', () => {
  it.each([
    ['GET', '/v1/admin/stats', auth, 200],
    ['GET', '/v1/admin/signups', auth, 200],
    ['GET', '/v1/admin/signups/nope', auth, 404],
    ['GET', '/v1/admin/delivery', auth, 200],
    ['GET', '/v1/admin/stats', {}, 401],
    ['GET', '/v1/admin/webhook-payloads', auth, 200],
  ] as const)('%s %s (%j) → %i with Cache-Control: no-store and nosniff', async (method, path, headers, status) => {
    await h.post(person(1));
    const response = await h.relay.app.request(path, { method, headers });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

function expectHtmlBaseline(response: Response, label: string) {
  expect(response.headers.get('content-type'), label).toMatch(/^text\/html/);
  expect(response.headers.get('x-content-type-options'), label).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), label).toBeTruthy();
  expect(response.headers.get('x-frame-options'), label).toBe('DENY');
  expect(response.headers.get('content-security-policy'), label).toMatch(/frame-ancestors 'none'/);
}

describe('HTML pages', () => {
  it('/demo and /docs have the baseline', async () => {
    expectHtmlBaseline(await h.relay.app.request('/demo?impression_id=imp_demo_1'), '/demo');
    const demo = await h.relay.app.request('/demo');
    expect(demo.headers.get('content-security-policy')).toMatch(/^default-src 'self'/); // its own, kept
    expectHtmlBaseline(await h.relay.app.request('/docs'), '/docs');
  });

  it('/admin has the baseline (a built dashboard page)', async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>admin</title>');
    const app = new Hono();
    app.use(htmlBaseline());
    app.route('/', dashboardRoutes({ distDir: dir }));
    expectHtmlBaseline(await app.request('/admin'), '/admin');
  });

  it('a page with no headers of its own gets the deny-all baseline, a JSON answer nothing', async () => {
    const app = new Hono();
    app.use(htmlBaseline());
    app.get('/page', (c) => c.html('<p>hi</p>'));
    app.get('/json', (c) => c.json({ ok: true }));
    const page = await app.request('/page');
    expectHtmlBaseline(page, '/page');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    const json = await app.request('/json');
    expect(json.headers.get('content-security-policy')).toBeNull();
    expect(json.headers.get('x-frame-options')).toBeNull();
  });
});
