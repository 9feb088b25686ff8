import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Bearer `RELAY_ADMIN_TOKEN`, compared in constant time (digests, so the length leaks
 * nothing either). Without a configured token the admin API is off: 503, never open.
 */
export function adminAuth(token: string | undefined): MiddlewareHandler {
  const expected = token ? digest(token) : undefined;
  return async (c, next) => {
    if (!expected) throw new ApiError(503, 'The admin API is disabled: set RELAY_ADMIN_TOKEN to enable it');
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new ApiError(401, 'A valid admin token is required (Authorization: Bearer <RELAY_ADMIN_TOKEN>)', {
        headers: { 'WWW-Authenticate': 'Bearer realm="vantio-relay admin"' },
      });
    }
    await next();
  };
}
