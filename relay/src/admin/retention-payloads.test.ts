import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { openStore } from '../store/open';
import { startRetention } from './retention';

const DAY = 86_400_000;

describe('retention of kept webhook payloads', () => {
  it('deletes payloads received more than N days ago in the same sweep', async () => {
    const cutoffs: number[] = [];
    const store = await openStore({ dbPath: ':memory:' });
    const job = startRetention({
      store,
      purgePayloads: async (cutoff) => {
        cutoffs.push(cutoff);
        return 2;
      },
      days: 7,
      now: () => 100 * DAY,
      logger: createLogger('silent'),
    });
    await job.runNow();
    await job.stop();
    await store.close();
    expect(cutoffs.length).toBeGreaterThanOrEqual(1);
    expect(new Set(cutoffs)).toEqual(new Set([93 * DAY]));
  });
});
