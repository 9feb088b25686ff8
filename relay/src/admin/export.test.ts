import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids';
import { createLogger } from '../logger';
import { ADMIN_TOKEN, createHarness, person, START, type Harness } from '../testing';
import { CSV_COLUMNS, csvCell } from './csv';
import { EXPORT_PAGE_ROWS, exportRoutes } from './export';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

/** Inserts delivered signups straight into the database (no outbox: the forwarder stays idle). */
async function insertDelivered(count: number, start = START): Promise<void> {
  const insert = `INSERT INTO signups (id, source, state, impression_id, first_name, last_name, email, email_norm, upstream_key,
       created_at, updated_at, delivered_at, attempts, referral_id, student_id)
     VALUES (?, 'widget', 'delivered', 'imp_demo_1', ?, 'Bulk', ?, ?, ?, ?, ?, ?, 1, ?, 'user_demo_1')`;
  await h.relay.store.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      const at = start + i;
      const email = `bulk${i}@example.edu`;
      await tx.sql.run(insert, [newId('sgn', at), `Bulk${i}`, email, email, `key_${i}`, at, at, at + 50, `ref_${i}`]);
    }
  });
}

/** Counts CRLF-terminated records in a stream of CSV bytes (no quoted newlines in bulk rows). */
async function countLines(body: ReadableStream<Uint8Array>): Promise<{ lines: number; first: string; last: string }> {
  const decoder = new TextDecoder();
  let lines = 0;
  let tail = '';
  let first = '';
  let last = '';
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = tail + decoder.decode(value, { stream: true });
    const parts = text.split('\r\n');
    tail = parts.pop()!;
    if (!first && parts.length) first = parts[0]!;
    if (parts.length) last = parts.at(-1)!;
    lines += parts.length;
  }
  expect(tail).toBe('');
  return { lines, first, last };
}

describe('GET /v1/admin/export.csv', () => {
  it('streams 100,000 rows over HTTP with headers for a download and a row count for progress', async () => {
    await insertDelivered(100_000);
    const server: ServerType = serve({ fetch: h.relay.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/v1/admin/export.csv`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="vantio-signups-2026-01-15.csv"');
      expect(response.headers.get('x-export-rows')).toBe('100000');
      const { lines, first, last } = await countLines(response.body!);
      expect(lines).toBe(100_001);
      expect(first).toBe(CSV_COLUMNS.join(','));
      expect(last).toMatch(/^sgn_\w+,2026-01-15T10:31:39\.999Z,widget,delivered,imp_demo_1,Bulk99999,Bulk,bulk99999@example\.edu,/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads a page from the store only when the client took the previous one', async () => {
    await insertDelivered(EXPORT_PAGE_ROWS * 5 + 10);
    const { read } = h.relay.store;
    let pages = 0;
    const listSignups = read.admin.listSignups.bind(read.admin);
    const counting = {
      read: {
        ...read,
        admin: Object.assign(Object.create(read.admin) as typeof read.admin, {
          listSignups: (...args: Parameters<typeof listSignups>) => {
            pages += 1;
            return listSignups(...args);
          },
        }),
      },
    };
    const app = exportRoutes({ store: counting, now: () => START, logger: createLogger('silent') });
    const response = await app.request('/export.csv');
    const reader = response.body!.getReader();
    await reader.read(); // the header
    await reader.read(); // page 1
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(pages).toBeLessThanOrEqual(2);
    let rows = EXPORT_PAGE_ROWS;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rows += new TextDecoder().decode(value).split('\r\n').length - 1;
    }
    expect(rows).toBe(EXPORT_PAGE_ROWS * 5 + 10);
    expect(pages).toBe(6);
  });

  it('escapes CSV and neutralises spreadsheet formulas, and filters like the list', async () => {
    await h.post(person(1, { first_name: '=HYPERLINK("http://evil")', last_name: 'Smith, "Jr"', metadata: { note: 'a\nb' } }));
    await h.post(person(2, { first_name: '@SUM(A1)', last_name: '-2+3', impression_id: 'imp_demo_2' }));
    await h.settle();
    const response = await h.admin('/export.csv?impression_id=imp_demo_1');
    expect(response.headers.get('x-export-rows')).toBe('1');
    const text = await response.text();
    const record = text.split('\r\n')[1]!;
    expect(record).toContain(`,"'=HYPERLINK(""http://evil"")","Smith, ""Jr""",person1@example.edu,,"{""note"":""a\\nb""}",`);
    expect(text.split('\r\n')).toHaveLength(3); // header, one record, final empty
    expect((await h.admin('/export.csv?impression_id=imp_demo_2').then((r) => r.text()))).toContain(",'@SUM(A1),'-2+3,");
    expect((await h.admin('/export.csv?state=nope')).status).toBe(400);
  });

  it('quotes only what needs quoting', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(3)).toBe('3');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\r\nbreak')).toBe('"line\r\nbreak"');
    expect(csvCell('+1 555')).toBe("'+1 555");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
  });
});
