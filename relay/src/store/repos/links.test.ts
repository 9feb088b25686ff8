import { describe, expect, it } from 'vitest';
import { testEngines } from '../test-engines';
import { freshStorePerTest } from '../test-store';
import type { Store } from '../types';

const NOW = Date.parse('2026-01-15T10:30:00Z');
const FORM = 'https://docs.google.com/forms/d/e/1FAIpQLSd3Xk9Qm/viewform';

describe.each(testEngines())('poster link storage on $name', (engine) => {
  let store: Store;
  freshStorePerTest(engine, (opened) => (store = opened));

  it('creates, replaces (keeping created_at), lists and deletes links', async () => {
    const put = (target: string, now: number) =>
      store.transaction((tx) => tx.links.put({ slug: 'robotics', target, impression_param: 'entry.1' }, now));
    expect(await put(FORM, NOW)).toBe(true);
    expect(await put(`${FORM}?hl=fr`, NOW + 1000)).toBe(false);
    expect(await store.read.links.get('robotics')).toEqual({
      slug: 'robotics',
      target: `${FORM}?hl=fr`,
      impression_param: 'entry.1',
      created_at: NOW,
      updated_at: NOW + 1000,
    });
    await store.transaction((tx) => tx.links.put({ slug: 'art', target: FORM, impression_param: 'entry.2' }, NOW));
    expect((await store.read.links.list()).map((link) => link.slug)).toEqual(['art', 'robotics']);
    expect(await store.transaction((tx) => tx.links.delete('robotics'))).toBe(true);
    expect(await store.transaction((tx) => tx.links.delete('robotics'))).toBe(false);
    expect(await store.read.links.get('robotics')).toBeUndefined();
  });

  it('replaces the origin allowlist as a whole, atomically', async () => {
    await store.transaction((tx) => tx.links.setOrigins(['https://tally.so', 'https://a.typeform.com'], NOW));
    expect(await store.read.links.origins()).toEqual(['https://a.typeform.com', 'https://tally.so']);
    await expect(
      store.transaction(async (tx) => {
        await tx.links.setOrigins(['https://only.example'], NOW);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.read.links.origins()).toEqual(['https://a.typeform.com', 'https://tally.so']);
    await store.transaction((tx) => tx.links.setOrigins([], NOW));
    expect(await store.read.links.origins()).toEqual([]);
  });
});
