/**
 * A tiny programmable stand-in for Vantio on a real loopback socket (port 0), for answers
 * the emulator never gives: redirects to another port, referrals for someone else, huge
 * or never-ending bodies. Records every request it receives.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type FakeHandler = (request: ReceivedRequest, res: ServerResponse) => void;

export interface FakeUpstream {
  url: string;
  received: ReceivedRequest[];
  /** Responses whose connection closed before the handler ended them (the client gave up). */
  abandoned: number;
  /** Connections closed so far (a client that reads an answer whole keeps its connection alive). */
  closedConnections: number;
  handle(handler: FakeHandler): void;
  close(): Promise<void>;
}

export async function startFakeUpstream(handler: FakeHandler = created): Promise<FakeUpstream> {
  let current = handler;
  const fake: FakeUpstream = {
    url: '',
    received: [],
    abandoned: 0,
    closedConnections: 0,
    handle: (next) => (current = next),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
      fake.received.push(request);
      res.on('close', () => {
        if (!res.writableFinished) fake.abandoned += 1;
      });
      current(request, res);
    });
  });
  server.on('connection', (socket) => socket.on('close', () => (fake.closedConnections += 1)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** The referral Vantio would create for a request body. */
export function referralFor(body: string, overrides: Record<string, unknown> = {}) {
  const sent = JSON.parse(body) as Record<string, unknown>;
  return {
    id: `ref_${Math.random().toString(36).slice(2, 10)}`,
    impression_id: sent.impression_id,
    first_name: sent.first_name,
    last_name: sent.last_name,
    email: sent.email,
    status: 'pending',
    program_id: 'prog_1',
    student_id: 'user_1',
    created_at: new Date().toISOString(),
    ...overrides,
  };
}

/** A well-behaved Vantio: 201 with the referral for what was sent. */
export const created: FakeHandler = (request, res) => {
  res.writeHead(201, { 'content-type': 'application/json' });
  res.end(JSON.stringify(referralFor(request.body)));
};

export const redirectTo =
  (location: string, status = 307): FakeHandler =>
  (_request, res) => {
    res.writeHead(status, { location });
    res.end();
  };
