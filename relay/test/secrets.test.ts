/**
 * The Vantio secret key never leaves the relay process (issue 6): not in any response body
 * or header (errors, /readyz, /metrics, /openapi.json, /docs, admin answers, the backup
 * download), not in any log line, not in any served file — with a healthy upstream, a flaky
 * one (5xx, 429, timeouts, dropped connections), a wrong key (401), and an upstream that
 * echoes the Authorization header back in its error bodies.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createStaticRoutes } from '../src/static-routes';
import { ADMIN_TOKEN, createHarness, EMULATOR_KEY, person, type Harness } from '../src/testing';
import type { RelayOptions } from '../src/relay';
import { hmacSignature, hostileSources, serveOnLoopback, type LoopbackServer } from './hostile-helpers';
import { startRelayProcess } from './relay-process';

const CANARY = 'sk_live_CANARY_7f3a9c1e5b2d8046';
const WIDGET_DIST = fileURLToPath(new URL('../../widget/dist', import.meta.url));
const DASHBOARD_DIST = fileURLToPath(new URL('../dashboard/dist', import.meta.url));
const KEY_LOOKING = /sk_(live|test)_[A-Za-z0-9]/;

/** Every way the key could be spelled in a leak. */
const spellings = (key: string) => [key, Buffer.from(key).toString('base64'), Buffer.from(`Bearer ${key}`).toString('base64'), encodeURIComponent(key)];

function expectNoKey(key: string, label: string, text: string) {
  for (const spelling of spellings(key)) expect(text.includes(spelling), `${label} contains the secret key`).toBe(false);
}

/**
 * An upstream that answers by the signup's first name and puts the presented Authorization
 * header in its error text (some gateways and debug proxies do): 400, 500, 429, 401, or an
 * unreadable 200.
 */
async function echoingUpstream(): Promise<LoopbackServer & { seen: string[] }> {
  const seen: string[] = [];
  const app = new Hono();
  app.post('/api/v1/referrals', async (c) => {
    const auth = c.req.header('authorization') ?? '';
    seen.push(auth);
    const { first_name: mode } = (await c.req.json()) as { first_name: string };
    const echo = `${mode}: you sent ${auth}`;
    if (mode.startsWith('E400')) return c.json({ error: 'Bad Request', message: echo }, 400);
    if (mode.startsWith('E500')) return c.text(JSON.stringify({ message: echo }), 500);
    if (mode.startsWith('E429')) return c.json({ error: echo }, 429, { 'Retry-After': '1' });
    if (mode.startsWith('E200')) return c.json({ not_a_referral: echo }, 200);
    return c.json({ error: 'Unauthorized', message: echo }, 401);
  });
  const server = await serveOnLoopback(app.fetch);
  return { ...server, seen };
}

function headerText(response: Response): string {
  const lines: string[] = [];
  response.headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  return lines.join('\n');
}

/** Requests a client or an admin could make after the traffic; every answer is returned as text. */
async function everyAnswer(h: Harness): Promise<Array<[string, string]>> {
  const answers: Array<[string, string]> = [];
  const take = async (label: string, response: Response) => {
    answers.push([label, `${response.status}\n${headerText(response)}\n\n${Buffer.from(await response.arrayBuffer()).toString('latin1')}`]);
  };
  const get = (path: string, headers: Record<string, string> = {}) => h.relay.app.request(path, { headers });
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const ids = ((await h.relay.store.read.sql.all('SELECT id FROM signups')) as { id: string }[]).map((row) => row.id);
  const payloads = ((await h.relay.store.read.sql.all('SELECT id FROM webhook_payloads')) as { id: string }[]).map((row) => row.id);
  for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs', '/docs/reference.css', '/admin', '/demo', '/demo.css', '/nope', '/metrics']) {
    await take(path, await get(path));
  }
  for (const file of ['vantio-signup.js', 'vantio-capture.js', 'vantio-photo.js']) await take(file, await get(`/${file}`, { 'accept-encoding': 'identity' }));
  if (existsSync(join(DASHBOARD_DIST, 'assets'))) {
    for (const file of readdirSync(join(DASHBOARD_DIST, 'assets'))) await take(file, await get(`/admin/assets/${file}`));
  }
  const adminPaths = ['/signups?limit=500', '/stats', '/export.csv', '/delivery', '/backup', '/webhook-payloads'].map((path) => `/v1/admin${path}`);
  for (const path of ['/metrics', ...adminPaths]) {
    await take(path, await get(path, admin));
  }
  for (const id of ids) await take(`signup ${id}`, await get(`/v1/admin/signups/${id}`, admin));
  for (const id of payloads) await take(`payload ${id}`, await get(`/v1/admin/webhook-payloads/${id}`, admin));
  await take('retry', await h.relay.app.request(`/v1/admin/signups/${ids[0]}/retry`, { method: 'POST', headers: admin }));
  const replay = { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{"states":["dead","rejected"],"dry_run":true}' };
  await take('replay', await h.relay.app.request('/v1/admin/replay', replay));
  return answers;
}

