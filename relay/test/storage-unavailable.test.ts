/**
 * A database that cannot take writes (issue 11): signups and webhooks get a 503 with
 * Retry-After saying nothing was stored (never a 500), and /readyz says so (its probe is a
 * real write). Real SQLite, made read-only the way SQLite itself refuses writes
 * (`PRAGMA query_only` on the writer connection: SQLITE_READONLY on every write).
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, person, type Harness } from '../src/testing';
import type { Relay } from '../src/relay';
import { compileSources } from '../src/webhooks';
import { hmacHexHeaders, HMAC_SECRET, TEST_SOURCES } from '../src/webhooks/test-helpers';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ webhookSources: compileSources(TEST_SOURCES) });
});
afterEach(async () => {
  await writable(h.relay, true);
  await h.close();
});

/** The SQLite engine's writer connection: set outside any unit of work (a pragma inside one would fail its own commit). */
async function writable(relay: Relay, on: boolean): Promise<void> {
  const { writer } = relay.store as unknown as { writer: Database.Database };
  writer.pragma(`query_only = ${on ? 'OFF' : 'ON'}`);
}
const stored = async () => (await h.relay.store.read.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM signups'))!.n;

describe('a read-only database', () => {
  it('answers a signup 503 with Retry-After and "nothing was stored", and stores nothing', async () => {
    await writable(h.relay, false);
    const response = await h.post(person(1));
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await response.json()) as { error: string; message: string };
    expect(body).toEqual({ error: 'Service Unavailable', message: expect.stringMatching(/read-only.*nothing was stored/) });
    await writable(h.relay, true);
    expect(await stored()).toBe(0);
    expect(h.logLines.join('')).toContain('"reason":"readonly"');
  });

  it('answers a signed webhook 503 the same way', async () => {
    await writable(h.relay, false);
    const body = JSON.stringify({ id: 'evt_1', impression: 'imp_demo_1', first: 'Web', last: 'Hook', email: 'web@example.edu' });
    const response = await h.relay.app.request('/v1/webhooks/custom', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...hmacHexHeaders(HMAC_SECRET, body) },
      body,
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).not.toBeNull();
    expect(((await response.json()) as { message: string }).message).toContain('nothing was stored');
  });

  it('makes /readyz answer 503 with the reason, and 200 again once writes work', async () => {
    expect((await h.relay.app.request('/readyz')).status).toBe(200);
    // The probe's answer is cached for a moment: a fresh relay probes at once.
    const fresh = await h.restart();
    await writable(fresh, false);
    const down = await fresh.app.request('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ database: 'not writable', message: expect.stringContaining('read-only') });
    await writable(fresh, true);
    const again = await h.restart();
    expect((await again.app.request('/readyz')).status).toBe(200);
  });
});
