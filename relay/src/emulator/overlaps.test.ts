import { describe, expect, it } from 'vitest';
import { postControl, postReferral, testApp, VALID_BODY } from './testing';

const overlaps = async (app: ReturnType<typeof testApp>) =>
  (await (await app.request('/__emulator/overlaps')).json()) as { overlapping_calls: Record<string, number>; max_in_flight_per_key: number };

describe('overlapping calls per idempotency key', () => {
  it('counts a call that arrives while another for the same key is under way, and nothing else', async () => {
    const app = testApp();
    await postControl(app, '/faults', { latency_ms: 40 });
    const keyed = (key: string) => postReferral(app, { ...VALID_BODY, idempotency_key: key });
    // Sequential calls for one key, and concurrent calls for different keys: no overlap.
    expect((await keyed('a')).status).toBe(200);
    expect((await keyed('a')).status).toBe(200);
    await Promise.all([keyed('b'), keyed('c'), postReferral(app, VALID_BODY)]);
    expect(await overlaps(app)).toEqual({ overlapping_calls: {}, max_in_flight_per_key: 1 });
    // Two at once for one key: one overlap.
    await Promise.all([keyed('d'), keyed('d')]);
    expect(await overlaps(app)).toEqual({ overlapping_calls: { d: 1 }, max_in_flight_per_key: 2 });
    await postControl(app, '/reset');
    expect(await overlaps(app)).toEqual({ overlapping_calls: {}, max_in_flight_per_key: 0 });
  });
});