/** Signups (valid, invalid, refused) and webhooks (valid, forged, unmappable), then delivery. */
async function traffic(h: Harness, firstNames: string[]): Promise<Array<[string, string]>> {
  const answers: Array<[string, string]> = [];
  const keep = async (label: string, response: Response) => answers.push([label, `${headerText(response)}\n${await response.text()}`]);
  for (const [n, first] of firstNames.entries()) {
    await keep(`signup ${first}`, await h.post(person(n, { first_name: first, email: `${first.toLowerCase()}${n}@example.edu` })));
  }
  await keep('bad signup', await h.post({ email: 'nope' }));
  await keep('not json', await h.post('{'));
  await keep('foreign origin', await h.post(person(90), { origin: 'https://evil.example' }));
  const hook = JSON.stringify({ impression: 'imp_demo_2', person: { first: firstNames[0], last: 'Hook', email: 'hook@example.edu' } });
  const deliver = (body: string, signature: string) =>
    h.relay.app.request('/v1/webhooks/hmac', { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signature }, body });
  await keep('webhook', await deliver(hook, hmacSignature(hook)));
  await keep('forged webhook', await deliver(hook, hmacSignature('other')));
  await keep('unmappable webhook', await deliver('{"x":1}', hmacSignature('{"x":1}')));
  await h.settle();
  return answers;
}

async function expectNothingLeaks(h: Harness, key: string, earlier: Array<[string, string]>) {
  const answers = [...earlier, ...(await everyAnswer(h))];
  expect(answers.length).toBeGreaterThan(30);
  for (const [label, text] of answers) expectNoKey(key, label, text);
  expect(h.logLines.length).toBeGreaterThan(10);
  for (const line of h.logLines) expectNoKey(key, 'a log line', line);
}

const harnessWith = (overrides: Partial<RelayOptions>) =>
  createHarness({ webhookSources: hostileSources(), extraRoutes: [createStaticRoutes({ widgetDir: WIDGET_DIST, demo: true })], ...overrides });

