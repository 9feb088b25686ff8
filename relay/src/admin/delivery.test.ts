import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, person, START, type Harness } from '../testing';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

describe('POST /v1/admin/delivery/pause|resume', () => {
  it('keeps accepting while paused, shows it on /readyz, survives a restart, and delivers on resume', async () => {
    const paused = await h.admin('/delivery/pause', { method: 'POST' });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toEqual({
      delivery: expect.objectContaining({ paused: true, reason: 'admin', since: new Date(START).toISOString() }),
    });
    expect((await h.post(person(1))).status).toBe(202);
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(0);
    const ready = await h.relay.app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ delivery: { paused: true, reason: 'admin' } });

    await h.relay.stop(1_000);
    await h.restart();
    expect(await (await h.admin('/delivery')).json()).toMatchObject({ delivery: { paused: true, reason: 'admin' } });

    const resumed = await h.admin('/delivery/resume', { method: 'POST' });
    expect(await resumed.json()).toMatchObject({ delivery: { paused: false, reason: null } });
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(1);
    expect((await h.relay.app.request('/readyz')).status).toBe(200);
  });
});
