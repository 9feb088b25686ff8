import { afterAll, describe, expect, it } from 'vitest';
import { ZPageConfig } from '@vantio/shared';
import { testEngines } from '../test-engines';
import { UNUSED_PICTURE_TTL_MS } from './pictures';

const engines = testEngines();
afterAll(async () => {
  for (const engine of engines) await engine.cleanup();
});

describe.each(engines)('pages and pictures on $name', (engine) => {
  it('puts, replaces, lists and deletes pages', async () => {
    const store = await engine.open();
    try {
      const config = ZPageConfig.parse({ title: 'Robotics' });
      expect((await store.transaction((tx) => tx.pages.put('robotics', config, 1000))).created).toBe(true);
      const replaced = await store.transaction((tx) => tx.pages.put('robotics', { ...config, title: 'Robots' }, 2000));
      expect(replaced).toMatchObject({ created: false, page: { createdAt: 1000, updatedAt: 2000, config: { title: 'Robots' } } });
      expect((await store.read.pages.list()).map((page) => page.slug)).toEqual(['robotics']);
      expect(await store.transaction((tx) => tx.pages.delete('robotics'))).toBe(true);
      expect(await store.transaction((tx) => tx.pages.delete('robotics'))).toBe(false);
      expect(await store.read.pages.get('robotics')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('stores a picture once, keeps its bytes, links it and sweeps it when unused', async () => {
    const store = await engine.open();
    try {
      const body = Buffer.from([0, 1, 2, 254, 255]);
      const picture = { id: 'p'.repeat(32), body, width: 10, height: 20 };
      await store.transaction((tx) => tx.pictures.put(picture, 1000));
      await store.transaction((tx) => tx.pictures.put({ ...picture, body: Buffer.from('other') }, 2000));
      expect(await store.read.pictures.get(picture.id)).toEqual({ ...picture, createdAt: 1000 });
      expect(await store.transaction((tx) => tx.pictures.link('x'.repeat(32), 'sgn_none', 1000))).toBe(false);
      // Unlinked and young: kept; unlinked and a day old: swept.
      expect(await store.transaction((tx) => tx.pictures.sweep(1000))).toBe(0);
      expect(await store.transaction((tx) => tx.pictures.sweep(1000 + UNUSED_PICTURE_TTL_MS + 1))).toBe(1);
      expect(await store.read.pictures.has(picture.id)).toBe(false);
    } finally {
      await store.close();
    }
  });
});
