import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, person, START, type Harness } from '../testing';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const DAY = 86_400_000;

describe('GET /v1/admin/stats', () => {
  it('answers counts, a zero-filled daily series, top impressions and ambassadors, latency and queue age', async () => {
    h.clock.now = START - 2 * DAY;
    await h.post(person(1, { impression_id: 'imp_demo_2' }));
    await h.settle();
    h.clock.now = START;
    await h.post(person(2));
    await h.post(person(3, { impression_id: 'imp_nope' }));
    await h.post({ ...person(4), honeypot: 'x', time_to_fill_ms: 5000 });
    await h.settle();
    await h.admin('/delivery/pause', { method: 'POST' });
    await h.post({ ...person(5), time_to_fill_ms: 5000 });
    h.clock.now = START + 90_000;

    const response = await h.admin('/stats?days=3');
    expect(response.status).toBe(200);
    const stats = (await response.json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      generated_at: new Date(START + 90_000).toISOString(),
      window: { from: '2026-01-13T00:00:00.000Z', to: '2026-01-16T00:00:00.000Z', days: 3 },
      by_state: { queued: 1, delivered: 2, rejected: 1, dead: 0, held: 1 },
      by_source: {
        api: { queued: 0, delivered: 2, rejected: 1, dead: 0 },
        widget: { queued: 1, delivered: 0, rejected: 0, dead: 0, held: 1 },
      },
      per_day: [
        { day: '2026-01-13', queued: 0, delivered: 1, rejected: 0, dead: 0, total: 1 },
        { day: '2026-01-14', queued: 0, delivered: 0, rejected: 0, dead: 0, total: 0 },
        { day: '2026-01-15', queued: 1, delivered: 1, rejected: 1, dead: 0, held: 1, total: 4 },
      ],
      top_students: [
        { student_id: 'user_demo_1', delivered: 1, impressions: 1 },
        { student_id: 'user_demo_2', delivered: 1, impressions: 1 },
      ],
      delivery_latency_ms: { count: 2, p50: 0, p90: 0, p99: 0, max: 0 },
      oldest_queued_at: new Date(START).toISOString(),
      oldest_queued_age_s: 90,
      bots: 1,
      delivery: { paused: true, reason: 'admin' },
      retention_days: 0,
    });
    expect(stats.top_impressions).toHaveLength(3);
    expect(stats.top_impressions).toContainEqual({
      impression_id: 'imp_demo_2', student_id: 'user_demo_2', count: 1, queued: 0, delivered: 1, rejected: 0, dead: 0, held: 0,
    });
  });

  it('takes explicit windows and refuses bad ones', async () => {
    const stats = (await (await h.admin('/stats?from=2026-01-01&to=2026-01-10')).json()) as { per_day: unknown[]; window: unknown };
    expect(stats.window).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-01-11T00:00:00.000Z', days: 10 });
    expect(stats.per_day).toHaveLength(10);
    for (const query of ['days=0', 'days=400', 'top=0', 'from=2025-01-01&to=2026-06-01', 'window=3']) {
      expect((await h.admin(`/stats?${query}`)).status, query).toBe(400);
    }
  });
});
