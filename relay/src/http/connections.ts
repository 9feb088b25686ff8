/**
 * The HTTP server's connection limits, so slow or silent clients cannot hold the relay's
 * file descriptors (issue 11):
 *
 * - Node checks header and request timeouts only every `connectionsCheckingInterval`
 *   (30 s by default, so a 20 s timeout fired after up to 50 s): checked every second here.
 * - Node's header timeout starts at a request's first byte, so a connection that never
 *   sends one was never closed: a new connection must send its first request's headers
 *   within `idleTimeoutMs`. After a response, `keepAliveTimeout` governs (the widget's
 *   bundle and signup reuse one connection).
 * - Past `maxConnections` a new connection gets a plain 503 and is closed, before any HTTP
 *   parsing: no request on it ever reaches the app.
 */
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerLimits } from '../config';
import { errorBody } from './errors';

/** Options for `http.createServer` (via @hono/node-server's `serverOptions`). */
export function httpServerOptions(limits: ServerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Timeouts fire at most this late.
    connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** How long a refused connection may linger to read its 503 before it is destroyed. */
const REFUSED_LINGER_MS = 1_000;

export interface ConnectionGuard {
  /** Connections open now (refused ones excluded). */
  open(): number;
  /** Connections refused so far for being over the limit. */
  refused(): number;
}

/**
 * Wraps the server's own `connection` handling: over the limit the HTTP parser never sees
 * the socket; under it, a timer closes the socket unless its first request arrives in time.
 */
export function guardConnections(server: Server, limits: ServerLimits): ConnectionGuard {
  // Node's http.Server parses a socket in its own 'connection' listener; run it only for accepted sockets.
  const httpListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  const firstRequestTimers = new WeakMap<Socket, NodeJS.Timeout>();
  let open = 0;
  let refused = 0;
  const refusal = refusalResponse(limits.maxConnections);

  server.on('connection', (socket: Socket) => {
    if (open >= limits.maxConnections) {
      refused += 1;
      refuse(socket, refusal);
      return;
    }
    open += 1;
    const timer = setTimeout(() => socket.destroy(), limits.idleTimeoutMs);
    timer.unref();
    firstRequestTimers.set(socket, timer);
    socket.once('close', () => {
      open -= 1;
      clearTimeout(timer);
    });
    for (const listener of httpListeners) listener.call(server, socket);
  });
  server.on('request', (request: { socket: Socket }) => {
    const timer = firstRequestTimers.get(request.socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    firstRequestTimers.delete(request.socket);
  });
  return { open: () => open, refused: () => refused };
}

function refusalResponse(maxConnections: number): string {
  const message = `The relay has ${maxConnections} open connections, its limit (RELAY_MAX_CONNECTIONS); nothing was read or stored. Try again shortly.`;
  const body = JSON.stringify(errorBody(503, message));
  return [
    'HTTP/1.1 503 Service Unavailable',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Retry-After: 1',
    'Cache-Control: no-store',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

function refuse(socket: Socket, response: string): void {
  socket.on('error', () => undefined); // a client that resets first: nothing to do
  socket.end(response);
  socket.resume(); // discard what it sends, so the close is a FIN rather than a reset
  const linger = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
}
