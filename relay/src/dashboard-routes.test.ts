import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZErrorBody } from '@vantio/shared';
import { createErrorHandler } from './http/errors';
import { DASHBOARD_DIST, dashboardRoutes } from './dashboard-routes';
import { Hono } from 'hono';

let dir: string;
const app = new Hono();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dashboard-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/admin/assets/index-abc123.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("dashboard")');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'outside assets');
  app.onError(createErrorHandler(() => undefined));
  app.route('/', dashboardRoutes({ distDir: dir }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GET /admin', () => {
  it('serves the page under a CSP that allows only this origin and nothing inline', async () => {
    const response = await app.request('/admin');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('/admin/assets/index-abc123.js');
    const csp = response.headers.get('content-security-policy')!;
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('answers 503 with the fix when the dashboard is not built', async () => {
    const empty = new Hono();
    empty.onError(createErrorHandler(() => undefined));
    empty.route('/', dashboardRoutes({ distDir: join(dir, 'missing') }));
    const response = await empty.request('/admin');
    expect(response.status).toBe(503);
    expect(ZErrorBody.parse(await response.json()).message).toMatch(/npm run build/);
  });
});

describe('GET /admin/assets/:file', () => {
  it('serves built files with their type, cached for good, under the same CSP', async () => {
    const script = await app.request('/admin/assets/index-abc123.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await script.text()).toBe('console.log("dashboard")');
    const style = await app.request('/admin/assets/index-abc123.css');
    expect(style.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('serves nothing outside the assets folder', async () => {
    for (const path of ['/admin/assets/nope.js', '/admin/assets/..%2Fsecret.txt', '/admin/assets/%2e%2e%2fsecret.txt', '/admin/secret.txt']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('outside assets');
    }
  });
});

describe('the built dashboard (npm run build)', () => {
  it.runIf(readdirSync(join(DASHBOARD_DIST, '..')).includes('dist'))('loads only same-origin assets and has no inline script or style', () => {
    const page = readFileSync(join(DASHBOARD_DIST, 'index.html'), 'utf8');
    expect(page).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    const urls = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const url of urls) expect(url).toMatch(/^\/admin\/assets\/[\w.-]+\.(js|css|svg)$/);
    for (const url of urls) expect(readdirSync(join(DASHBOARD_DIST, 'assets'))).toContain(url.split('/').pop());
  });
});
