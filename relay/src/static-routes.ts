/**
 * The widget bundles (`/vantio-signup.js`, `/vantio-capture.js`, and `/vantio-photo.js`, the
 * photo field's chunk the signup bundle imports on pages that show it) and, in sandbox mode, the
 * `/demo` landing page that embeds the widget exactly as the README tells a club officer to.
 *
 * Bundles are public scripts loaded cross-origin by campus landing pages, often over bad
 * Wi-Fi: they are served from memory, precompressed (brotli, gzip), with a strong ETag so a
 * repeat visit costs a 304, and `Access-Control-Allow-Origin: *`.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { errorResponse } from './http/errors';

export const WIDGET_BUNDLES = ['vantio-signup.js', 'vantio-capture.js', 'vantio-photo.js'] as const;
/** The signup widget's non-English strings, fetched by pages that show them (widget/src/strings.ts). */
export const WIDGET_LOCALES = ['vantio-locale-es.json', 'vantio-locale-fr.json'] as const;

/**
 * The URL is unversioned (pasted once into a page), so browsers keep a bundle 5 minutes and then
 * revalidate (a 304 thanks to the ETag), serving the cached copy meanwhile for up to a day:
 * a fix reaches every page within minutes without slowing any page load.
 */
export const BUNDLE_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=86400';

/** The demo proves the widget needs nothing beyond its own origin; no one may frame it. */
export const DEMO_CSP = "default-src 'self'; frame-ancestors 'none'";

export interface StaticRoutesOptions {
  /** The folder holding the built bundles, `widget/dist`. */
  widgetDir: string;
  /** Serve `/demo` (sandbox mode). */
  demo: boolean;
  /**
   * RELAY_PUBLIC_URL, the origin the demo's snippet names. Never the Host header (a rebinding
   * page would choose it); without one the snippet is relative.
   */
  publicUrl?: string | undefined;
}

type Encoding = 'br' | 'gzip' | 'identity';

interface LoadedBundle {
  mtimeMs: number;
  tag: string;
  bodies: Record<Encoding, Buffer>;
}

/** Picks brotli, then gzip, then identity, honouring `;q=0` refusals. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name) accepted.set(name, q ? Number(q.slice(2)) : 1);
  }
  const ok = (name: string) => (accepted.get(name) ?? (accepted.get('*') || 0)) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : 'identity';
}

/** If-None-Match uses the weak comparison: `W/` prefixes are ignored, `*` matches anything. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

export function createStaticRoutes({ widgetDir, demo, publicUrl }: StaticRoutesOptions): Hono {
  const app = new Hono();
  const cache = new Map<string, LoadedBundle>();

  /** Reads a bundle on first use and again only when the file changes (a rebuild while running). */
  async function load(file: string): Promise<LoadedBundle | undefined> {
    const path = join(widgetDir, file);
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(path)).mtimeMs;
    } catch {
      return undefined;
    }
    const cached = cache.get(file);
    if (cached?.mtimeMs === mtimeMs) return cached;
    const identity = await readFile(path);
    const loaded: LoadedBundle = {
      mtimeMs,
      tag: createHash('sha256').update(identity).digest('base64url').slice(0, 27),
      bodies: {
        identity,
        gzip: gzipSync(identity, { level: 9 }),
        br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      },
    };
    cache.set(file, loaded);
    return loaded;
  }

  for (const file of [...WIDGET_BUNDLES, ...WIDGET_LOCALES]) {
    const contentType = file.endsWith('.json') ? 'application/json; charset=utf-8' : 'text/javascript; charset=utf-8';
    app.get(`/${file}`, async (c) => {
      const bundle = await load(file);
      if (!bundle) {
        return errorResponse(c, 503, `The widget bundle ${file} is not built: run \`npm run build\` (\`npm start\` does it).`);
      }
      const encoding = chooseEncoding(c.req.header('accept-encoding'));
      // One strong ETag per representation: the bytes differ per encoding.
      const etag = `"${bundle.tag}${encoding === 'identity' ? '' : `-${encoding}`}"`;
      c.header('ETag', etag);
      c.header('Cache-Control', BUNDLE_CACHE_CONTROL);
      c.header('Vary', 'Accept-Encoding');
      c.header('Access-Control-Allow-Origin', '*');
      // Pages that isolate themselves (COEP) may still load it.
      c.header('Cross-Origin-Resource-Policy', 'cross-origin');
      c.header('X-Content-Type-Options', 'nosniff');
      if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
      c.header('Content-Type', contentType);
      if (encoding !== 'identity') c.header('Content-Encoding', encoding);
      const body = bundle.bodies[encoding]; // answered as a view on the cached bytes, not a copy
      return c.body(new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength), 200);
    });
  }

  if (demo) {
    app.get('/demo', (c) => {
      c.header('Content-Security-Policy', DEMO_CSP);
      c.header('X-Frame-Options', 'DENY'); // like /admin: a landing page is not for framing elsewhere
      c.header('Cache-Control', 'no-cache');
      // The relay's own origin, as the README's snippet names it.
      return c.html(demoPage(publicUrl ?? ''));
    });
    // Without an icon the browser asks for /favicon.ico and logs the 404 as a console error.
    app.get('/demo-icon.svg', (c) => {
      c.header('Content-Type', 'image/svg+xml');
      c.header('Cache-Control', 'public, max-age=86400');
      return c.body(DEMO_ICON);
    });
    app.get('/demo.css', (c) => {
      c.header('Content-Type', 'text/css; charset=utf-8');
      c.header('Cache-Control', 'no-cache');
      return c.body(DEMO_CSS);
    });
  }
  return app;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** The README's two lines, as a club officer pastes them. */
