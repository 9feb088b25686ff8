import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

export interface BearerAuthOptions {
  /** Accepted tokens; unset ones are ignored. None configured: the routes are off (503). */
  tokens: (string | undefined)[];
  /** Says which variable turns the routes on, in the 503 message. */
  disabledMessage: string;
  /** Names the expected token, in the 401 message. */
  tokenName: string;
  realm: string;
}

/**
 * Bearer-token auth compared in constant time: digests (so lengths leak nothing either),
 * checked against every accepted token (so the time taken says nothing about which one
 * matched). Without a configured token the routes are off, never open.
 */
export function bearerAuth({ tokens, disabledMessage, tokenName, realm }: BearerAuthOptions): MiddlewareHandler {
  const accepted = tokens.filter((token): token is string => Boolean(token)).map(digest);
  return async (c, next) => {
    if (accepted.length === 0) throw new ApiError(503, disabledMessage);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    const given = match ? digest(match[1]!) : undefined;
    const ok = accepted.reduce((found, token) => (given !== undefined && timingSafeEqual(given, token)) || found, false);
    if (!ok) {
      throw new ApiError(401, `A valid ${tokenName} is required (Authorization: Bearer <…>)`, {
        headers: { 'WWW-Authenticate': `Bearer realm="${realm}"` },
      });
    }
    await next();
  };
}

/** Bearer `RELAY_ADMIN_TOKEN` for `/v1/admin/*`. */
export function adminAuth(token: string | undefined): MiddlewareHandler {
  return bearerAuth({
    tokens: [token],
    disabledMessage: 'The admin API is disabled: set RELAY_ADMIN_TOKEN to enable it',
    tokenName: 'admin token (RELAY_ADMIN_TOKEN)',
    realm: 'vantio-relay admin',
  });
}
