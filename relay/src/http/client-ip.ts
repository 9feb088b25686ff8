import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';

/**
 * The client's IP: the socket's peer, or behind a trusted reverse proxy the address that
 * proxy appended last to X-Forwarded-For (earlier entries are client-controlled).
 */
export function clientIp(c: Context<{ Bindings: Partial<HttpBindings> }>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    const last = forwarded?.split(',').pop()?.trim();
    if (last) return last;
  }
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
