import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createHmac } from 'node:crypto';
import { ADMIN_TOKEN, createHarness, person, type Harness } from '../testing';
import { createStaticRoutes } from '../static-routes';
import { compileSources } from '../webhooks';
import { toOpenApiPath, type JsonSchema, type OpenApiDocument } from './document';
import { NAMED_SCHEMAS } from './schemas';

const WEBHOOK_SECRET = 'webhook-secret-for-doc-tests-0123';
let h: Harness;
let doc: OpenApiDocument;
beforeAll(async () => {
  h = await createHarness({
    metricsToken: 'metrics-token-for-doc-tests-01',
    // main.ts mounts these too (the widget bundles; /demo in sandbox mode).
    extraRoutes: [createStaticRoutes({ widgetDir: new URL('../../../widget/dist', import.meta.url).pathname, demo: true })],
    webhookSources: compileSources({
      sources: {
        forms: {
          verifier: 'hmac-sha256',
          secrets: [WEBHOOK_SECRET],
          header: 'x-signature',
          map: { impression_id: 'impression', first_name: 'first', last_name: 'last', email: 'email' },
        },
      },
    }),
  });
  doc = (await (await h.relay.app.request('/openapi.json')).json()) as OpenApiDocument;
});
afterAll(async () => {
  await h.close();
});

type Operation = { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> };

/** Checks a real response against the document: its status is listed, its body fits the named schema. */
async function expectDocumented(method: string, honoPath: string, response: Response): Promise<unknown> {
  const operation = doc.paths[toOpenApiPath(honoPath)]?.[method] as Operation | undefined;
  expect(operation, `${method.toUpperCase()} ${honoPath} is documented`).toBeDefined();
  const documented = operation!.responses[String(response.status)];
  expect(documented, `${method.toUpperCase()} ${honoPath} documents status ${response.status}`).toBeDefined();
  const [type, media] = Object.entries(documented!.content ?? {})[0] ?? [];
  if (type) expect(response.headers.get('content-type') ?? '').toContain(type.split(';')[0]);
  const ref = media?.schema.$ref;
  if (!ref) return response.text();
  const name = ref.replace('#/components/schemas/', '') as keyof typeof NAMED_SCHEMAS;
  const body: unknown = await response.json();
  const parsed = (NAMED_SCHEMAS[name] as z.ZodType).safeParse(body);
  expect(parsed.success, `${method.toUpperCase()} ${honoPath} ${response.status} fits ${name}: ${parsed.error?.message}`).toBe(true);
  return body;
}

const routePaths = () => h.relay.app.routes.filter((route) => !route.path.includes('*'));

describe('/openapi.json', () => {
  it('is OpenAPI 3.1 with resolvable references and unique operation ids', () => {
    expect(doc.openapi).toBe('3.1.0');
    const text = JSON.stringify(doc);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([A-Za-z]+)"/g)) {
      expect(doc.components.schemas[name!], `schema ${name}`).toBeDefined();
    }
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) {
      expect(operation.summary).toEqual(expect.any(String));
      expect(Object.keys(operation.responses as object).length).toBeGreaterThan(0);
    }
  });

  it('documents every route registered on the app, and nothing that is not', () => {
    const registered = new Set<string>();
    for (const route of routePaths()) {
      const path = toOpenApiPath(route.path);
      if (route.method === 'ALL') {
        // A catch-all handler on a concrete path (e.g. 405 for other methods): the path must be documented.
        expect(doc.paths[path], `ALL ${route.path}`).toBeDefined();
        continue;
      }
      const method = route.method.toLowerCase();
      registered.add(`${method} ${path}`);
      expect(doc.paths[path]?.[method], `${route.method} ${route.path} is in /openapi.json`).toBeDefined();
    }
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(documented.filter((entry) => !registered.has(entry))).toEqual([]);
  });

  it('states the field rules the routes enforce, from the shared schemas', () => {
    const request = doc.components.schemas.SignupRequest as { properties: Record<string, JsonSchema>; required: string[] };
    expect(request.required).toEqual(['impression_id', 'first_name', 'last_name', 'email']);
    expect(request.properties.email).toMatchObject({ type: 'string', format: 'email', maxLength: 254 });
    expect(request.properties.first_name).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(request.properties.impression_id!.description).toMatch(/letters, digits/);
    expect((doc.components.schemas.SignupRequest as JsonSchema).additionalProperties).toBe(false);
  });
});

