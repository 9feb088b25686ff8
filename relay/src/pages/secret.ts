import { randomBytes } from 'node:crypto';
import type { Store } from '../store/types';

/**
 * A random 32-byte secret made on first use and kept in `relay_meta`, so what it signs (form
 * tokens, picture ids) stays valid across restarts and is the same on every relay of a shared
 * database: the first relay's insert wins, everyone reads it back. Memoised per name.
 */
export function storedSecret(store: Store, key: string): () => Promise<Buffer> {
  let secret: Promise<Buffer> | undefined;
  const load = async () => {
    const kept = await store.read.meta.get(key);
    if (kept) return Buffer.from(kept, 'base64url');
    const made = randomBytes(32).toString('base64url');
    const value = await store.transaction(async (tx) => {
      await tx.sql.run('INSERT INTO relay_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, made]);
      return (await tx.meta.get(key))!;
    });
    return Buffer.from(value, 'base64url');
  };
  return () => {
    secret ??= load().catch((error: unknown) => {
      secret = undefined; // a failed read is retried next time, never cached
      throw error;
    });
    return secret;
  };
}
