/**
 * `GET /v1/admin/backup`: a consistent copy of the live database made with SQLite's online
 * backup API (ingest and delivery keep running), streamed to the caller. The temporary
 * copy is unlinked as soon as it is open, so it cannot be left behind whatever the client
 * does; the open descriptor keeps it readable until the stream ends.
 */
import { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ApiError } from '../http/errors';
import { BackupNotSupported, type Store } from '../store/types';

export interface BackupDeps {
  store: Pick<Store, 'backupTo'>;
  /** Where the temporary copy is written: the database's own directory has room for it. */
  backupDir: string;
  now: () => number;
}

export function backupRoutes({ store, backupDir, now }: BackupDeps) {
  const app = new Hono();
  app.get('/backup', async (c) => {
    const path = join(backupDir, `.relay-backup-${randomBytes(8).toString('hex')}.sqlite`);
    let handle;
    try {
      await store.backupTo(path);
      handle = await open(path, 'r');
    } catch (error) {
      if (error instanceof BackupNotSupported) throw new ApiError(501, error.message);
      throw error;
    } finally {
      // Unlink right away: the descriptor (if any) keeps the bytes readable until closed.
      await Promise.all(['', '-journal', '-wal', '-shm'].map((suffix) => rm(`${path}${suffix}`, { force: true })));
    }
    let size: number;
    try {
      ({ size } = await handle.stat());
    } catch (error) {
      await handle.close();
      throw error;
    }
    const stamp = new Date(now()).toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
    const headers = {
      'Content-Type': 'application/vnd.sqlite3',
      'Content-Disposition': `attachment; filename="vantio-relay-${stamp}.sqlite"`,
      'Content-Length': String(size),
      'Cache-Control': 'no-store',
    };
    // A HEAD answer has no body: a stream nobody reads would hold the descriptor until GC.
    if (c.req.method === 'HEAD') {
      await handle.close();
      return c.body(null, 200, headers);
    }
    const body = Readable.toWeb(handle.createReadStream()) as ReadableStream<Uint8Array>;
    return c.body(body, 200, headers);
  });
  return app;
}
