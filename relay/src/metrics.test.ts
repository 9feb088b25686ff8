import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZErrorBody } from '@vantio/shared';
import { ADMIN_TOKEN, createHarness, person, type Harness } from './testing';

const METRICS_TOKEN = 'scrape-only-token-0123456789';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ metricsToken: METRICS_TOKEN });
});
afterEach(async () => {
  await h.close();
});

const scrape = async (token = METRICS_TOKEN) => {
  const response = await h.relay.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return response.text();
};

/** The value of one sample in Prometheus text format, e.g. `sample(text, 'x_total', { source: 'api' })`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2] ? match[2].split(',') : [];
    if (have.length === wanted.length && wanted.every((label) => have.includes(label))) return Number(match[3]);
  }
  throw new Error(`no sample ${name}${JSON.stringify(labels)} in:\n${text}`);
}

describe('GET /metrics', () => {
  it('needs the metrics token or the admin token, and answers in Prometheus text format', async () => {
    const anonymous = await h.relay.app.request('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(ZErrorBody.parse(await anonymous.json()).message).toMatch(/RELAY_METRICS_TOKEN/);
    const wrong = await h.relay.app.request('/metrics', { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);

    const response = await h.relay.app.request('/metrics', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('# TYPE vantio_relay_signups_accepted_total counter');
    expect(text).toContain('# TYPE vantio_relay_upstream_request_duration_seconds histogram');
    expect(await scrape(METRICS_TOKEN)).toContain('vantio_relay_queue_depth 0');
  });

  it('is off (503, never open) when neither token is configured', async () => {
    h.relay = await h.restart({ adminToken: undefined, metricsToken: undefined });
    const response = await h.relay.app.request('/metrics');
    expect(response.status).toBe(503);
    expect(ZErrorBody.parse(await response.json()).message).toMatch(/disabled/);
  });

  it('counts accepted signups by source, duplicates, replays, key conflicts and bots', async () => {
    expect((await h.post(person(1))).status).toBe(202);
    expect((await h.post({ ...person(2), time_to_fill_ms: 5_000 })).status).toBe(202);
    expect((await h.post(person(1, { first_name: 'Again' }))).status).toBe(200);
    const key = { 'idempotency-key': 'submission-42' };
    expect((await h.post(person(3), key)).status).toBe(202);
    expect((await h.post(person(3), key)).status).toBe(202);
    expect((await h.post(person(4), key)).status).toBe(422);
    expect((await h.post({ ...person(5), honeypot: 'x', time_to_fill_ms: 5_000 })).status).toBe(202);
    expect((await h.post({ ...person(6), time_to_fill_ms: 10 })).status).toBe(202);
    expect((await h.post({ ...person(7), email: 'not-an-email' })).status).toBe(400);

    const text = await scrape();
    expect(sample(text, 'vantio_relay_signups_accepted_total', { source: 'api' })).toBe(2);
    expect(sample(text, 'vantio_relay_signups_accepted_total', { source: 'widget' })).toBe(1);
    expect(sample(text, 'vantio_relay_signups_duplicate_total', { source: 'api', kind: 'same_person' })).toBe(1);
    expect(sample(text, 'vantio_relay_signups_duplicate_total', { source: 'api', kind: 'replayed_key' })).toBe(1);
    expect(sample(text, 'vantio_relay_signups_key_conflict_total', { source: 'api' })).toBe(1);
    expect(sample(text, 'vantio_relay_bots_total')).toBe(2);
  });

  it('counts deliveries by outcome and final state, with upstream and end-to-end latency histograms', async () => {
    await h.post(person(1));
    h.clock.now += 2_500; // delivered 2.5 s after acceptance
    await h.settle();
    await h.post(person(2, { impression_id: 'imp_unknown' }));
    await h.settle();
    await h.faults({ error_rate: 1 });
    await h.post(person(3));
    for (const wait of [0, 5_000, 60_000, 600_000]) {
      h.clock.now += wait;
      await h.settle();
    }

    const text = await scrape();
    expect(sample(text, 'vantio_relay_delivery_attempts_total', { outcome: 'created' })).toBe(1);
    expect(sample(text, 'vantio_relay_delivery_attempts_total', { outcome: 'rejected' })).toBe(1);
    expect(sample(text, 'vantio_relay_delivery_attempts_total', { outcome: 'retryable' })).toBe(4);
    expect(sample(text, 'vantio_relay_delivery_attempts_total', { outcome: 'unauthorized' })).toBe(0);
    expect(sample(text, 'vantio_relay_deliveries_finished_total', { state: 'delivered' })).toBe(1);
    expect(sample(text, 'vantio_relay_deliveries_finished_total', { state: 'rejected' })).toBe(1);
    expect(sample(text, 'vantio_relay_deliveries_finished_total', { state: 'dead' })).toBe(1);
    expect(sample(text, 'vantio_relay_upstream_request_duration_seconds_count', { outcome: 'retryable' })).toBe(4);
    expect(sample(text, 'vantio_relay_delivery_latency_seconds_count')).toBe(1);
    expect(sample(text, 'vantio_relay_delivery_latency_seconds_sum')).toBe(2.5);
    expect(sample(text, 'vantio_relay_delivery_latency_seconds_bucket', { le: '1' })).toBe(0);
    expect(sample(text, 'vantio_relay_delivery_latency_seconds_bucket', { le: '5' })).toBe(1);
  });

  it('reads queue depth, the oldest queued age and the paused flag at scrape time', async () => {
    h.relay = await h.restart({ forwardConcurrency: 0 });
    let text = await scrape();
    expect(sample(text, 'vantio_relay_queue_oldest_age_seconds')).toBe(0);
    expect(sample(text, 'vantio_relay_delivery_paused', { reason: 'held' })).toBe(1);

    await h.post(person(1));
    h.clock.now += 30_000;
    await h.post(person(2));
    h.clock.now += 60_000;
    text = await scrape();
    expect(sample(text, 'vantio_relay_queue_depth')).toBe(2);
    expect(sample(text, 'vantio_relay_queue_oldest_age_seconds')).toBe(90);

    h.relay = await h.restart({ forwardConcurrency: 2 });
    await h.settle();
    text = await scrape();
    expect(sample(text, 'vantio_relay_queue_depth')).toBe(0);
    expect(sample(text, 'vantio_relay_queue_oldest_age_seconds')).toBe(0);
    expect(sample(text, 'vantio_relay_delivery_paused', { reason: 'none' })).toBe(0);

    await h.relay.forwarder.setAdminPaused(true);
    text = await scrape();
    expect(sample(text, 'vantio_relay_delivery_paused', { reason: 'admin' })).toBe(1);
    expect(text).not.toContain('reason="none"');
  });

  it('adds Node process metrics when asked (main.ts does)', async () => {
    h.relay = await h.restart({ processMetrics: true });
    expect(await scrape()).toContain('# TYPE process_cpu_user_seconds_total counter');
  });
});
