/**
 * CORS for the public API, by allowlist. Allowed origins get the grant; others get no
 * grant on preflight and a 403 on the request itself, before its body is read.
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
    if (c.req.method === 'OPTIONS') {
      if (!allowed) return c.body(null, 204, { Vary: 'Origin' });
      return c.body(null, 204, { ...preflightHeaders, 'Access-Control-Allow-Origin': origin, Vary: 'Origin' });
    }
    if (!allowed) throw new ApiError(403, `Origin ${origin.slice(0, 200)} is not allowed to send signups to this relay`);
    await next();
    // Errors too: the widget must be able to read a 400's field issues or a 429's Retry-After.
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Expose-Headers', exposed);
    c.header('Vary', 'Origin');
  };
}
