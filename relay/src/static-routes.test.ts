import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_CACHE_CONTROL, chooseEncoding, createStaticRoutes, DEMO_CSP } from './static-routes';

const SIGNUP = '(function(){/* signup bundle */console.log("vantio signup")})();\n'.repeat(20);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vantio-static-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const build = (file: string, text: string) => writeFileSync(join(dir, file), text);
const routes = (demo = false, publicUrl = 'http://relay.example.edu') =>
  createStaticRoutes({ widgetDir: dir, demo, publicUrl });
const get = (app: ReturnType<typeof routes>, path: string, headers: Record<string, string> = {}) =>
  app.request(`http://relay.example.edu${path}`, { headers });

describe('locale files', () => {
  it('are served beside the bundles as CORS-open JSON, for pages on other origins', async () => {
    build('vantio-locale-es.json', '{"submit":"Inscribirme"}');
    const res = await get(routes(), '/vantio-locale-es.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({ submit: 'Inscribirme' });
  });
});

describe('the photo chunk', () => {
  it('is served like the bundles: JavaScript (a module script needs the type), CORS-open, precompressed, 304 on a match', async () => {
    const chunk = 'export function preparePicture(){/* photo chunk */}\n'.repeat(20);
    build('vantio-photo.js', chunk);
    const app = routes();
    const res = await get(app, '/vantio-photo.js', { 'Accept-Encoding': 'br' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toBe(BUNDLE_CACHE_CONTROL);
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(chunk);
    const again = await get(app, '/vantio-photo.js', { 'Accept-Encoding': 'br', 'If-None-Match': res.headers.get('etag')! });
    expect(again.status).toBe(304);
  });
});

describe('bundles', () => {
  it('are served as public, cacheable, CORS-open JavaScript', async () => {
    build('vantio-signup.js', SIGNUP);
    const res = await get(routes(), '/vantio-signup.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(SIGNUP);
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => (headers[name] = value));
    expect(headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': BUNDLE_CACHE_CONTROL,
      'access-control-allow-origin': '*',
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'cross-origin',
      vary: 'Accept-Encoding',
    });
    expect(res.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
  });

  it('answer 304 to a matching If-None-Match (weak or strong, in a list) and 200 otherwise', async () => {
    build('vantio-capture.js', 'capture();');
    const app = routes();
    const etag = (await get(app, '/vantio-capture.js')).headers.get('etag')!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await get(app, '/vantio-capture.js', { 'If-None-Match': ifNoneMatch });
      expect(res.status, ifNoneMatch).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
    }
    expect((await get(app, '/vantio-capture.js', { 'If-None-Match': '"stale"' })).status).toBe(200);
  });

  it('are precompressed with brotli or gzip, each encoding with its own ETag', async () => {
    build('vantio-signup.js', SIGNUP);
    const app = routes();
    const br = await get(app, '/vantio-signup.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    const gz = await get(app, '/vantio-signup.js', { 'Accept-Encoding': 'gzip' });
    const plain = await get(app, '/vantio-signup.js');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(SIGNUP);
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(SIGNUP);
    const tags = [br, gz, plain].map((r) => r.headers.get('etag'));
    expect(new Set(tags).size).toBe(3);
    expect(tags[0]).toBe(tags[2]!.replace(/"$/, '-br"'));
  });

  it('negotiate encodings by q-values', () => {
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('*;q=0, identity')).toBe('identity');
    expect(chooseEncoding('GZIP')).toBe('gzip');
  });

  it('answer a clear 503 while not built, and pick up a build (or a rebuild) without a restart', async () => {
    const app = routes();
    const missing = await get(app, '/vantio-signup.js');
    expect(missing.status).toBe(503);
    expect(await missing.json()).toEqual({ error: 'Service Unavailable', message: expect.stringContaining('npm run build') });

    build('vantio-signup.js', 'one();');
    expect(await (await get(app, '/vantio-signup.js')).text()).toBe('one();');
    build('vantio-signup.js', 'two();');
    utimesSync(join(dir, 'vantio-signup.js'), new Date(), new Date(Date.now() + 5_000));
    expect(await (await get(app, '/vantio-signup.js')).text()).toBe('two();');
  });

  it('answer HEAD with the headers and no body', async () => {
    build('vantio-signup.js', SIGNUP);
    const res = await routes().request('http://relay.example.edu/vantio-signup.js', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeTruthy();
    expect(await res.text()).toBe('');
  });
});

describe('/demo', () => {
  it('exists only in sandbox mode', async () => {
    expect((await get(routes(false), '/demo')).status).toBe(404);
  });

  it('embeds the widget exactly as the README snippet, under a strict CSP with its styles in a file', async () => {
    const app = routes(true);
    const res = await get(app, '/demo?impression_id=imp_demo_1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(DEMO_CSP);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain(
      '<script async src="http://relay.example.edu/vantio-signup.js"></script>\n<div data-vantio-signup></div>',
    );
    // Nothing the CSP would block: no inline script, style element or style attribute.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<style|style=/);
    expect(html).toContain('<link rel="stylesheet" href="/demo.css">');
    const css = await get(app, '/demo.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    // An icon of its own (same origin, allowed by the CSP), so no /favicon.ico 404 in the console.
    expect(html).toContain('<link rel="icon" href="/demo-icon.svg" type="image/svg+xml">');
    const icon = await get(app, '/demo-icon.svg');
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    expect(await icon.text()).toMatch(/^<svg /);
  });

  it('names RELAY_PUBLIC_URL, never the Host the page was requested on', async () => {
    const html = await (await routes(true).request('http://rebind.evil.example/demo')).text();
    expect(html).toContain('src="http://relay.example.edu/vantio-signup.js"');
    expect(html).not.toContain('rebind.evil.example');
    const relative = await (await createStaticRoutes({ widgetDir: dir, demo: true }).request('http://rebind.evil.example/demo')).text();
    expect(relative).toContain('<script async src="/vantio-signup.js"></script>');
    expect(relative).not.toContain('rebind.evil.example');
  });
});
