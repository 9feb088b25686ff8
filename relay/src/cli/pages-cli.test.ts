import { serve, type ServerType } from '@hono/node-server';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createHarness, type Harness } from '../testing';

const BIN = fileURLToPath(new URL('../../bin/vantio-relay.mjs', import.meta.url));
const BASE_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(RELAY_|VANTIO_|EMULATOR_)/.test(key)),
) as Record<string, string>;

let h: Harness;
let server: ServerType;
let url: string;
let work: string;

const cli = (args: string[], stdin?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: work, env: { ...BASE_ENV, VANTIO_RELAY_URL: url, RELAY_ADMIN_TOKEN: ADMIN_TOKEN } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin ?? '');
  });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vantio-cli-pages-'));
  h = await createHarness();
  server = serve({ fetch: h.relay.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await h.close();
  rmSync(work, { recursive: true, force: true });
});

describe('vantio-relay pages', () => {
  it('sets from a file and stdin, lists, shows and deletes', async () => {
    expect((await cli(['pages', 'list'])).stdout).toContain('No pages yet');
    writeFileSync(join(work, 'page.json'), JSON.stringify({ title: 'Join Robotics', fields: ['profile_picture'] }));
    expect(await cli(['pages', 'set', 'robotics', '--file', 'page.json'])).toMatchObject({ code: 0, stdout: 'Saved /join/robotics (Join Robotics).\n' });
    expect((await cli(['pages', 'set', 'chess', '--file', '-'], '{"title":"Chess","locale":"fr"}')).code).toBe(0);
    const list = await cli(['pages', 'list']);
    expect(list.stdout).toMatch(/chess\s+Chess\s+fr/);
    expect(list.stdout).toMatch(/robotics\s+Join Robotics\s+en\s+profile_picture/);
    const shown = JSON.parse((await cli(['pages', 'show', 'chess', '--json'])).stdout);
    expect(shown).toMatchObject({ slug: 'chess', config: { title: 'Chess', locale: 'fr', fields: [] } });
    expect(await cli(['pages', 'delete', 'chess'])).toMatchObject({ code: 0, stdout: 'Deleted /join/chess.\n' });
    expect((await cli(['pages', 'show', 'chess'])).code).toBe(1);
  });

  it('refuses bad configurations with the field issues (exit 2) and bad usage', async () => {
    const bad = await cli(['pages', 'set', 'robotics', '--file', '-'], '{"title":"","accent_color":"red"}');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('title:');
    expect(bad.stderr).toContain('accent_color:');
    expect((await cli(['pages', 'set', 'robotics', '--file', '-'], 'not json')).code).toBe(2);
    expect((await cli(['pages', 'set', 'robotics'])).code).toBe(2);
    expect((await cli(['pages', 'rename'])).stderr).toContain('unknown pages action');
  });
});
