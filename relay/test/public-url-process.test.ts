/**
 * The relay's own origin comes from RELAY_PUBLIC_URL only, never from the Host header
 * (issue 11): the DNS-rebinding shape (`Host: rebind.evil.example` plus the matching Origin)
 * is refused, and /demo never reflects Host into its <script src>. The real relay process,
 * real sockets (node:http, which lets a test set Host as a rebinding browser would).
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream';
import { startRelayProcess, type RelayProcess } from './relay-process';

const REBIND = 'rebind.evil.example';
let dir: string;
let upstream: FakeUpstream;
const relays: RelayProcess[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vantio-public-url-'));
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  for (const relay of relays) await relay.stop('SIGKILL');
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

async function relayWith(name: string, env: Record<string, string>): Promise<RelayProcess> {
  const relay = await startRelayProcess({ RELAY_PORT: '0', RELAY_DB: join(dir, `${name}.sqlite`), RELAY_ALLOWED_ORIGINS: 'https://club.example.edu', ...env });
  relays.push(relay);
  return relay;
}
const production = { VANTIO_API_URL: '', VANTIO_SECRET_KEY: 'sk_test_public_url' };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
/** One request with exactly these headers, Host included. */
function send(relay: RelayProcess, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const url = new URL(relay.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
let serial = 0;
const signupBody = () => JSON.stringify({ impression_id: 'imp_demo_1', first_name: 'Re', last_name: 'Bind', email: `rebind${++serial}@example.edu` });
const post = (relay: RelayProcess, host: string, origin: string) =>
  send(relay, 'POST', '/v1/signups', { host, origin, 'content-type': 'application/json' }, signupBody());

describe('production without RELAY_PUBLIC_URL', () => {
  it('refuses the rebinding request (Host and Origin agreeing on a foreign name) with a 403 and no grant', async () => {
    const relay = await relayWith('production', { ...production, VANTIO_API_URL: upstream.url });
    const answer = await post(relay, REBIND, `http://${REBIND}`);
    expect(answer.status).toBe(403);
    // The refusal itself is readable (cors.ts: the only answer a refused origin ever gets).
    expect(JSON.parse(answer.body).message).toMatch(/not allowed.*RELAY_ALLOWED_ORIGINS/);
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    // Nor the relay's own listen address: without RELAY_PUBLIC_URL no origin of its own is trusted.
    const own = await post(relay, new URL(relay.url).host, relay.url);
    expect(own.status).toBe(403);
    // The allowlist still works.
    expect((await post(relay, REBIND, 'https://club.example.edu')).status).toBe(202);
  });
});

describe('RELAY_PUBLIC_URL', () => {
  it('is the one own origin trusted, whatever Host says', async () => {
    const relay = await relayWith('public', { ...production, VANTIO_API_URL: upstream.url, RELAY_PUBLIC_URL: 'https://relay.club.example.edu/' });
    const own = await post(relay, REBIND, 'https://relay.club.example.edu');
    expect(own.status).toBe(202);
    expect(own.headers['access-control-allow-origin']).toBe('https://relay.club.example.edu');
    expect((await post(relay, REBIND, `http://${REBIND}`)).status).toBe(403);
    expect((await post(relay, 'relay.club.example.edu', `http://${REBIND}`)).status).toBe(403);
  });
});

describe('sandbox mode', () => {
  it('defaults the public URL to the listen address: /demo names it whatever Host says, its posts are granted, the rebinding one is not', async () => {
    const relay = await relayWith('sandbox', { VANTIO_API_URL: '', EMULATOR_PORT: '0' });
    const demo = await send(relay, 'GET', '/demo', { host: REBIND });
    expect(demo.status).toBe(200);
    expect(demo.body).toContain(`<script async src="${relay.url}/vantio-signup.js"></script>`);
    expect(demo.body).not.toContain(REBIND);
    const fromDemo = await post(relay, new URL(relay.url).host, relay.url);
    expect(fromDemo.status).toBe(202);
    expect(fromDemo.headers['access-control-allow-origin']).toBe(relay.url);
    const rebound = await post(relay, REBIND, `http://${REBIND}`);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).message).toMatch(/not allowed/);
  });

  it('uses RELAY_PUBLIC_URL when set, in the demo and the banner', async () => {
    const relay = await relayWith('sandbox-public', { VANTIO_API_URL: '', EMULATOR_PORT: '0', RELAY_PUBLIC_URL: 'https://demo.club.example.edu' });
    const demo = await send(relay, 'GET', '/demo', { host: REBIND });
    expect(demo.body).toContain('<script async src="https://demo.club.example.edu/vantio-signup.js"></script>');
    expect(relay.output()).toContain('https://demo.club.example.edu/demo?impression_id=imp_demo_1');
  });
});