describe('real responses match the document', () => {
  it('public signups API', async () => {
    await expectDocumented('post', '/v1/signups', await h.post(person(1)));
    await expectDocumented('post', '/v1/signups', await h.post(person(1)));
    await expectDocumented('post', '/v1/signups', await h.post({ ...person(2), email: 'nope' }));
    await expectDocumented('post', '/v1/signups', await h.post(person(2), { origin: 'https://evil.example' }));
    await expectDocumented('post', '/v1/signups', await h.post('x', { 'content-type': 'text/plain' }));
    await expectDocumented('post', '/v1/signups', await h.post({ ...person(3), metadata: { pad: 'x'.repeat(40_000) } }));
    await expectDocumented('post', '/v1/signups', await h.post(person(4), { 'idempotency-key': 'k-1' }));
    await expectDocumented('post', '/v1/signups', await h.post(person(5), { 'idempotency-key': 'k-1' }));
  });

  it('operations and documentation endpoints', async () => {
    const request = (path: string, token?: string) =>
      h.relay.app.request(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    await expectDocumented('get', '/healthz', await request('/healthz'));
    await expectDocumented('get', '/readyz', await request('/readyz'));
    await expectDocumented('get', '/metrics', await request('/metrics', ADMIN_TOKEN));
    await expectDocumented('get', '/metrics', await request('/metrics'));
    await expectDocumented('get', '/openapi.json', await request('/openapi.json'));
    await expectDocumented('get', '/docs', await request('/docs'));
    await expectDocumented('get', '/docs/reference.css', await request('/docs/reference.css'));
    await expectDocumented('get', '/admin', await request('/admin'));
    await expectDocumented('get', '/admin/assets/:file', await request('/admin/assets/nope.js'));
    await expectDocumented('get', '/demo', await request('/demo'));
    await expectDocumented('get', '/demo.css', await request('/demo.css'));
    await expectDocumented('get', '/demo-icon.svg', await request('/demo-icon.svg'));
    await expectDocumented('get', '/vantio-locale-es.json', await request('/vantio-locale-es.json'));
    const bundle = await request('/vantio-capture.js');
    await expectDocumented('get', '/vantio-capture.js', bundle);
    const paused = await h.restart({ forwardConcurrency: 0 });
    await expectDocumented('get', '/readyz', await paused.app.request('/readyz'));
    h.relay = await h.restart();
  });

  it('admin API', async () => {
    const { id } = (await (await h.post(person(20, { impression_id: 'imp_unknown' }))).json()) as { id: string };
    await h.settle();
    await expectDocumented('get', '/v1/admin/signups', await h.admin('/signups?state=rejected&limit=1'));
    await expectDocumented('get', '/v1/admin/signups', await h.admin('/signups?stat=dead'));
    await expectDocumented('get', '/v1/admin/signups', await h.admin('/signups', { headers: { authorization: 'Bearer wrong' } }));
    await expectDocumented('get', '/v1/admin/signups/:id', await h.admin(`/signups/${id}`));
    await expectDocumented('get', '/v1/admin/signups/:id', await h.admin('/signups/sgn_nope'));
    await expectDocumented('get', '/v1/admin/stats', await h.admin('/stats?days=7'));
    await expectDocumented('get', '/v1/admin/stats', await h.admin('/stats?days=0'));
    const retry = (body?: unknown) =>
      h.admin(`/signups/${id}/retry`, {
        method: 'POST',
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    await expectDocumented('post', '/v1/admin/signups/:id/retry', await retry({ impression_id: 'imp_demo_2' }));
    await expectDocumented('post', '/v1/admin/signups/:id/retry', await retry());
    await expectDocumented('post', '/v1/admin/signups/:id/retry', await retry({ impression: 'typo' }));
    const bot = async (n: number) =>
      ((await (await h.post({ ...person(n), honeypot: 'spam', time_to_fill_ms: 5000 })).json()) as { id: string }).id;
    const [heldOne, heldTwo] = [await bot(40), await bot(41)];
    await expectDocumented('get', '/v1/admin/signups', await h.admin('/signups?state=held'));
    await expectDocumented('post', '/v1/admin/signups/:id/release', await h.admin(`/signups/${heldOne}/release`, { method: 'POST' }));
    await expectDocumented('post', '/v1/admin/signups/:id/release', await h.admin(`/signups/${heldOne}/release`, { method: 'POST' }));
    await expectDocumented('post', '/v1/admin/signups/:id/discard', await h.admin(`/signups/${heldTwo}/discard`, { method: 'POST' }));
    await expectDocumented('post', '/v1/admin/signups/:id/discard', await h.admin('/signups/sgn_nope/discard', { method: 'POST' }));
    await expectDocumented(
      'post',
      '/v1/admin/replay',
      await h.admin('/replay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"dry_run":true}' }),
    );
    await expectDocumented('get', '/v1/admin/export.csv', await h.admin('/export.csv?state=queued'));
    await expectDocumented('get', '/v1/admin/export.csv', await h.admin('/export.csv?from=yesterday'));
    await expectDocumented('get', '/v1/admin/backup', await h.admin('/backup'));
    await expectDocumented('get', '/v1/admin/delivery', await h.admin('/delivery'));
    await expectDocumented('post', '/v1/admin/delivery/pause', await h.admin('/delivery/pause', { method: 'POST' }));
    await expectDocumented('post', '/v1/admin/delivery/resume', await h.admin('/delivery/resume', { method: 'POST' }));
    await expectDocumented('delete', '/v1/admin/people/:email', await h.admin(`/people/${encodeURIComponent('Person20@Example.edu')}`, { method: 'DELETE' }));
    await expectDocumented('delete', '/v1/admin/people/:email', await h.admin('/people/not-an-email', { method: 'DELETE' }));
    h.relay = await h.restart({ adminToken: undefined });
    await expectDocumented('get', '/v1/admin/stats', await h.admin('/stats'));
  });

  it('webhooks and kept payloads', async () => {
    const deliver = (payload: unknown, signature?: string) => {
      const body = JSON.stringify(payload);
      return h.relay.app.request('/v1/webhooks/forms', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-signature': signature ?? createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex'),
        },
        body,
      });
    };
    const good = { impression: 'imp_demo_1', first: 'Wen', last: 'Hook', email: 'wen@example.edu' };
    await expectDocumented('post', '/v1/webhooks/:source', await deliver(good));
    await expectDocumented('post', '/v1/webhooks/:source', await deliver(good));
    await expectDocumented('post', '/v1/webhooks/:source', await deliver({ ...good, first: 'Again' }));
    await expectDocumented('post', '/v1/webhooks/:source', await deliver(good, 'deadbeef'));
    await expectDocumented('post', '/v1/webhooks/:source', await h.relay.app.request('/v1/webhooks/nope', { method: 'POST' }));
    const unmappable = await deliver({ impression: 'imp_demo_1', first: 'No', last: 'Email' });
    const { payload_id: payloadId } = (await expectDocumented('post', '/v1/webhooks/:source', unmappable)) as { payload_id: string };

    await expectDocumented('get', '/v1/admin/webhook-payloads', await h.admin('/webhook-payloads?status=pending'));
    await expectDocumented('get', '/v1/admin/webhook-payloads', await h.admin('/webhook-payloads?limit=0'));
    await expectDocumented('get', '/v1/admin/webhook-payloads/:id', await h.admin(`/webhook-payloads/${payloadId}`));
    await expectDocumented('get', '/v1/admin/webhook-payloads/:id', await h.admin('/webhook-payloads/whp_nope'));
    const replay = () => h.admin(`/webhook-payloads/${payloadId}/replay`, { method: 'POST' });
    await expectDocumented('post', '/v1/admin/webhook-payloads/:id/replay', await replay());
    await expectDocumented('delete', '/v1/admin/webhook-payloads/:id', await h.admin(`/webhook-payloads/${payloadId}`, { method: 'DELETE' }));
    await expectDocumented('delete', '/v1/admin/webhook-payloads/:id', await h.admin(`/webhook-payloads/${payloadId}`, { method: 'DELETE' }));
  });
});
