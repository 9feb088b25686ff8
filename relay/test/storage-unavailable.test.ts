/**
 * A database that cannot take writes (issue 11): signups and webhooks get a 503 with
 * Retry-After saying nothing was stored (never a 500), and /readyz says so (its probe is a
 * real write). Real SQLite, made read-only the way SQLite itself refuses writes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, person, type Harness } from '../src/testing';
import { compileSources } from '../src/webhooks';
import { hmacHexHeaders, HMAC_SECRET, TEST_SOURCES } from '../src/webhooks/test-helpers';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ webhookSources: compileSources(TEST_SOURCES) });
});
afterEach(async () => {
  h.relay.store.db.pragma('query_only = OFF');
  await h.close();
});

const readOnly = () => h.relay.store.db.pragma('query_only = ON');

describe('a read-only database', () => {
  it('answers a signup 503 with Retry-After and "nothing was stored", and stores nothing', async () => {
    readOnly();
    const response = await h.post(person(1));
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await response.json()) as { error: string; message: string };
    expect(body).toEqual({ error: 'Service Unavailable', message: expect.stringMatching(/read-only.*nothing was stored/) });
    h.relay.store.db.pragma('query_only = OFF');
    expect(h.relay.store.countByState()).toEqual({ queued: 0, delivered: 0, rejected: 0, dead: 0 });
    expect(h.logLines.join('')).toContain('"reason":"readonly"');
  });

  it('answers a signed webhook 503 the same way', async () => {
    readOnly();
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

  it('makes /readyz answer 503 with the reason, and recovers once writes work again', async () => {
    expect((await h.relay.app.request('/readyz')).status).toBe(200);
    readOnly();
    // The probe result is cached for a moment: a fresh app sees the new state at once.
    const fresh = h.restart();
    fresh.store.db.pragma('query_only = ON');
    const down = await fresh.app.request('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ database: 'not writable', message: expect.stringContaining('read-only') });
    fresh.store.db.pragma('query_only = OFF');
    const again = h.restart();
    expect((await again.app.request('/readyz')).status).toBe(200);
  });
});
