import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, person, type Harness } from '../testing';

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('DELETE /v1/admin/people/:email', () => {
  beforeEach(async () => {
    h = await createHarness();
  });

  it('erases every signup of the person with attempts and outbox, says what went, and logs no email', async () => {
    await h.post(person(1, { email: 'Ana.Li@Example.edu' }));
    await h.post(person(1, { email: 'ana.li@example.edu', impression_id: 'imp_demo_2' }));
    const keep = await h.post(person(2));
    await h.settle();
    await h.faults({ error_rate: 1 });
    await h.post(person(1, { email: 'ANA.LI@example.edu', impression_id: 'imp_demo_3' })); // queued after a 503
    await h.settle();

    const response = await h.admin(`/people/${encodeURIComponent('Ana.Li@EXAMPLE.edu')}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ signups: 3, attempts: 3, outbox: 1 });
    expect(body.signup_ids).toHaveLength(3);
    const list = (await (await h.admin('/signups')).json()) as { items: { email: string }[] };
    expect(list.items.map((item) => item.email)).toEqual(['person2@example.edu']);
    expect(await h.relay.store.read.signups.get(((await keep.json()) as { id: string }).id)).toBeDefined();
    expect(h.logLines.join('')).not.toMatch(/ana\.li/i);
    expect(h.logLines.join('')).toContain('"route":"/v1/admin/people/:email"');

    const again = await h.admin('/people/ana.li@example.edu', { method: 'DELETE' });
    expect(await again.json()).toMatchObject({ signups: 0, attempts: 0, outbox: 0, signup_ids: [] });
    expect((await h.admin('/people/not-an-email', { method: 'DELETE' })).status).toBe(400);
  });
});

describe('erasing stored webhook payloads', () => {
  it('calls the payload eraser with the normalised email and reports its count', async () => {
    const calls: string[] = [];
    h = await createHarness({ erasePayloads: (email) => (calls.push(email), 2) });
    await h.post(person(1));
    const body = await (await h.admin('/people/%20Person1@Example.EDU', { method: 'DELETE' })).json();
    expect(body).toMatchObject({ signups: 1, webhook_payloads: 2 });
    expect(calls).toEqual(['person1@example.edu']);
  });
});
