/**
 * The per-test store of a storage suite written once for every engine (test-engines.ts):
 * a fresh store before each test, closed and removed after it.
 *
 *   describe.each(testEngines())('… on $name', (engine) => {
 *     let store: Store;
 *     freshStorePerTest(engine, (opened) => (store = opened));
 *
 * Apart from test-engines.ts because that file also serves the bench, which runs without vitest.
 */
import { afterEach, beforeEach } from 'vitest';
import type { TestEngine } from './test-engines';
import type { Store } from './types';

export function freshStorePerTest(engine: TestEngine, use: (store: Store) => void): void {
  let store: Store | undefined;
  beforeEach(async () => {
    store = await engine.open();
    use(store);
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await engine.cleanup();
  });
}
