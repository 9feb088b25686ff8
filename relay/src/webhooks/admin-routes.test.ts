import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing';
import { compileSources } from './sources';
import { CLERK_SECRET, editFixture, svixHeaders, TALLY_SECRET, tallyHeaders, TEST_SOURCES } from './test-helpers';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ webhookSources: compileSources(TEST_SOURCES) });
});
afterEach(async () => {
  await h.close();
});

/** Clerk user without a last name (optional in many Clerk setups), but with a username. */
const noLastName = editFixture('clerk-user-created', (p) => ((p.data.last_name = null), (p.data.username = 'mokafor')));
const FIXED_SOURCES = {
  sources: { ...TEST_SOURCES.sources, clerk: { preset: 'clerk', secrets: [CLERK_SECRET], map: { last_name: 'data.username' } } },
} as const;

async function deliverUnmappable(id = 'msg_nolast') {
  const response = await h.relay.app.request('/v1/webhooks/clerk', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...svixHeaders(CLERK_SECRET, id, new Date(h.clock.now), noLastName) },
    body: noLastName,
  });
  expect(response.status).toBe(422);
  return ((await response.json()) as { payload_id: string }).payload_id;
}

const json = async (response: Response | Promise<Response>) => (await response).json() as Promise<Record<string, any>>;
const replay = (id: string) => h.admin(`/webhook-payloads/${id}/replay`, { method: 'POST' });

describe('/v1/admin/webhook-payloads', () => {
  it('needs the admin token', async () => {
    const response = await h.relay.app.request('/v1/admin/webhook-payloads');
    expect(response.status).toBe(401);
    expect((await h.relay.app.request('/v1/admin/webhook-payloads/whp_x/replay', { method: 'POST' })).status).toBe(401);
  });

  it('lists and shows kept payloads with their issues and the exact verified body', async () => {
    const id = await deliverUnmappable();
    const list = await json(h.admin('/webhook-payloads?status=pending'));
    expect(list).toEqual({
      payloads: [
        {
          id,
          source: 'clerk',
          delivery_id: 'msg_nolast',
          status: 'pending',
          received_at: new Date(h.clock.now).toISOString(),
          updated_at: new Date(h.clock.now).toISOString(),
          issues: [{ path: 'last_name', message: 'is missing (data.last_name is null)' }],
          signup_id: null,
        },
      ],
      counts: { pending: 1, ingested: 0 },
      next_before: null,
    });
    expect(await json(h.admin(`/webhook-payloads/${id}`))).toMatchObject({ id, payload: JSON.parse(noLastName) });
    expect((await json(h.admin('/webhook-payloads?source=tally'))).payloads).toEqual([]);
    const bad = await h.admin('/webhook-payloads?limit=0&status=lost');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ issues: [{ path: 'status' }, { path: 'limit' }] });
    expect((await h.admin('/webhook-payloads/whp_nope')).status).toBe(404);
  });

  it('pages newest first', async () => {
    const ids = [await deliverUnmappable('a'), await deliverUnmappable('b'), await deliverUnmappable('c')];
    const first = await json(h.admin('/webhook-payloads?limit=2'));
    expect(first.payloads.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    const second = await json(h.admin(`/webhook-payloads?limit=2&before=${first.next_before}`));
    expect(second).toMatchObject({ payloads: [{ id: ids[0] }], next_before: null });
  });

  it('replays with the current mapping: still unmappable → 422; fixed → one referral, and never twice', async () => {
    const id = await deliverUnmappable();
    const stillBad = await replay(id);
    expect(stillBad.status).toBe(422);
    expect(await stillBad.json()).toMatchObject({ payload_id: id, issues: [{ path: 'last_name' }] });

    // The operator fixes the mapping in RELAY_SOURCES_FILE and restarts the relay.
    h.relay = await h.restart({ webhookSources: compileSources(FIXED_SOURCES) });
    const fixed = await replay(id);
    expect(fixed.status).toBe(202);
    const receipt = await json(fixed);
    expect(receipt).toMatchObject({ status: 'accepted', state: 'queued' });
    expect(await h.relay.store.read.signups.get(receipt.id)).toMatchObject({ source: 'clerk', last_name: 'mokafor' });
    await h.settle();
    expect((await h.referrals()).referrals).toEqual([expect.objectContaining({ first_name: 'Maya', last_name: 'mokafor' })]);

    expect(await json(h.admin(`/webhook-payloads/${id}`))).toMatchObject({ status: 'ingested', signup_id: receipt.id, issues: [] });
    const twice = await replay(id);
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({ message: expect.stringContaining(receipt.id) });
    // Clerk retrying the original delivery now hears about the signup.
    const retry = await h.relay.app.request('/v1/webhooks/clerk', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...svixHeaders(CLERK_SECRET, 'msg_nolast', new Date(h.clock.now), noLastName) },
      body: noLastName,
    });
    expect(await retry.json()).toMatchObject({ status: 'replayed', first_outcome: 'unmappable', payload_status: 'ingested' });
    await h.settle();
    expect((await h.referrals()).referrals).toHaveLength(1);
  });

  it('refuses to replay for a source that is no longer configured', async () => {
    const id = await deliverUnmappable();
    h.relay = await h.restart({ webhookSources: compileSources({ sources: { tally: TEST_SOURCES.sources.tally } }) });
    const response = await replay(id);
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('"clerk" is no longer configured') });
  });

  it('discards a payload', async () => {
    const id = await deliverUnmappable();
    expect((await h.admin(`/webhook-payloads/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await h.admin(`/webhook-payloads/${id}`)).status).toBe(404);
    expect((await h.admin(`/webhook-payloads/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('erases kept payloads with the person (DELETE /v1/admin/people/:email)', async () => {
    await deliverUnmappable();
    const other = editFixture('tally-form-response', (p) => (p.data.fields[0].value = ''));
    await h.relay.app.request('/v1/webhooks/tally', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...tallyHeaders(TALLY_SECRET, other) },
      body: other,
    });
    const erased = await json(h.admin(`/people/${encodeURIComponent('MAYA.okafor@example.edu')}`, { method: 'DELETE' }));
    expect(erased).toMatchObject({ webhook_payloads: 1 });
    expect((await json(h.admin('/webhook-payloads'))).payloads).toEqual([expect.objectContaining({ source: 'tally' })]);
  });
});
