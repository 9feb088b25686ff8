import { serve, type ServerType } from '@hono/node-server';
import Database from 'better-sqlite3';
import { readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createHarness, person, type Harness } from '../testing';

let h: Harness;
let server: ServerType;
let base: string;
beforeEach(async () => {
  h = await createHarness();
  server = serve({ fetch: h.relay.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await h.close();
});

const onPostgres = process.env.RELAY_TEST_ENGINE === 'postgres';

describe('GET /v1/admin/backup', () => {
  it.runIf(onPostgres)('answers 501 on PostgreSQL, pointing at pg_dump', async () => {
    const response = await fetch(`${base}/v1/admin/backup`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(501);
    expect(await response.json()).toMatchObject({ error: expect.any(String), message: expect.stringContaining('pg_dump') });
  });

  it.skipIf(onPostgres)('streams a consistent copy of the live database while signups keep arriving', async () => {
    for (let i = 0; i < 30; i++) expect((await h.post(person(i))).status).toBe(202);
    await h.settle();
    // Writes racing the backup must neither fail nor corrupt the copy.
    const racing = Array.from({ length: 20 }, (_, i) => h.post(person(100 + i)));
    const response = await fetch(`${base}/v1/admin/backup`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect((await Promise.all(racing)).map((r) => r.status)).toEqual(Array(20).fill(202));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.sqlite3');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="vantio-relay-2026-01-15T10-30-00Z.sqlite"');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    expect(bytes.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');

    const restored = join(dirname(h.dbPath), 'restored.sqlite');
    writeFileSync(restored, bytes);
    const db = new Database(restored, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const counts = db.prepare('SELECT state, COUNT(*) AS n FROM signups GROUP BY state').all() as { state: string; n: number }[];
    const total = counts.reduce((sum, row) => sum + row.n, 0);
    expect(counts.find((row) => row.state === 'delivered')?.n).toBeGreaterThanOrEqual(30);
    expect(total).toBeGreaterThanOrEqual(30);
    expect(db.prepare('SELECT email FROM signups WHERE email = ?').get('person7@example.edu')).toEqual({ email: 'person7@example.edu' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toMatchObject({ n: expect.any(Number) });
    db.close();
    // The temporary copy is gone: only the live database files (and the restored copy) remain.
    expect(readdirSync(dirname(h.dbPath)).filter((name) => name.startsWith('.relay-backup'))).toEqual([]);
  });

  it('answers HEAD with the headers and holds no file open afterwards', async () => {
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    for (let i = 0; i < 5; i++) {
      const response = await h.admin('/backup', { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    }
    // Before the fix, each HEAD left its copy's descriptor open until garbage collection.
    expect(openFiles()).toBeLessThan(before + 5);
  });

  it('needs the admin token', async () => {
    const response = await fetch(`${base}/v1/admin/backup`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'Unauthorized' });
  });
});
