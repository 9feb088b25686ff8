/**
 * The admin dashboard (`relay/dashboard`, built by Vite into `relay/dashboard/dist`):
 * `GET /admin` serves the page, `GET /admin/assets/:file` its hashed scripts and styles.
 * The page holds no secret: it asks for the admin token and calls the admin API with it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { ApiError } from './http/errors';

export const DASHBOARD_DIST = fileURLToPath(new URL('../dashboard/dist', import.meta.url));

/** Scripts, styles and API calls from this origin only; nothing inline, no frames, no forms elsewhere. */
const dashboardHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  strictTransportSecurity: false,
});

export function dashboardRoutes({ distDir = DASHBOARD_DIST }: { distDir?: string } = {}) {
  const app = new Hono();
  app.use('/admin', dashboardHeaders);
  app.use('/admin/*', dashboardHeaders);

  app.get('/admin', async (c) => {
    let page: string;
    try {
      page = await readFile(join(distDir, 'index.html'), 'utf8');
    } catch {
      throw new ApiError(503, 'The admin dashboard is not built: run `npm run build` (`npm start` does it)');
    }
    c.header('Cache-Control', 'no-cache');
    return c.html(page);
  });

  // Hashed file names: a new build has new names, so these can be cached for good.
  // Made on first use: serveStatic complains at creation when the build is missing.
  let assets: ReturnType<typeof serveStatic> | undefined;
  app.get('/admin/assets/:file', async (c, next) => {
    assets ??= serveStatic({ root: distDir, rewriteRequestPath: (path) => path.slice('/admin'.length) });
    const found = await assets(c, next);
    // Not found, serveStatic hands on to `next`, whose result is no Response.
    if (!(found instanceof Response)) throw new ApiError(404, 'No such file in the built dashboard');
    found.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
    return found;
  });
  return app;
}
