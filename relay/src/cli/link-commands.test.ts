import { serve, type ServerType } from '@hono/node-server';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createHarness, type Harness } from '../testing';

const BIN = fileURLToPath(new URL('../../bin/vantio-relay.mjs', import.meta.url));
const BASE_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(RELAY_|VANTIO_|EMULATOR_)/.test(key)),
) as Record<string, string>;
const FORM = 'https://docs.google.com/forms/d/e/1FAIpQLSfK3Dp9x/viewform';

let h: Harness;
let server: ServerType;
let url: string;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...BASE_ENV, VANTIO_RELAY_URL: url, RELAY_ADMIN_TOKEN: ADMIN_TOKEN } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  h = await createHarness();
  server = serve({ fetch: h.relay.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await h.close();
});

describe('vantio-relay link commands (a child process against a real relay)', () => {
  it('sets, lists, shows and deletes a poster link, and manages the origin allowlist', async () => {
    const empty = await cli(['links']);
    expect(empty).toMatchObject({ code: 0, stdout: expect.stringContaining('No poster links') });

    const set = await cli(['link-set', 'robotics', '--target', FORM, '--field', 'entry.918273645']);
    expect(set).toMatchObject({ code: 0, stdout: expect.stringContaining('/go/robotics?impression_id=<impression>') });
    expect((await h.relay.app.request('/go/robotics?impression_id=imp_demo_1')).headers.get('location')).toBe(
      `${FORM}?usp=pp_url&entry.918273645=imp_demo_1`,
    );
    expect((await cli(['links'])).stdout).toMatch(/robotics\s+\/go\/robotics\s+entry\.918273645/);
    expect(JSON.parse((await cli(['links', 'robotics', '--json'])).stdout)).toMatchObject({ slug: 'robotics', target: FORM });

    const refused = await cli(['link-set', 'evil', '--target', 'https://evil.example/x', '--field', 'q']);
    expect(refused.code).toBe(2); // a 400 from the relay is a usage error
    expect(refused.stderr).toContain('is not');
    expect((await cli(['link-set', 'x'])).code).toBe(2);

    expect((await cli(['link-origins', '--set', 'https://tally.so'])).stdout.trim()).toBe('https://tally.so');
    expect((await cli(['link-set', 'tally', '--target', 'https://tally.so/r/abc', '--field', 'impression_id'])).code).toBe(0);
    expect((await cli(['link-origins', '--set', ''])).stdout).toContain('Only https://docs.google.com/forms/');

    expect((await cli(['link-delete', 'robotics'])).code).toBe(0);
    expect((await cli(['link-delete', 'robotics'])).code).toBe(1);
    expect((await h.relay.app.request('/go/robotics?impression_id=imp_demo_1')).status).toBe(404);
  }, 120_000); // a dozen child processes, each loading TypeScript, on a shared 2-core machine
});
