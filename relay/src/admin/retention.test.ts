import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, person, type Harness } from '../testing';

const DAY = 86_400_000;
let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('retention (RELAY_RETENTION_DAYS)', () => {
  it('removes personal data of signups delivered more than N days ago, keeping counts and states', async () => {
    h = await createHarness({ retentionDays: 30 });
    const old = ((await (await h.post(person(1))).json()) as { id: string }).id;
    await h.post(person(2, { impression_id: 'imp_wrong' })); // rejected: never purged
    await h.settle();
    h.clock.now += 20 * DAY;
    const recent = ((await (await h.post(person(3))).json()) as { id: string }).id;
    await h.settle();

    h.clock.now += 11 * DAY; // old: delivered 31 days ago; recent: 11 days ago
    expect(await h.relay.runRetention()).toBe(1);
    const purged = (await (await h.admin(`/signups/${old}`)).json()) as Record<string, unknown>;
    expect(purged).toMatchObject({
      state: 'delivered', first_name: null, last_name: null, email: null, profile_picture: null, metadata: null,
      referral_id: expect.stringMatching(/^ref_/),
    });
    expect(await (await h.admin(`/signups/${recent}`)).json()).toMatchObject({ email: 'person3@example.edu' });
    expect(await (await h.admin('/stats')).json()).toMatchObject({
      by_state: { delivered: 2, rejected: 1 },
      retention_days: 30,
    });
    expect(h.logLines.join('')).toContain('"purged":1');
    expect(await h.relay.runRetention()).toBe(0);
  });

  it('runs on start', async () => {
    h = await createHarness({ retentionDays: 1 });
    await h.post(person(1));
    await h.settle();
    await h.relay.stop(1_000);
    h.clock.now += 2 * DAY;
    await h.restart();
    // The start-up sweep is already running: runNow joins it.
    expect(await h.relay.runRetention()).toBe(1);
  });

  it('is off with 0 days', async () => {
    h = await createHarness({ retentionDays: 0 });
    await h.post(person(1));
    await h.settle();
    h.clock.now += 3650 * DAY;
    expect(await h.relay.runRetention()).toBe(0);
    expect((await h.relay.store.read.signups.countByState()).delivered).toBe(1);
  });
});
