/**
 * Shared checks for the hostile-input properties: the error shape, a fingerprint of
 * everything the relay has stored (to prove a refused request changed nothing), webhook
 * sources to sign against, and a real loopback server for what only sockets can send.
 */
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { expect } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { Harness } from '../src/testing';
import { compileSources } from '../src/webhooks';

/** A longer fuzzing session: `HOSTILE_SCALE=20 npx vitest run --project relay --testTimeout=0 test/hostile`. */
const SCALE = Number(process.env.HOSTILE_SCALE ?? '1') || 1;
export const runs = (numRuns: number) => Math.max(1, Math.round(numRuns * SCALE));

/** Asserts the `{ error, message }` shape (optional `issues`) and returns the body. */
export async function expectErrorShape(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${response.status} body is not JSON: ${text.slice(0, 200)}`);
  }
  expect(typeof body.error, `error in ${text.slice(0, 300)}`).toBe('string');
  expect(typeof body.message, `message in ${text.slice(0, 300)}`).toBe('string');
  expect((body.error as string).length).toBeGreaterThan(0);
  expect((body.message as string).length).toBeGreaterThan(0);
  if ('issues' in body) {
    expect(Array.isArray(body.issues)).toBe(true);
    for (const issue of body.issues as unknown[]) expect(issue).toEqual({ path: expect.any(String), message: expect.any(String) });
  }
  return body;
}

/** Never a 5xx; a 4xx always in the error shape. */
export async function expectClientSafe(response: Response, label: string): Promise<void> {
  expect(response.status, `${label} → ${response.status}`).toBeLessThan(500);
  if (response.status >= 400) await expectErrorShape(response);
}

/**
 * Everything stored, as numbers: row counts, the bots counter, and digests that any
 * INSERT/UPDATE/DELETE of a signup, outbox row or fact moves (engine-neutral SQL).
 */
export async function storeFingerprint(h: Harness) {
  const { sql } = h.relay.store.read;
  const one = async (text: string) => (await sql.get<{ n: number | null }>(text))?.n ?? null;
  const count = async (table: string) => Number(await one(`SELECT COUNT(*) AS n FROM ${table}`));
  return {
    signups: await count('signups'),
    outbox: await count('outbox'),
    attempts: await count('attempts'),
    deliveries: await count('webhook_deliveries'),
    payloads: await count('webhook_payloads'),
    bots: await h.relay.store.read.meta.counter('bots'),
    signupUpdates: await one('SELECT SUM(updated_at + attempts + failures) AS n FROM signups'),
    outboxDue: await one('SELECT SUM(due_at) AS n FROM outbox'),
    facts: await one('SELECT COUNT(*) + SUM(LENGTH(value)) AS n FROM relay_meta'),
  };
}

/**
 * JSON with sorted keys: deep equality for parsed JSON (vitest's toStrictEqual compares
 * `.constructor`, which a JSON object may carry as an ordinary key).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

export const HMAC_SECRET = 'hostile-hmac-secret-0123456789abcdef';
export const STANDARD_SECRET = 'whsec_aG9zdGlsZS1zdGFuZGFyZC13ZWJob29rcy1zZWNyZXQ=';

/** A generic HMAC source and a Standard Webhooks source, both with metadata mappings. */
export const hostileSources = () =>
  compileSources({
    sources: {
      hmac: {
        verifier: 'hmac-sha256',
        header: 'X-Signature',
        prefix: 'sha256=',
        encoding: 'hex',
        secrets: [HMAC_SECRET],
        delivery_id: 'id',
        map: {
          impression_id: 'impression',
          first_name: 'person.first',
          last_name: 'person.last',
          email: 'person.email',
          profile_picture: 'picture',
          metadata: { extra: 'extra', plan: 'person.plan' },
        },
      },
      standard: {
        verifier: 'standard-webhooks',
        secrets: [STANDARD_SECRET],
        map: { impression_id: 'data.impression', first_name: 'data.first', last_name: 'data.last', email: 'data.email' },
      },
    },
  });

export const hmacSignature = (body: Uint8Array | string) =>
  `sha256=${createHmac('sha256', HMAC_SECRET).update(body).digest('hex')}`;

/** Standard Webhooks headers made by the official package (independent of the relay's verifier). */
export function standardSignature(id: string, at: number, body: string) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at / 1000)),
    'webhook-signature': new Webhook(STANDARD_SECRET).sign(id, new Date(at), body),
  };
}

export interface LoopbackServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves an app on an ephemeral loopback port (the node-server adapter, as in production). */
export async function serveOnLoopback(fetchHandler: Parameters<typeof serve>[0]['fetch']): Promise<LoopbackServer> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetchHandler, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Sends bytes as they are over a fresh TCP connection; resolves with the status line's code and the body. */
export function rawHttp(port: number, request: Buffer | string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk) => chunks.push(chunk));
    // The server may close while we still send (a 413 mid-upload): what it answered counts.
    socket.on('error', (error) => (chunks.length > 0 ? socket.destroy() : reject(error)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: split < 0 ? '' : Buffer.from(text.slice(split + 4), 'latin1').toString('utf8') });
    });
    socket.end(typeof request === 'string' ? Buffer.from(request, 'latin1') : request); // one byte per char, as written
  });
}
