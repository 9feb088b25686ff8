import { describe, expect, it } from 'vitest';
import { createIngestor } from '../../ingest';
import { newId } from '../../ids';
import { testEngines } from '../test-engines';
import { freshStorePerTest } from '../test-store';
import type { Store } from '../types';
import { DELIVERY_RETENTION_MS } from './webhooks';

const NOW = Date.parse('2026-01-15T10:30:00Z');

describe.each(testEngines())('webhook storage on $name', (engine) => {
  let store: Store;
  freshStorePerTest(engine, (opened) => (store = opened));

  const keep = (deliveryId: string, body: unknown, now = NOW) =>
    store.transaction((tx) =>
      tx.webhooks.recordUnmappable({
        id: newId('whp', now),
        source: 'clerk',
        deliveryId,
        body: typeof body === 'string' ? body : JSON.stringify(body),
        issues: [{ path: 'last_name', message: 'is missing' }],
        now,
      }),
    );

  it('records an accepted delivery in the unit of work that wrote its signup, linked by the signup id', async () => {
    const ingestor = createIngestor({ store, now: () => NOW });
    const signup = { impression_id: 'imp_1', first_name: 'A', last_name: 'B', email: 'A@Example.edu' };
    const result = await ingestor.ingest({ signup, source: 'clerk' }, async (tx, accepted) => {
      await tx.webhooks.recordAccepted({ source: 'clerk', deliveryId: 'd1', signupId: accepted.signup.id, now: NOW });
    });
    expect(await store.read.webhooks.findDelivery('clerk', 'd1')).toEqual({
      source: 'clerk',
      delivery_id: 'd1',
      received_at: NOW,
      outcome: 'accepted',
      signup_id: result.signup.id,
      payload_id: null,
    });
    expect(await store.read.webhooks.findDelivery('tally', 'd1')).toBeUndefined(); // ids are per source
  });

  it('writes neither the signup nor the delivery record when the unit fails', async () => {
    const ingestor = createIngestor({ store, now: () => NOW });
    const signup = { impression_id: 'imp_1', first_name: 'A', last_name: 'B', email: 'a@example.edu' };
    await expect(
      ingestor.ingest({ signup, source: 'clerk' }, async (tx, accepted) => {
        await tx.webhooks.recordAccepted({ source: 'clerk', deliveryId: 'd1', signupId: accepted.signup.id, now: NOW });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.read.webhooks.findDelivery('clerk', 'd1')).toBeUndefined();
    expect((await store.read.signups.countByState()).queued).toBe(0);
  });

  it('keeps one payload for concurrent copies of an unmappable delivery', async () => {
    const [first, second] = await Promise.all([keep('d1', { a: 1 }), keep('d1', { a: 1 })]);
    const stored = [first, second].filter((result) => result.stored);
    expect(stored).toHaveLength(1);
    expect(first.payloadId).toBe(second.payloadId);
    expect(await store.read.webhooks.countPayloads()).toEqual({ pending: 1, ingested: 0 });
  });

  it('purges delivery records older than the replay window and keeps newer ones', async () => {
    await keep('old', { a: 1 });
    await keep('recent', { a: 2 }, NOW + DELIVERY_RETENTION_MS - 3_600_000);
    await store.transaction((tx) => tx.webhooks.purgeDeliveries(NOW + 1));
    expect(await store.read.webhooks.findDelivery('clerk', 'old')).toBeUndefined();
    expect(await store.read.webhooks.findDelivery('clerk', 'recent')).toBeDefined();
    // Payloads themselves stay until an admin (or a retention sweep) removes them.
    expect((await store.read.webhooks.countPayloads()).pending).toBe(2);
    expect(await store.transaction((tx) => tx.webhooks.purgePayloads(NOW + 1))).toBe(1);
  });

  it('lists payloads newest first in arrival order and pages with `before`', async () => {
    for (const id of ['a', 'b', 'c']) await keep(id, { id });
    const page = await store.read.webhooks.listPayloads({ limit: 2 });
    expect(page.map((row) => row.delivery_id)).toEqual(['c', 'b']);
    const next = await store.read.webhooks.listPayloads({ limit: 2, before: page[1]!.id });
    expect(next.map((row) => row.delivery_id)).toEqual(['a']);
  });

  it('erases payloads mentioning the address in any case or JSON escaping, and nothing else', async () => {
    await keep('plain', { data: { email: 'maya.okafor@example.edu' } });
    await keep('upper', { data: { email: 'MAYA.Okafor@EXAMPLE.edu' } });
    await keep('escaped', '{"data":{"email":"maya.okafor\\u0040example.edu"}}');
    await keep('in-text', { note: 'contact: <maya.okafor@example.edu>.' });
    await keep('longer-local', { data: { email: 'anna.maya.okafor@example.edu.x' } });
    await keep('prefix', { data: { email: 'xmaya.okafor@example.edu' } });
    await keep('longer-domain', { data: { email: 'maya.okafor@example.education' } });
    await keep('subdomain', { data: { email: 'maya.okafor@example.edu.au' } });
    await keep('other', { data: { email: 'someone@example.edu' } });

    const erase = (email: string) => store.transaction((tx) => tx.webhooks.erasePayloadsByEmail(email));
    expect(await erase(' Maya.Okafor@example.EDU ')).toBe(4);
    const left = (await store.read.webhooks.listPayloads({ limit: 50 })).map((row) => row.delivery_id).reverse();
    expect(left).toEqual(['longer-local', 'prefix', 'longer-domain', 'subdomain', 'other']);
    expect(await erase('maya.okafor@example.edu')).toBe(0);
    expect(await erase('not an email')).toBe(0);
  });
});
