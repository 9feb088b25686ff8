/**
 * `GET /v1/admin/export.csv`: every signup matching the filters, oldest first, streamed in
 * keyset pages. The body is a pull stream: a page is read from the store only when the
 * client has taken the previous one, so memory stays flat for any number of rows and the
 * connection is free for ingest writes between pages. (Hono's `stream()` helper would
 * end the body cleanly on a failure; here a failure errors the stream, so the client sees
 * a broken transfer instead of a short file that looks complete.)
 */
import { Hono } from 'hono';
import type { Logger } from '../logger';
import type { Keyset, SignupFilter } from '../store/repos/admin';
import type { Store } from '../store/types';
import { csvHeader, csvLine } from './csv';
import { parseOr400, toFilter, ZExportQuery } from './query';

export const EXPORT_PAGE_ROWS = 1000;

export interface ExportDeps {
  store: Pick<Store, 'read'>;
  now: () => number;
  logger: Logger;
}

export function exportRoutes({ store, now, logger }: ExportDeps) {
  const app = new Hono();
  app.get('/export.csv', async (c) => {
    const filter = toFilter(parseOr400(ZExportQuery, c.req.query(), 'query'));
    const day = new Date(now()).toISOString().slice(0, 10);
    const rows = await store.read.admin.countSignups(filter);
    return c.body(csvStream(store, filter, logger), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="vantio-signups-${day}.csv"`,
      'Cache-Control': 'no-store',
      // Rows matching when the export started (for progress bars); rows arriving later may follow.
      'X-Export-Rows': String(rows),
    });
  });
  return app;
}

function csvStream(store: ExportDeps['store'], filter: SignupFilter, logger: Logger): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: Keyset | undefined;
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (!headerSent) {
            headerSent = true;
            controller.enqueue(encoder.encode(csvHeader()));
            return;
          }
          const rows = await store.read.admin.listSignups(filter, { limit: EXPORT_PAGE_ROWS, order: 'asc', after });
          if (rows.length > 0) {
            controller.enqueue(encoder.encode(rows.map(csvLine).join('')));
            const last = rows.at(-1)!;
            after = { createdAt: last.created_at, id: last.id };
          }
          if (rows.length < EXPORT_PAGE_ROWS) controller.close();
        } catch (error) {
          logger.error({ err: error, route: '/v1/admin/export.csv' }, 'export failed mid-stream');
          controller.error(error);
        }
      },
    },
    { highWaterMark: 0 },
  );
}
