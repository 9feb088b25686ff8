/**
 * `GET /openapi.json` and the reference page `GET /docs` (+ its stylesheet). Both are
 * built once when the app is created; the page loads nothing from other origins.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { buildOpenApiDocument, type OpenApiDocument } from './document';
import { ROUTES, TAGS } from './paths';
import { renderReferencePage } from './reference-page';

const STYLESHEET = readFileSync(new URL('./reference.css', import.meta.url), 'utf8');

let built: OpenApiDocument | undefined;

/** The relay's document (built on first use: it is the same for every app in a process). */
export function relayOpenApiDocument(): OpenApiDocument {
  return (built ??= buildOpenApiDocument({ routes: ROUTES, tags: TAGS }));
}

export function openApiRoutes(document: OpenApiDocument = relayOpenApiDocument()) {
  const json = JSON.stringify(document, null, 2);
  const page = Promise.resolve(renderReferencePage(document)).then(String);
  const app = new Hono();
  app.use(
    '/docs/*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: 'DENY', // as frame-ancestors says, for browsers that only know this one
      strictTransportSecurity: false,
    }),
  );
  app.get('/openapi.json', (c) => c.body(json, 200, { 'Content-Type': 'application/json; charset=utf-8' }));
  app.get('/docs', async (c) => c.html(await page));
  app.get('/docs/reference.css', (c) =>
    c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=300' }),
  );
  return app;
}
