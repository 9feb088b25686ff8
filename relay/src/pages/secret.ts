import { randomBytes } from 'node:crypto';
import type { Store } from '../store/types';

/**
 * A random 32-byte secret made on first use and kept in the database's flags, so what it signs
 * (form tokens, picture ids) stays valid across restarts. Memoised: one secret per name.
 */
export function storedSecret(store: Pick<Store, 'getFlag' | 'setFlag'>, flag: string): () => Promise<Buffer> {
  let secret: Promise<Buffer> | undefined;
  return () =>
    (secret ??= (async () => {
      const kept = store.getFlag(flag);
      if (kept) return Buffer.from(kept, 'base64url');
      const made = randomBytes(32);
      await store.setFlag(flag, made.toString('base64url'));
      return made;
    })());
}
