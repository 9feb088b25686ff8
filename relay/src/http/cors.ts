/**
 * CORS for the public API, by allowlist. Allowed origins get the grant. A refused origin gets a
 * 403 on the request itself, before its body is read, and that refusal is readable: its
 * preflight is answered with the grant and the 403 carries `Access-Control-Allow-Origin`, so
 * the widget can tell the person "this page is not set up yet" instead of taking a CORS
 * failure for a network error and promising to retry.
 *
 * Why granting a refused origin's preflight is safe: CORS decides which pages may *read* a
 * response, and the only response a refused origin can ever get is the refusal, which stores
 * nothing and carries no data (no credentials are ever allowed either). Anyone can send that
 * same request with curl; the allowlist is enforced on the request, not the preflight.
 *
 * Not hono/cors: it sets `Vary` on `c.res` before the handler runs, which makes Hono copy
 * the handler's response (`new Response(res.body, res)`) and pushes every answer off
 * @hono/node-server's fast path onto web streams (measured: the relay's largest
 * per-request cost after SQLite). Here headers are added only after the handler.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors';
import type { OriginCheck } from './origins';

export interface CorsOptions {
  isAllowed: OriginCheck;
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
  /** Told of every refused request (not preflights): logs, metric, admin stats. */
  onRefused?: (origin: string) => void;
}

/** The refusal's words: what happened and the one config line that fixes it. */
export function refusalMessage(origin: string): string {
  if (origin === 'null') {
    return (
      'Origin null (a sandboxed frame, or a page opened from a file) cannot be allowed to send signups: ' +
      'embed the widget in the page itself, or give its frame allow-same-origin'
    );
  }
  return `Origin ${origin.slice(0, 200)} is not allowed to send signups to this relay: add it to RELAY_ALLOWED_ORIGINS`;
}

export function corsAllowlist(options: CorsOptions): MiddlewareHandler {
  const preflightHeaders = {
    'Access-Control-Allow-Methods': options.allowMethods.join(', '),
    'Access-Control-Allow-Headers': options.allowHeaders.join(', '),
    'Access-Control-Max-Age': String(options.maxAgeSeconds),
  };
  const exposed = options.exposeHeaders.join(', ');
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined) return next(); // same-origin navigation or a server-to-server call
    const allowed = options.isAllowed(origin);
    // Echoing a refused origin is the readable refusal above; nothing is granted beyond it.
    if (c.req.method === 'OPTIONS') {
      return c.body(null, 204, { ...preflightHeaders, 'Access-Control-Allow-Origin': origin, Vary: 'Origin' });
    }
    if (!allowed) {
      options.onRefused?.(origin);
      throw new ApiError(403, refusalMessage(origin), { headers: { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } });
    }
    await next();
    // Errors too: the widget must be able to read a 400's field issues or a 429's Retry-After.
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Expose-Headers', exposed);
    c.header('Vary', 'Origin');
  };
}
