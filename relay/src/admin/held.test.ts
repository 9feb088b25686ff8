/** Held signups (suspected bots): listed, released (forwarded once), discarded, and covered by retention and erase. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, person, START, type Harness } from '../testing';

let h: Harness;
beforeEach(async () => {
  // The default policy: only the honeypot holds.
  h = await createHarness({ minFillMs: 0 });
});
afterEach(() => h.close());

const bot = (n: number) => ({ ...person(n), honeypot: 'http://spam.example', time_to_fill_ms: 40 });
const idOf = async (response: Response) => ((await response.json()) as { id: string }).id;
const held = async () => ((await (await h.admin('/signups?state=held')).json()) as { items: Array<{ id: string }> }).items;

describe('the default policy', () => {
  it('lets autofill through: fields filled at once and submitted 300 ms later reach Vantio', async () => {
    expect((await h.post({ ...person(1), honeypot: '', time_to_fill_ms: 300 })).status).toBe(202);
    expect((await h.post({ ...person(2), time_to_fill_ms: 0 })).status).toBe(202);
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(2);
    expect(await held()).toEqual([]);
  });

  it('holds a filled honeypot: kept, never forwarded on its own, answered like anyone else', async () => {
    const response = await h.post(bot(3));
    expect(response.status).toBe(202);
    expect(Object.keys(await response.clone().json()).sort()).toEqual(['created_at', 'id', 'state']);
    await h.settle();
    h.clock.now += 86_400_000;
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(0);
    expect((await held()).map((item) => item.id)).toEqual([await idOf(response)]);
  });
});

describe('release', () => {
  it('forwards a held signup exactly once, with the usual upstream key', async () => {
    const id = await idOf(await h.post(bot(4)));
    const released = await h.admin(`/signups/${id}/release`, { method: 'POST' });
    expect(released.status).toBe(200);
    expect(await released.json()).toMatchObject({ signup: { id, state: 'queued', held_reason: 'honeypot' } });
    await h.settle();
    const { referrals, create_calls: calls } = await h.referrals();
    expect(referrals).toHaveLength(1);
    expect(Object.values(calls)).toEqual([1]);
    expect((await h.relay.store.read.signups.get(id))?.state).toBe('delivered');
    // Releasing again, or retrying the delivered row, sends nothing more.
    expect((await h.admin(`/signups/${id}/release`, { method: 'POST' })).status).toBe(409);
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(1);
  });

  it('answers 404 for an unknown id and 409 for a signup that is not held', async () => {
    const queued = await idOf(await h.post(person(5)));
    expect((await h.admin('/signups/sgn_nope/release', { method: 'POST' })).status).toBe(404);
    const refused = await h.admin(`/signups/${queued}/release`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: 'Conflict', message: expect.stringMatching(/not held/) });
  });

  it('is the only way out: retry refuses a held signup', async () => {
    const id = await idOf(await h.post(bot(6)));
    const retry = await h.admin(`/signups/${id}/retry`, { method: 'POST' });
    expect(retry.status).toBe(409);
    expect(await retry.json()).toMatchObject({ message: expect.stringMatching(/held.*release/) });
  });
});

describe('discard', () => {
  it('deletes a held signup and its personal data, and frees its person for a real signup', async () => {
    const id = await idOf(await h.post(bot(7)));
    const discarded = await h.admin(`/signups/${id}/discard`, { method: 'POST' });
    expect(await discarded.json()).toEqual({ discarded: id });
    expect(await h.relay.store.read.signups.get(id)).toBeUndefined();
    expect((await h.admin(`/signups/${id}/discard`, { method: 'POST' })).status).toBe(404);
    expect((await h.post(person(7))).status).toBe(202);
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(1);
  });
});

describe('retention and erase', () => {
  it('erase removes held signups of the person too', async () => {
    const id = await idOf(await h.post(bot(8)));
    const erased = await h.admin(`/people/${encodeURIComponent(person(8).email as string)}`, { method: 'DELETE' });
    expect(await erased.json()).toMatchObject({ signups: 1, signup_ids: [id] });
    expect(await held()).toEqual([]);
  });

  it('retention deletes held signups older than the window', async () => {
    await h.post(bot(9));
    h.clock.now = START + 10 * 86_400_000;
    const young = await idOf(await h.post(bot(10)));
    h.relay = await h.restart({ retentionDays: 5 });
    await h.relay.runRetention();
    expect((await held()).map((item) => item.id)).toEqual([young]);
  });
});
