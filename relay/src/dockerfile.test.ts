/**
 * No container engine runs here, so the Dockerfile is checked by reading it — and its
 * HEALTHCHECK command is run for real against a listening relay.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { createHarness } from './testing';

const root = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
/** Instructions with continuation lines joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const runtime = instructions.slice(instructions.map((line) => line.startsWith('FROM ')).lastIndexOf(true));
const find = (keyword: string, lines = runtime) => lines.filter((line) => line.startsWith(`${keyword} `));
const exec = promisify(execFile);

describe('Dockerfile', () => {
  it('builds on Node 20 slim with the native toolchain, and runs slim', () => {
    const froms = find('FROM', instructions);
    expect(froms.length).toBe(2);
    for (const from of froms) expect(from).toMatch(/^FROM node:20-slim\b/);
    const build = instructions.slice(0, instructions.indexOf(runtime[0]!)).join('\n');
    expect(build).toMatch(/apt-get install[^\n]*python3 make g\+\+/);
    expect(build).toContain('RUN npm ci');
    expect(build).toContain('RUN npm run build');
    expect(build).toContain('--omit=dev');
  });

  it('copies the manifest of every workspace before npm ci', () => {
    const workspaces = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { workspaces: string[] }).workspaces;
    for (const workspace of workspaces) expect(instructions).toContain(`COPY ${workspace}/package.json ${workspace}/`);
  });

  it('runs as a non-root user with the database on a volume, listening on all interfaces', () => {
    const user = find('USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(runtime.indexOf(user!)).toBeLessThan(runtime.indexOf(find('CMD')[0]!));
    expect(find('VOLUME')).toEqual(['VOLUME /data']);
    const env = find('ENV').join(' ');
    expect(env).toContain('RELAY_DB=/data/relay.sqlite');
    expect(env).toContain('RELAY_HOST=0.0.0.0');
    expect(find('EXPOSE')).toEqual(['EXPOSE 8787']);
    expect(runtime.join('\n')).toContain('chown node:node /data');
  });

  it('starts the same bundle as npm start, through node itself (signals reach it)', () => {
    const cmd = JSON.parse(find('CMD')[0]!.slice(4)) as string[];
    const start = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(cmd[0]).toBe('node');
    // Same V8 flags and bundle as npm start.
    expect(start.endsWith(`&& ${cmd.join(' ')}`)).toBe(true);
  });

  it('has a HEALTHCHECK on /healthz that passes against a live relay and fails without one', async () => {
    const healthcheck = find('HEALTHCHECK')[0]!;
    expect(healthcheck).toMatch(/--interval=\d+s/);
    expect(healthcheck).not.toMatch(/curl|wget/);
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 4)) as string[];
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain('/healthz');

    const h = await createHarness();
    const server = serve({ fetch: h.relay.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const run = (env: Record<string, string>) => exec(command[0]!, command.slice(1), { env: { ...process.env, ...env } });
      await expect(run({ RELAY_PORT: String(port) })).resolves.toBeDefined();
      await new Promise((resolve) => server.close(resolve));
      await expect(run({ RELAY_PORT: String(port) })).rejects.toMatchObject({ code: 1 });
    } finally {
      server.close();
      await h.close();
    }
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, builds, databases and secrets out of the build context', () => {
    const ignored = readFileSync(new URL('.dockerignore', root), 'utf8').split('\n');
    for (const entry of ['.git', '**/node_modules', '**/dist', 'data', '*.sqlite', '*.sqlite-*', '.env', '.env.*']) {
      expect(ignored).toContain(entry);
    }
  });
});