export function embedSnippet(relayOrigin: string): string {
  return `<script async src="${escapeHtml(relayOrigin)}/vantio-signup.js"></script>\n<div data-vantio-signup></div>`;
}

/** A plain landing page for a fictional club; all styles come from /demo.css (CSP: no inline). */
export function demoPage(origin: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Riverside Robotics Club · Join us</title>
<link rel="stylesheet" href="/demo.css">
<link rel="icon" href="/demo-icon.svg" type="image/svg+xml">
</head>
<body>
<header><p class="kicker">Riverside University · Student clubs</p><h1>Riverside Robotics Club</h1></header>
<main>
<p>We build small robots, race them on Fridays and take one to the regional championship each spring.
No experience needed: bring curiosity, we bring the soldering irons.</p>
<ul>
<li>Build nights: Tuesdays 18:00, Engineering Hall 101</li>
<li>Race day: Fridays 16:00, the atrium</li>
</ul>
<h2>Join the club</h2>
${embedSnippet(origin)}
</main>
<footer><p>Sandbox demo of vantio-signup. Seeded impressions: imp_demo_1 to imp_demo_5, for example
<a href="/demo?impression_id=imp_demo_1">/demo?impression_id=imp_demo_1</a>.</p></footer>
</body>
</html>
`;
}

/** A gear on a blue disc: the fictional robotics club's icon. */
const DEMO_ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#1d4ed8"/>' +
  '<circle cx="16" cy="16" r="6" fill="none" stroke="#fff" stroke-width="4" stroke-dasharray="3 2.2"/></svg>';

const DEMO_CSS = `:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.5;color:#1b1b1f;background:#fff}
body{margin:0 auto;max-width:40rem;padding:1.5rem 1rem 3rem}
h1{margin:.25rem 0 1rem;font-size:2rem;line-height:1.2}
.kicker{margin:0;font-size:.875rem;text-transform:uppercase;letter-spacing:.05em}
footer{margin-top:2rem;font-size:.875rem}
a{color:#1d4ed8}
@media (prefers-color-scheme:dark){:root{color:#ececf1;background:#1c1c21}a{color:#a8c1ff}}
`;
