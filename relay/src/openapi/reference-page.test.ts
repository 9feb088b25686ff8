import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument } from './document';
import { renderReferencePage } from './reference-page';
import { openApiRoutes, relayOpenApiDocument } from './routes';

const app = openApiRoutes();

describe('GET /docs', () => {
  it('renders every operation and schema of the document as a self-contained page', async () => {
    const response = await app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    const doc = relayOpenApiDocument();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(page).toContain(`<span class="method method-${method}">${method.toUpperCase()}</span> <code class="path">${path}</code>`);
        expect(page).toContain(String(operation.summary).replaceAll("'", '&#39;'));
      }
    }
    for (const name of Object.keys(doc.components.schemas)) expect(page).toContain(`id="schema-${name.toLowerCase()}"`);
    expect(page).toContain('<code>impression_id</code> <span class="required">required</span>');
    expect(page).toContain('max length: <code>254</code>');
  });

  it('loads nothing from elsewhere and runs no script, under a strict CSP', async () => {
    const response = await app.request('/docs');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const page = await response.text();
    expect(page).not.toMatch(/<script|style=|<style|\son[a-z]+=/i);
    const links = [...page.matchAll(/(?:href|src)="([^"]*)"/g)].map((match) => match[1]!);
    expect(links.length).toBeGreaterThan(20);
    for (const link of links) expect(link).toMatch(/^(#[a-z0-9-]+|\/docs\/reference\.css|\/openapi\.json)$/);

    const css = await app.request('/docs/reference.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toContain('.operation');
  });

  it('escapes everything it prints', async () => {
    const evil = '<script>alert("x")</script>';
    const doc = buildOpenApiDocument({
      tags: [{ name: `T${evil}`, description: `about \`${evil}\`` }],
      routes: [
        {
          method: 'get',
          path: '/x',
          tag: `T${evil}`,
          summary: evil,
          description: `a \`${evil}\` b ${evil}`,
          query: z.strictObject({ q: z.string().describe(evil) }),
          responses: { 200: { description: evil } },
        },
      ],
    });
    const page = String(await renderReferencePage(doc));
    expect(page).not.toContain('<script');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('<code>&lt;script&gt;');
  });
});

describe('GET /openapi.json', () => {
  it('serves the document as JSON', async () => {
    const response = await app.request('/openapi.json');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(relayOpenApiDocument())));
  });
});
