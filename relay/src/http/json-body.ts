/**
 * Reads a JSON request body defensively: JSON content type only (415), at most `maxBytes`
 * however the body is framed (413), strict UTF-8 and well-formed JSON (400). The raw bytes
 * stay available for webhook signature checks.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors';

export type JsonBodyVariables = { rawBody: Uint8Array; jsonBody: unknown };

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function jsonBody(maxBytes: number): MiddlewareHandler<{ Variables: JsonBodyVariables }> {
  const kb = Math.round(maxBytes / 1024);
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, `The request body must be at most ${kb} KB`);
    },
  });
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (!JSON_TYPE.test(type)) throw new ApiError(415, 'Content-Type must be application/json');
    return limit(c, async () => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      let text: string;
      try {
        text = strictUtf8.decode(raw);
      } catch {
        throw new ApiError(400, 'The request body is not valid UTF-8');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ApiError(400, 'The request body is not valid JSON');
      }
      c.set('rawBody', raw);
      c.set('jsonBody', parsed);
      await next();
    });
  };
}
