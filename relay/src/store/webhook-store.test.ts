import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upstreamIdempotencyKey } from '@vantio/shared';
import { createIngestor } from '../ingest';
import { SqliteStore } from './sqlite-store';
import { DELIVERY_RETENTION_MS, erasePayloadsByEmail, erasePayloadsByEmailIn, WebhookStore } from './webhook-store';

const NOW = Date.parse('2026-01-15T10:30:00Z');
let dir: string;
let store: SqliteStore;
let webhooks: WebhookStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vantio-webhook-store-'));
  store = SqliteStore.open(join(dir, 'relay.sqlite'));
  webhooks = new WebhookStore(store);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const keep = (deliveryId: string, body: unknown, now = NOW) =>
  webhooks.recordUnmappable({
    source: 'clerk',
    deliveryId,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    issues: [{ path: 'last_name', message: 'is missing' }],
    now,
  });

describe('WebhookStore', () => {
  it('records an accepted delivery only when its signup was written (same batch, found by upstream key)', async () => {
    const ingestor = createIngestor({ store, now: () => NOW });
    const signup = { impression_id: 'imp_1', first_name: 'A', last_name: 'B', email: 'A@Example.edu' };
    const upstreamKey = upstreamIdempotencyKey('imp_1', 'a@example.edu');
    const batches = store.commits.stats.batches;
    const [result] = await Promise.all([
      ingestor.ingest({ signup, source: 'clerk' }),
      webhooks.recordAccepted({ source: 'clerk', deliveryId: 'd1', upstreamKey, now: NOW }),
    ]);
    expect(store.commits.stats.batches - batches).toBe(1);
    expect(webhooks.findDelivery('clerk', 'd1')).toEqual({
      source: 'clerk',
      delivery_id: 'd1',
      received_at: NOW,
      outcome: 'accepted',
      signup_id: result.signup.id,
      payload_id: null,
    });
    await webhooks.recordAccepted({ source: 'clerk', deliveryId: 'd2', upstreamKey: 'vs1_nothing', now: NOW });
    expect(webhooks.findDelivery('clerk', 'd2')).toBeUndefined();
    expect(webhooks.findDelivery('tally', 'd1')).toBeUndefined(); // ids are per source
  });

  it('keeps one payload for concurrent copies of an unmappable delivery', async () => {
    const [first, second] = await Promise.all([keep('d1', { a: 1 }), keep('d1', { a: 1 })]);
    expect(first).toEqual({ payloadId: expect.stringMatching(/^whp_/), stored: true });
    expect(second).toEqual({ payloadId: first.payloadId, stored: false });
    expect(webhooks.countPayloads()).toEqual({ pending: 1, ingested: 0 });
  });

  it('purges delivery records older than 7 days, opportunistically, and keeps newer ones', async () => {
    await keep('old', { a: 1 });
    await keep('recent', { a: 2 }, NOW + DELIVERY_RETENTION_MS - 3_600_000);
    await keep('trigger', { a: 3 }, NOW + DELIVERY_RETENTION_MS + 1);
    expect(webhooks.findDelivery('clerk', 'old')).toBeUndefined();
    expect(webhooks.findDelivery('clerk', 'recent')).toBeDefined();
    // Payloads themselves stay until an admin (or a retention sweep) removes them.
    expect(webhooks.countPayloads().pending).toBe(3);
    expect(await webhooks.purgePayloads(NOW + 1)).toBe(1);
  });
});

describe('erasePayloadsByEmail', () => {
  it('deletes payloads mentioning the address in any case or JSON escaping, and nothing else', async () => {
    await keep('plain', { data: { email: 'maya.okafor@example.edu' } });
    await keep('upper', { data: { email: 'MAYA.Okafor@EXAMPLE.edu' } });
    await keep('escaped', '{"data":{"email":"maya.okafor\\u0040example.edu"}}');
    await keep('in-text', { note: 'contact: <maya.okafor@example.edu>.' });
    await keep('longer-local', { data: { email: 'anna.maya.okafor@example.edu.x' } });
    await keep('prefix', { data: { email: 'xmaya.okafor@example.edu' } });
    await keep('longer-domain', { data: { email: 'maya.okafor@example.education' } });
    await keep('subdomain', { data: { email: 'maya.okafor@example.edu.au' } });
    await keep('other', { data: { email: 'someone@example.edu' } });

    expect(await erasePayloadsByEmail(store, ' Maya.Okafor@example.EDU ')).toBe(4);
    const left = (store.db.prepare('SELECT delivery_id FROM webhook_payloads ORDER BY rowid').all() as { delivery_id: string }[]).map(
      (row) => row.delivery_id,
    );
    expect(left).toEqual(['longer-local', 'prefix', 'longer-domain', 'subdomain', 'other']);
    expect(await webhooks.erasePayloadsByEmail('maya.okafor@example.edu')).toBe(0);
    expect(erasePayloadsByEmailIn(store.db, 'not an email')).toBe(0);
  });
});
