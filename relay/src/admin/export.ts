/**
 * `GET /v1/admin/export.csv`: every signup matching the filters, oldest first, streamed in
 * keyset pages. The body is a pull stream: a page is read from SQLite only when the
 * client has taken the previous one, so memory stays flat for any number of rows and the
 * connection is free for ingest writes between pages. (Hono's `stream()` helper would
 * end the body cleanly on a failure; here a failure errors the stream, so the client sees
 * a broken transfer instead of a short file that looks complete.)
 */
import { Hono } from 'hono';
import type { Logger } from '../logger';
import type { AdminStore, Keyset, SignupFilter } from '../store/admin-store';
import { csvHeader, csvLine } from './csv';
import { parseOr400, toFilter, ZExportQuery } from './query';

export const EXPORT_PAGE_ROWS = 1000;

export interface ExportDeps {
  adminStore: Pick<AdminStore, 'listSignups' | 'countSignups'>;
  now: () => number;
  logger: Logger;
}

export function exportRoutes({ adminStore, now, logger }: ExportDeps) {
  const app = new Hono();
  app.get('/export.csv', (c) => {
    const filter = toFilter(parseOr400(ZExportQuery, c.req.query(), 'query'));
    const day = new Date(now()).toISOString().slice(0, 10);
    return c.body(csvStream(adminStore, filter, logger), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="vantio-signups-${day}.csv"`,
      'Cache-Control': 'no-store',
      // Rows matching when the export started (for progress bars); rows arriving later may follow.
      'X-Export-Rows': String(adminStore.countSignups(filter)),
    });
  });
  return app;
}

function csvStream(adminStore: ExportDeps['adminStore'], filter: SignupFilter, logger: Logger): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: Keyset | undefined;
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        try {
          if (!headerSent) {
            headerSent = true;
            controller.enqueue(encoder.encode(csvHeader()));
            return;
          }
          const rows = adminStore.listSignups(filter, { limit: EXPORT_PAGE_ROWS, order: 'asc', after });
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
