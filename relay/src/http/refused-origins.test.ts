import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { storeRefusedOrigins } from '../store/repos/refused-origins';
import { testEngines } from '../store/test-engines';
import { ADMIN_TOKEN, createHarness, person } from '../testing';
import { createRefusedOrigins, memoryRefusedOriginStore, OTHER_ORIGINS, type RefusedOriginStore } from './refused-origins';

function setup(overrides: { store?: RefusedOriginStore; cap?: number; maxLogLines?: number } = {}) {
  const clock = { now: 1_000_000 };
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (chunk: string) => void lines.push(JSON.parse(chunk)) });
  const store = overrides.store ?? memoryRefusedOriginStore();
  const refused = createRefusedOrigins({ store, logger, now: () => clock.now, ...overrides });
  const warnings = () => lines.filter((line) => line.level === 40);
  return { clock, refused, store, lines, warnings };
}

describe('refused origins', () => {
  it('warns once per origin per minute, naming it, and counts every refusal', async () => {
    const { clock, refused, warnings } = setup();
    for (let i = 0; i < 50; i++) refused.record('https://chess.example.edu');
    refused.record('https://go.example.edu');
    expect(warnings().map((line) => line.origin)).toEqual(['https://chess.example.edu', 'https://go.example.edu']);
    expect(String(warnings()[0]!.hint)).toMatch(/RELAY_ALLOWED_ORIGINS/);
    clock.now += 60_000;
    refused.record('https://chess.example.edu');
    expect(warnings()).toHaveLength(3);
    const [chess, go] = await refused.list(10).then((rows) => [rows.find((r) => r.origin.includes('chess')), rows.find((r) => r.origin.includes('go.'))]);
    expect(chess).toMatchObject({ count: 51, first_seen: 1_000_000, last_seen: 1_060_000 });
    expect(go).toMatchObject({ count: 1 });
  });

  it('caps the warnings per minute however many origins a flood invents', () => {
    const { refused, warnings } = setup({ maxLogLines: 5 });
    for (let i = 0; i < 100; i++) refused.record(`https://spam${i}.example`);
    expect(warnings()).toHaveLength(5);
  });

  it('flushes summed counts to the store, and what is listed is stored plus pending', async () => {
    const writes: number[] = [];
    const memory = memoryRefusedOriginStore();
    const store: RefusedOriginStore = {
      addRefusedOrigins: async (rows, cap) => {
        writes.push(rows.length);
        await memory.addRefusedOrigins(rows, cap);
      },
      listRefusedOrigins: (limit) => memory.listRefusedOrigins(limit),
    };
    const { clock, refused } = setup({ store });
    for (let i = 0; i < 1000; i++) refused.record('https://chess.example.edu');
    await refused.flush();
    expect(writes).toEqual([1]); // one row for a thousand refusals
    clock.now += 5;
    refused.record('https://chess.example.edu');
    expect(await refused.list(10)).toEqual([{ origin: 'https://chess.example.edu', count: 1001, first_seen: 1_000_000, last_seen: 1_000_005 }]);
    await refused.flush();
    await refused.flush(); // nothing pending: no write
    expect(writes).toEqual([1, 1]);
    expect(await store.listRefusedOrigins(10)).toMatchObject([{ count: 1001 }]);
  });

  it('keeps the counts for the next flush when the store fails', async () => {
    let fail = true;
    const memory = memoryRefusedOriginStore();
    const store: RefusedOriginStore = {
      addRefusedOrigins: async (rows, cap) => {
        if (fail) throw new Error('database is locked');
        await memory.addRefusedOrigins(rows, cap);
      },
      listRefusedOrigins: (limit) => memory.listRefusedOrigins(limit),
    };
    const { refused, lines } = setup({ store });
    refused.record('https://chess.example.edu');
    await refused.flush();
    expect(lines.some((line) => line.level === 50)).toBe(true);
    fail = false;
    refused.record('https://chess.example.edu');
    await refused.flush();
    expect(await memory.listRefusedOrigins(10)).toMatchObject([{ origin: 'https://chess.example.edu', count: 2 }]);
  });

  it('bounds what it keeps: long origins cut, origins beyond the cap counted together', async () => {
    const { refused } = setup({ cap: 3 });
    refused.record('https://' + 'a'.repeat(5000) + '.example');
    for (let i = 0; i < 10; i++) refused.record(`https://o${i}.example`);
    const rows = await refused.list(100);
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(Math.max(...rows.map((row) => row.origin.length))).toBeLessThanOrEqual(200);
    expect(rows.find((row) => row.origin === OTHER_ORIGINS)?.count).toBe(8);
    await refused.flush();
    expect((await refused.list(100)).length).toBeLessThanOrEqual(3);
  });
});

