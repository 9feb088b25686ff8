/**
 * The CLI finds the relay from the relay's own variables, and its exit codes say what
 * happened: `resume` fails while Vantio refuses the key, `check-config --probe` tells a
 * wrong key from a good one without creating anything. A child process against real
 * relays and a real emulator on loopback; `alert-test` against a real HTTP receiver and SMTP server.
 */
import { serve, type ServerType } from '@hono/node-server';
import { execFile } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createHarness, EMULATOR_KEY, person, type Harness } from '../testing';

const BIN = fileURLToPath(new URL('../../bin/vantio-relay.mjs', import.meta.url));
const BASE_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(RELAY_|VANTIO_|EMULATOR_)/.test(key)),
) as Record<string, string>;

let work: string;
const servers: ServerType[] = [];
const harnesses: Harness[] = [];

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: work, env: { ...BASE_ENV, RELAY_ADMIN_TOKEN: ADMIN_TOKEN, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function served(h: Harness): Promise<number> {
  const server = serve({ fetch: h.relay.app.fetch, hostname: '127.0.0.1', port: 0 });
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return (server.address() as AddressInfo).port;
}

/** A loopback port nothing listens on (fetch refuses "bad ports" such as 9). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

let good: Harness;
let port: number;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vantio-cli-truth-'));
  good = await createHarness();
  harnesses.push(good);
  port = await served(good);
});
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  for (const h of harnesses) await h.close();
  rmSync(work, { recursive: true, force: true });
});

describe('finding the relay', () => {
  it('uses RELAY_HOST/RELAY_PORT as the relay does (0.0.0.0 meaning this machine), then RELAY_PUBLIC_URL', async () => {
    expect((await cli(['stats', '--json'], { RELAY_HOST: '127.0.0.1', RELAY_PORT: String(port) })).code).toBe(0);
    expect((await cli(['stats', '--json'], { RELAY_HOST: '0.0.0.0', RELAY_PORT: String(port) })).code).toBe(0);
    expect((await cli(['stats', '--json'], { RELAY_PUBLIC_URL: `http://127.0.0.1:${port}/` })).code).toBe(0);
  });

  it('lets --url and VANTIO_RELAY_URL override, and says where it looked when nothing answers', async () => {
    const overridden = await cli(['stats', '--json'], { VANTIO_RELAY_URL: `http://127.0.0.1:${port}`, RELAY_PORT: '9' });
    expect(overridden.code).toBe(0);
    expect((await cli(['stats', '--json', '--url', `http://127.0.0.1:${port}`], { RELAY_PORT: '9' })).code).toBe(0);
    const closed = await closedPort();
    const nobody = await cli(['stats'], { RELAY_PORT: String(closed) });
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toContain(`cannot reach the relay at http://127.0.0.1:${closed} (ECONNREFUSED, found from RELAY_PORT)`);
    const anyPort = await cli(['stats'], { RELAY_PORT: '0' });
    expect(anyPort).toMatchObject({ code: 2, stderr: expect.stringContaining('RELAY_PORT is 0') });
  });

  it('lists signups by part of the name', async () => {
    expect((await good.post(person(40, { first_name: 'Ana', last_name: 'Li' }))).status).toBe(202);
    const found = await cli(['list', '--json', '--name', 'ana l'], { VANTIO_RELAY_URL: `http://127.0.0.1:${port}` });
    expect(found.code).toBe(0);
    expect((JSON.parse(found.stdout) as { items: Array<{ first_name: string }> }).items.map((item) => item.first_name)).toEqual(['Ana']);
  });

  it('documents the lookup in --help', async () => {
    const help = await cli(['--help'], {});
    expect(help.stdout).toMatch(/VANTIO_RELAY_URL,\s+RELAY_HOST\/RELAY_PORT[\s\S]*RELAY_PUBLIC_URL, http:\/\/127\.0\.0\.1:8787/);
  });
});

describe('resume tells the truth', () => {
  it('exits 1 and says why while Vantio refuses the key; 0 once an admin pause is lifted', async () => {
    const refused = await createHarness({ vantioSecretKey: 'sk_test_not_the_right_key' });
    harnesses.push(refused);
    const refusedPort = await served(refused);
    expect((await refused.post(person(1))).status).toBe(202);
    await refused.settle();
    expect(refused.relay.forwarder.status()).toMatchObject({ paused: true, reason: 'unauthorized' });
    const env = { VANTIO_RELAY_URL: `http://127.0.0.1:${refusedPort}` };

    const resumed = await cli(['resume'], env);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toMatch(/delivery is still paused\. Vantio still refuses the secret key \(Vantio answered 401/);
    expect(resumed.stdout).toBe('');
    const json = await cli(['resume', '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ delivery: { paused: true, reason: 'unauthorized' } });

    const goodEnv = { VANTIO_RELAY_URL: `http://127.0.0.1:${port}` };
    expect(await cli(['pause'], goodEnv)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Delivery PAUSED \(admin\)/) });
    expect(await cli(['resume'], goodEnv)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Delivery running/) });
  });
});

describe('check-config --probe', () => {
  const env = (key: string) => ({
    VANTIO_API_URL: good.emulator.url,
    VANTIO_SECRET_KEY: key,
    RELAY_DB: join(work, 'probe.sqlite'),
    RELAY_ALLOWED_ORIGINS: 'https://club.example.edu',
  });

  it('reports a good key (400 to an empty body) and a wrong one (401), creating nothing', async () => {
    const before = (await good.referrals()).referrals.length;
    const ok = await cli(['check-config', '--probe'], env(EMULATOR_KEY));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Probe: .*\/api\/v1\/referrals answered 400 to an empty body: the secret key is accepted\./);

    const wrong = await cli(['check-config', '--probe', '--json'], env('sk_test_wrong_key'));
    expect(wrong.code).toBe(2);
    expect(JSON.parse(wrong.stdout)).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('answered 401: Vantio refuses VANTIO_SECRET_KEY')],
      probe: { verdict: 'key_refused', status: 401 },
    });
    expect((await good.referrals()).referrals.length).toBe(before);
  });

  it('exits 3 when Vantio cannot be reached, and only warns in sandbox mode', async () => {
    const unreachable = await cli(['check-config', '--probe'], { ...env(EMULATOR_KEY), VANTIO_API_URL: 'http://127.0.0.1:9' });
    expect(unreachable).toMatchObject({ code: 3, stderr: expect.stringContaining('Probe failed: cannot reach http://127.0.0.1:9/api/v1/referrals') });
    const sandbox = await cli(['check-config', '--probe'], { RELAY_DB: join(work, 'probe.sqlite') });
    expect(sandbox).toMatchObject({ code: 0, stderr: expect.stringContaining('nothing to probe in sandbox mode') });
  });
});

describe('alert-test', () => {
  it('sends a test alert to the webhook and the mailbox configured, and exits 1 when one fails', async () => {
    const bodies: Array<{ text: string; alert: { kind: string; dashboard_url: string | null } }> = [];
    const receiver = createHttpServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += String(chunk)));
      request.on('end', () => {
        bodies.push(JSON.parse(body) as (typeof bodies)[number]);
        response.writeHead(204).end();
      });
    });
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, done) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += String(chunk)));
        stream.on('end', () => {
          mails.push(data);
          done();
        });
      },
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    try {
      const env = {
        RELAY_ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        RELAY_ALERT_EMAIL: 'ops@example.edu',
        RELAY_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
        RELAY_PUBLIC_URL: 'https://relay.example.edu',
      };
      const sent = await cli(['alert-test'], env);
      expect(sent.code).toBe(0);
      expect(sent.stdout).toMatch(/^webhook 127\.0\.0\.1:\d+: sent\nemail to ops@example\.edu via 127\.0\.0\.1:\d+: sent\n$/);
      expect(bodies).toEqual([
        expect.objectContaining({ text: expect.stringContaining('TEST: Test alert from vantio-relay'), alert: expect.objectContaining({ kind: 'test', dashboard_url: 'https://relay.example.edu/admin' }) }),
      ]);
      expect(mails[0]).toMatch(/^Subject: \[vantio-relay\] TEST: Test alert from vantio-relay$/m);

      const closed = await closedPort();
      const failing = await cli(['alert-test'], { ...env, RELAY_SMTP_URL: `smtp://127.0.0.1:${closed}` });
      expect(failing.code).toBe(1);
      expect(failing.stdout).toMatch(/email to ops@example\.edu via 127\.0\.0\.1:\d+: FAILED \(email via/);
      expect(await cli(['alert-test'], {})).toMatchObject({ code: 2, stderr: expect.stringContaining('no alert channel is configured') });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