describe('the Vantio secret key never leaves the relay', () => {
  it('with a healthy, then failing upstream: 5xx, 429, timeouts, dropped connections', async () => {
    const h = await harnessWith({ upstreamTimeoutMs: 150 });
    try {
      const answers = await traffic(h, ['Ada', 'Grace']);
      for (const faults of [{ error_rate: 1 }, { rate_limit_rate: 1, retry_after_s: 2 }, { latency_ms: 400 }, { drop_rate: 1 }, { lost_response_rate: 1 }]) {
        await h.faults(faults);
        answers.push(...(await traffic(h, [`F${answers.length}`])));
        h.clock.now += 3_600_000;
        await h.settle();
      }
      const attempts = (await h.relay.store.read.sql.all('SELECT error FROM attempts WHERE error IS NOT NULL')) as { error: string }[];
      const errors = attempts.map((attempt) => attempt.error).join('\n');
      for (const seen of ['HTTP 503', 'Rate limit', 'timed out', 'network error']) expect(errors).toContain(seen);
      await expectNothingLeaks(h, EMULATOR_KEY, answers);
    } finally {
      await h.close();
    }
  });

  it('with a wrong key (401 from upstream: delivery pauses, /readyz says why)', async () => {
    const h = await harnessWith({ vantioSecretKey: CANARY });
    try {
      const answers = await traffic(h, ['Ada']);
      expect(h.relay.forwarder.status()).toMatchObject({ paused: true, reason: 'unauthorized' });
      expect((await h.relay.app.request('/readyz')).status).toBe(503);
      await expectNothingLeaks(h, CANARY, answers);
    } finally {
      await h.close();
    }
  });

  it('with an upstream that echoes the Authorization header in 400/500/429/401 bodies', async () => {
    const upstream = await echoingUpstream();
    const h = await harnessWith({ vantioApiUrl: upstream.url, vantioSecretKey: CANARY });
    try {
      const answers = await traffic(h, ['E400', 'E500', 'E429', 'E200']);
      h.clock.now += 3_600_000;
      answers.push(...(await traffic(h, ['E401'])));
      expect(upstream.seen).toContain(`Bearer ${CANARY}`); // the key really went out and came back
      const errors = ((await h.relay.store.read.sql.all('SELECT error FROM attempts')) as { error: string | null }[]).map((row) => row.error ?? '');
      expect(errors.join('\n')).toMatch(/E400: you sent/);
      await expectNothingLeaks(h, CANARY, answers);
    } finally {
      await h.close();
      await upstream.close();
    }
  });

  it('not in the output of a real relay process (debug logs) talking to that upstream', async () => {
    const upstream = await echoingUpstream();
    const dir = mkdtempSync(join(tmpdir(), 'vantio-secrets-'));
    const relay = await startRelayProcess({
      VANTIO_API_URL: upstream.url,
      VANTIO_SECRET_KEY: CANARY,
      RELAY_DB: join(dir, 'relay.sqlite'),
      RELAY_PORT: '0',
      RELAY_LOG_LEVEL: 'debug',
    });
    try {
      const answers: string[] = [];
      for (const first of ['E400', 'E500', 'E401']) {
        const response = await fetch(`${relay.url}/v1/signups`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(person(1, { first_name: first, email: `${first}@example.edu` })),
        });
        answers.push(await response.text());
      }
      for (let i = 0; i < 50 && upstream.seen.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(upstream.seen.length).toBeGreaterThanOrEqual(3);
      answers.push(await (await fetch(`${relay.url}/readyz`)).text());
      const admin = { authorization: 'Bearer proof-admin-token-0123456789abcdef' };
      answers.push(await (await fetch(`${relay.url}/v1/admin/signups`, { headers: admin })).text());
      for (const text of answers) expectNoKey(CANARY, 'a response', text);
      await relay.stop('SIGTERM');
      expectNoKey(CANARY, 'the process output', relay.output());
      expect(relay.output()).toMatch(/delivery attempt/);
    } finally {
      await relay.stop('SIGKILL');
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('served files hold no secret key', () => {
  const built = existsSync(join(WIDGET_DIST, 'vantio-signup.js')) && existsSync(join(DASHBOARD_DIST, 'index.html'));
  if (!built) console.warn('secrets.test.ts: widget/dist or relay/dashboard/dist missing — run `npm run build`; file checks skipped');
  it.skipIf(!built)('widget bundles and the dashboard build contain nothing that looks like a Vantio key', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));
    const all = [...files(WIDGET_DIST), ...files(DASHBOARD_DIST)];
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const file of all) {
      const text = readFileSync(file, 'latin1');
      expect(KEY_LOOKING.test(text), `${file} contains something like a secret key`).toBe(false);
      for (const key of [CANARY, EMULATOR_KEY]) expectNoKey(key, file, text);
    }
  });
});
