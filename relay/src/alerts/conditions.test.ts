/**
 * Each condition with real values fed in, and the relay's own sources read from a real
 * relay whose signups go dead against a failing emulator.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHarness, person, type Harness } from '../testing';
import { deliveryPaused, heldSignupsWaiting, oldestQueuedTooOld, refusedOriginsSeen, signupsTurnedDead } from './conditions';
import { alertConditions } from './index';
import { relayAlertSources } from './sources';

const HOUR = 3_600_000;
const running = { paused: false, reason: null, message: null, since: null };

describe('delivery paused', () => {
  it('is on for a refused key, an admin pause or a misconfiguration; not for a deliberate concurrency of 0', async () => {
    let status: Parameters<typeof deliveryPaused>[0] extends () => infer S ? S : never = running;
    const condition = deliveryPaused(() => status);
    expect((await condition.check()).active).toBe(false);
    status = { paused: true, reason: 'unauthorized', message: 'Vantio answered 401 (invalid key): check VANTIO_SECRET_KEY', since: '2026-03-02T09:00:00Z' };
    expect(await condition.check()).toEqual({
      active: true,
      summary: 'Vantio answered 401 (invalid key): check VANTIO_SECRET_KEY. Signups are accepted and queued; none reach Vantio until the key is fixed.',
      details: { reason: 'unauthorized', since: '2026-03-02T09:00:00Z' },
    });
    status = { paused: true, reason: 'admin', message: 'delivery paused by an admin', since: null };
    expect((await condition.check()).summary).toMatch(/^An admin paused delivery/);
    status = { paused: true, reason: 'misconfigured', message: 'Vantio redirected to https://www.vantio.app', since: null };
    expect(await condition.check()).toMatchObject({ active: true, summary: expect.stringContaining('redirected') });
    status = { paused: true, reason: 'held', message: 'RELAY_FORWARD_CONCURRENCY is 0', since: null };
    expect((await condition.check()).active).toBe(false);
  });
});

describe('signups turned dead', () => {
  it('is on while the dead count grew within the hour, and clears an hour after the last new one', async () => {
    let dead = 2;
    let now = 0;
    const condition = signupsTurnedDead({ deadCount: async () => dead, now: () => now });
    expect((await condition.check()).active).toBe(false); // two old dead signups: no alert
    now += 10 * 60_000;
    dead = 5;
    expect(await condition.check()).toMatchObject({ active: true, details: { new_dead: 3, dead: 5 } });
    expect((await condition.check()).summary).toMatch(/^3 signups turned dead in the last 1 h/);
    now += 50 * 60_000;
    expect((await condition.check()).active).toBe(true); // 3 new within the hour still
    now += 11 * 60_000;
    expect(await condition.check()).toMatchObject({ active: false, details: { dead: 5 } });
    dead = 4; // one replayed and delivered
    now += 60_000;
    expect((await condition.check()).active).toBe(false);
  });
});

describe('oldest queued', () => {
  it('is on once the oldest queued signup waited longer than the threshold', async () => {
    let age: number | null = null;
    const condition = oldestQueuedTooOld({ oldestQueuedAgeS: async () => age, queuedCount: async () => 12, thresholdS: 1800 });
    expect((await condition.check()).active).toBe(false);
    age = 1800;
    expect((await condition.check()).active).toBe(false);
    age = 5400;
    expect(await condition.check()).toEqual({
      active: true,
      summary: 'The oldest queued signup has waited 1 h 30 min (threshold 30 min); 12 queued.',
      details: { oldest_queued_age_s: 5400, queued: 12, threshold_s: 1800 },
    });
  });
});

describe('refused origins', () => {
  it('names recent refused origins (most refused first) and forgets those not seen for an hour', async () => {
    const now = Date.parse('2026-03-02T12:00:00Z');
    let origins = [
      { origin: 'https://chess.example.edu', count: 3, lastSeen: '2026-03-02T11:50:00Z' },
      { origin: 'https://old.example.org', count: 40, lastSeen: '2026-03-02T09:00:00Z' },
      { origin: 'https://rowing.example.edu', count: 7, lastSeen: now - 60_000 },
    ];
    const condition = refusedOriginsSeen({ refusedOrigins: async () => origins, now: () => now });
    expect(await condition.check()).toEqual({
      active: true,
      summary:
        'Signups from 2 origins not in RELAY_ALLOWED_ORIGINS were refused: https://rowing.example.edu (7), https://chess.example.edu (3). Add the page\'s origin if it is yours.',
      details: { origins: 2, refused: 10 },
    });
    origins = origins.map((entry) => ({ ...entry, lastSeen: now - 2 * HOUR }));
    expect((await condition.check()).active).toBe(false);
  });
});

describe('held signups', () => {
  it('is on while any signup is held for review', async () => {
    let held = 0;
    const condition = heldSignupsWaiting({ heldCount: async () => held });
    expect((await condition.check()).active).toBe(false);
    held = 1;
    expect((await condition.check()).summary).toBe('1 signup is held for review (suspected bots). Release or discard them in the dashboard.');
    held = 4;
    expect((await condition.check()).details).toEqual({ held: 4 });
  });
});

describe('the relay as a source', () => {
  let h: Harness;
  afterAll(async () => h?.close());

  it('reads dead and queued signups and the delivery state of a real relay', async () => {
    h = await createHarness({ retryScheduleMs: [1_000] });
    const sources = relayAlertSources(h.relay, () => h.clock.now);
    const conditions = alertConditions(sources, { now: () => h.clock.now, queueAgeS: 600 });
    expect(conditions.map((c) => c.id)).toEqual(['delivery_paused', 'signups_dead', 'queue_age']);
    const states = async () => Object.fromEntries(await Promise.all(conditions.map(async (c) => [c.id, (await c.check()).active])));
    expect(await states()).toEqual({ delivery_paused: false, signups_dead: false, queue_age: false });

    await h.faults({ error_rate: 1, error_status: 502 });
    for (let n = 1; n <= 3; n++) expect((await h.post(person(n))).status).toBe(202);
    await h.settle();
    h.clock.now += 11 * 60_000; // waiting for the retry, past the 10-minute threshold
    expect(await sources.queuedCount()).toBe(3);
    expect(await sources.oldestQueuedAgeS()).toBe(660);
    expect(await states()).toEqual({ delivery_paused: false, signups_dead: false, queue_age: true });

    await h.settle();
    expect(await sources.deadCount()).toBe(3);
    expect(await states()).toEqual({ delivery_paused: false, signups_dead: true, queue_age: false });

    await h.relay.forwarder.setAdminPaused(true);
    expect((await conditions[0]!.check()).active).toBe(true);
  });

  it('adds the held and refused-origin conditions when the relay provides them', () => {
    const sources = { ...relayAlertSources(h.relay, () => h.clock.now), heldCount: async () => 0, refusedOrigins: async () => [] };
    expect(alertConditions(sources, { now: () => 0, queueAgeS: 600 }).map((c) => c.id)).toEqual([
      'delivery_paused',
      'signups_dead',
      'queue_age',
      'origins_refused',
      'signups_held',
    ]);
  });
});
