/**
 * Response headers that hold for whole classes of answers, added after the handler (and
 * after onError), so no route can forget them:
 *
 * - every HTML page (/demo, /admin, /docs): nosniff, no referrer, no framing, and a CSP
 *   (the page's own, given `frame-ancestors 'none'` if it lacks one; else a deny-all baseline);
 * - every admin answer: never cached (personal data), never sniffed.
 */
import type { MiddlewareHandler } from 'hono';

export const BASELINE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function htmlBaseline(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!(c.res.headers.get('content-type') ?? '').startsWith('text/html')) return;
    const has = (name: string) => c.res.headers.has(name);
    if (!has('X-Content-Type-Options')) c.header('X-Content-Type-Options', 'nosniff');
    if (!has('Referrer-Policy')) c.header('Referrer-Policy', 'no-referrer');
    if (!has('X-Frame-Options')) c.header('X-Frame-Options', 'DENY');
    const csp = c.res.headers.get('Content-Security-Policy');
    if (!csp) c.header('Content-Security-Policy', BASELINE_CSP);
    else if (!/(^|;)\s*frame-ancestors\s/i.test(csp)) c.header('Content-Security-Policy', `${csp}; frame-ancestors 'none'`);
  };
}

export function adminResponseHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
  };
}
