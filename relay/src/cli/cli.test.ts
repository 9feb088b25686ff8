import { serve, type ServerType } from '@hono/node-server';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createHarness, person, type Harness } from '../testing';

const BIN = fileURLToPath(new URL('../../bin/vantio-relay.mjs', import.meta.url));
/** The child's environment: nothing of ours leaks in (check-config reads RELAY_*). */
const BASE_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(RELAY_|VANTIO_|EMULATOR_)/.test(key)),
) as Record<string, string>;

let h: Harness;
let server: ServerType;
let url: string;
let work: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: work, env: { ...BASE_ENV, VANTIO_RELAY_URL: url, RELAY_ADMIN_TOKEN: ADMIN_TOKEN, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const accept = async (body: Record<string, unknown>) => ((await (await h.post(body)).json()) as { id: string }).id;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vantio-cli-'));
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

describe('vantio-relay CLI (a child process against a real relay on loopback)', () => {
  it('explains itself and refuses bad usage with exit 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/check-config\s+Validate/);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command: frobnicate');
    const badFlag = await cli(['list', '--colour']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown option '--colour'/);
    const badFilter = await cli(['list', '--state', 'lost']);
    expect(badFilter).toMatchObject({ code: 2, stderr: expect.stringContaining('state: must be one of') });
  });

  it('exits 3 when the relay is unreachable or refuses the token, 2 without a token', async () => {
    expect((await cli(['stats', '--url', 'http://127.0.0.1:9'])).code).toBe(3);
    const refused = await cli(['stats'], { RELAY_ADMIN_TOKEN: 'wrong-token-wrong-token' });
    expect(refused).toMatchObject({ code: 3, stderr: expect.stringContaining('refused the admin token') });
    expect((await cli(['stats'], { RELAY_ADMIN_TOKEN: '' })).code).toBe(2);
  });

  it('lists, shows, fixes a wrong poster code with retry, and reports what it cannot do', async () => {
    const good = await accept(person(1));
    const wrong = await accept(person(2, { impression_id: 'imp_typo' }));
    await h.settle();

    const table = await cli(['list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+CREATED\s+STATE\s+SOURCE\s+IMPRESSION\s+EMAIL/);
    expect(table.stdout).toContain('person2@example.edu');
    const listed = JSON.parse((await cli(['list', '--json', '--all', '--state', 'rejected'])).stdout) as { items: { id: string }[] };
    expect(listed.items.map((item) => item.id)).toEqual([wrong]);

    const shown = await cli(['show', wrong]);
    expect(shown.stdout).toMatch(/state:\s+rejected/);
    expect(shown.stdout).toMatch(/OUTCOME[\s\S]*rejected\s+400/);
    expect((await cli(['show', 'sgn_nope'])).code).toBe(1);

    const fixed = await cli(['retry', wrong, '--impression', 'imp_demo_2']);
    expect(fixed).toMatchObject({ code: 0, stdout: `${wrong} is queued on impression imp_demo_2; delivery starts now.\n` });
    await h.settle();
    expect(JSON.parse((await cli(['show', wrong, '--json'])).stdout)).toMatchObject({ state: 'delivered', student_id: 'user_demo_2' });
    const again = await cli(['retry', good]);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining('already delivered') });
  });

  it('releases a held signup (sent once) and discards another, and says what it cannot do', async () => {
    const held = await accept({ ...person(30), honeypot: 'spam', time_to_fill_ms: 5000 });
    const other = await accept({ ...person(31), honeypot: 'spam', time_to_fill_ms: 5000 });
    const listed = JSON.parse((await cli(['list', '--json', '--state', 'held'])).stdout) as { items: { id: string }[] };
    expect(listed.items.map((item) => item.id).sort()).toEqual([held, other].sort());
    expect((await cli(['show', held])).stdout).toMatch(/held:\s+honeypot .*release or discard/);
    expect(await cli(['release', held])).toMatchObject({ code: 0, stdout: `${held} is released and queued; delivery starts now.\n` });
    await h.settle();
    expect(JSON.parse((await cli(['show', held, '--json'])).stdout)).toMatchObject({ state: 'delivered' });
    expect(await cli(['release', held])).toMatchObject({ code: 1, stderr: expect.stringContaining('not held') });
    expect(await cli(['discard', other])).toMatchObject({ code: 0, stdout: `${other} is discarded (deleted with its personal data).\n` });
    expect(await h.relay.store.read.signups.get(other)).toBeUndefined();
  }, 60_000);

  it('replays with a dry run first, and shows stats as tables or JSON', async () => {
    await accept(person(10, { impression_id: 'imp_wrong' }));
    await accept(person(11, { impression_id: 'imp_wrong' }));
    await h.settle();
    const dry = await cli(['replay', '--state', 'rejected', '--impression', 'imp_wrong', '--set-impression', 'imp_demo_3', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, stdout: '2 matched, 2 would be requeued (2 moved to imp_demo_3).\n' });
    const done = JSON.parse(
      (await cli(['replay', '--json', '--state', 'rejected', '--impression', 'imp_wrong', '--set-impression', 'imp_demo_3'])).stdout,
    );
    expect(done).toMatchObject({ dry_run: false, requeued: 2, impression_changed: 2 });
    await h.settle();

    const human = await cli(['stats']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Signups\s+\d+ total: \d+ queued, \d+ delivered/);
    expect(human.stdout).toMatch(/Top impressions[\s\S]*imp_demo_3\s+user_demo_3/);
    const json = JSON.parse((await cli(['stats', '--json', '--days', '2'])).stdout);
    expect(json.window.days).toBe(2);
    expect(json.by_state.delivered).toBeGreaterThanOrEqual(4);
  });

  it('exports CSV to a file or a pipe, and backs up a database that opens', async () => {
    const file = await cli(['export', '--out', 'signups.csv', '--source', 'api']);
    expect(file.code).toBe(0);
    const csv = readFileSync(join(work, 'signups.csv'), 'utf8');
    const rows = csv.trimEnd().split('\r\n').length - 1;
    expect(file.stderr).toContain(`Exported ${rows} rows to ${join(work, 'signups.csv')}.`);
    expect(file.stderr).not.toContain('\r['); // no progress bar: stderr is not a terminal
    expect((await cli(['export', '--out', 'signups.csv'])).code).toBe(2); // exists, no --force
    const piped = await cli(['export', '--state', 'delivered']);
    expect(piped.stdout.startsWith('id,created_at,source,state')).toBe(true);
    expect(piped.stdout).toContain('person1@example.edu');

    const saved = await cli(['backup', '--out', 'relay-copy.sqlite', '--json']);
    if (h.relay.store.engine === 'postgres') {
      // Backups of PostgreSQL are pg_dump's job: a clear refusal, not a broken file.
      expect(saved.code).toBe(1);
      expect(saved.stderr).toContain('pg_dump');
      return;
    }
    expect(saved.code).toBe(0);
    expect(JSON.parse(saved.stdout)).toMatchObject({ file: join(work, 'relay-copy.sqlite'), bytes: expect.any(Number) });
    const db = new Database(join(work, 'relay-copy.sqlite'), { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM signups').get() as { n: number }).n).toBeGreaterThanOrEqual(4);
    db.close();
  });

  it('erases a person only with confirmation, and pauses/resumes delivery', async () => {
    await accept(person(20, { email: 'Zoe@Example.edu' }));
    const unconfirmed = await cli(['erase', 'zoe@example.edu']);
    expect(unconfirmed).toMatchObject({ code: 2, stderr: expect.stringContaining('pass --yes') });
    const erased = await cli(['erase', 'ZOE@example.edu', '--yes']);
    expect(erased).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Erased 1 signups/) });
    expect((await cli(['erase', 'zoe@example.edu', '--yes'])).stdout).toBe('Nothing stored for zoe@example.edu.\n');

    expect((await cli(['pause'])).stdout).toMatch(/^Delivery PAUSED \(admin\)/);
    expect((await h.relay.app.request('/readyz')).status).toBe(503);
    expect((await cli(['resume'])).stdout).toMatch(/^Delivery running/);
  });

  it('check-config validates the environment and the sources file without starting', async () => {
    const ok = await cli(['check-config', '--json'], {
      RELAY_DB: join(work, 'data', 'relay.sqlite'),
      RELAY_ADMIN_TOKEN: 'a-long-enough-admin-token',
      RELAY_RETENTION_DAYS: '90',
    });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      problems: [],
      warnings: [expect.stringContaining('sandbox mode'), expect.stringContaining('RELAY_ALLOWED_ORIGINS is empty')],
      config: { mode: 'sandbox', admin_api: 'enabled', retention_days: 90, webhook_sources: [] },
    });

    writeFileSync(join(work, 'relay.env'), 'RELAY_PORT=99999\nVANTIO_API_URL=https://vantio.app\n');
    writeFileSync(join(work, 'sources.json'), JSON.stringify({ sources: { tally: { verifier: 'nope' } } }));
    const bad = await cli(['check-config', '--dotenv', 'relay.env'], { RELAY_SOURCES_FILE: 'sources.json' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('RELAY_PORT');
    expect(bad.stderr).toContain('VANTIO_SECRET_KEY: is required when VANTIO_API_URL is set');

    const badSources = await cli(['check-config'], { RELAY_SOURCES_FILE: 'sources.json', RELAY_DB: join(work, 'x.sqlite') });
    expect(badSources.code).toBe(2);
    expect(badSources.stderr).toMatch(/sources\.tally/);
    expect((await cli(['check-config', '--dotenv', 'missing.env'])).code).toBe(2);
  });
});