describe('a refused origin, as the operator sees it', () => {
  it('is in the warning log, the metric and GET /v1/admin/stats; the refusal stored no signup', async () => {
    const h = await createHarness({ allowedOrigins: ['https://club.example.edu'], adminToken: ADMIN_TOKEN });
    try {
      const origin = 'https://chess.example.edu';
      for (let i = 0; i < 3; i++) {
        const response = await h.relay.app.request('/v1/signups', {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json' },
          body: JSON.stringify(person(i)),
        });
        expect(response.status).toBe(403);
      }
      const warnings = h.logLines.map((line) => JSON.parse(line)).filter((line) => line.level === 40 && line.origin === origin);
      expect(warnings).toHaveLength(1);

      const stats = await (await h.relay.app.request('/v1/admin/stats', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
      expect(stats.refused_origins).toEqual([{ origin, count: 3, first_seen: expect.any(String), last_seen: expect.any(String) }]);
      expect(stats.by_state.queued).toBe(0);

      const metrics = await (await h.relay.app.request('/metrics', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
      expect(metrics).toContain(`vantio_relay_refused_origin_requests_total{origin="${origin}"} 3`);
    } finally {
      await h.close();
    }
  });

  it('keeps the metric to a bounded number of label values', async () => {
    const h = await createHarness({ allowedOrigins: ['https://club.example.edu'], adminToken: ADMIN_TOKEN });
    try {
      for (let i = 0; i < 60; i++) {
        await h.relay.app.request('/v1/signups', { method: 'POST', headers: { origin: `https://s${i}.example`, 'content-type': 'application/json' }, body: '{}' });
      }
      const metrics = await (await h.relay.app.request('/metrics', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
      const series = metrics.split('\n').filter((line) => line.startsWith('vantio_relay_refused_origin_requests_total{'));
      expect(series).toHaveLength(21);
      expect(metrics).toContain('vantio_relay_refused_origin_requests_total{origin="other"} 40');
    } finally {
      await h.close();
    }
  });
});

describe.each(testEngines())('refused origins in the store on $name', (engine) => {
  afterAll(() => engine.cleanup());

  it('sums flushes per origin (as relays sharing a database do) and keeps the most recently seen up to the cap', async () => {
    const store = await engine.open();
    try {
      const counts = storeRefusedOrigins(store);
      await counts.addRefusedOrigins([{ origin: 'https://a.example', count: 2, first_seen: 10, last_seen: 20 }], 2);
      // A second relay's flush of the same origin, and two more origins.
      await counts.addRefusedOrigins(
        [
          { origin: 'https://a.example', count: 3, first_seen: 5, last_seen: 15 },
          { origin: 'https://b.example', count: 1, first_seen: 30, last_seen: 30 },
        ],
        2,
      );
      expect(await counts.listRefusedOrigins(10)).toEqual([
        { origin: 'https://b.example', count: 1, first_seen: 30, last_seen: 30 },
        { origin: 'https://a.example', count: 5, first_seen: 5, last_seen: 20 },
      ]);
      await counts.addRefusedOrigins([{ origin: 'https://c.example', count: 1, first_seen: 40, last_seen: 40 }], 2);
      expect((await counts.listRefusedOrigins(10)).map((row) => row.origin)).toEqual(['https://c.example', 'https://b.example']);
    } finally {
      await store.close();
    }
  });
});
