/**
 * Reads a JSON request body defensively: JSON content type only (415), at most `maxBytes`
 * however the body is framed (413), strict UTF-8 and well-formed JSON nested at most
 * MAX_JSON_DEPTH deep (400). The raw bytes stay available for webhook signature checks.
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors';

export type JsonBodyVariables = { rawBody: Uint8Array; jsonBody: unknown };

/**
 * No real payload nests this deep; far deeper JSON parses fine but later overflows the stack
 * of JSON.stringify (an admin reading a kept webhook payload got a 500) and other recursion.
 */
export const MAX_JSON_DEPTH = 128;

/** True when arrays/objects in JSON text nest deeper than `limit` (brackets inside strings ignored). */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > limit) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads a whole request body as bytes, at most `maxBytes` however it is framed (413): a
 * Content-Length is the limit (Node's HTTP parser never delivers more), chunked bodies are
 * counted as they stream in. A Content-Length that is not a number is a 400. Resolves with
 * what `use` returns for the bytes. Shared by the JSON and webhook body readers.
 */
export function limitedBody(maxBytes: number) {
  const kb = Math.round(maxBytes / 1024);
  const tooLarge = () => new ApiError(413, `The request body must be at most ${kb} KB`);
  const streamingLimit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c: Context, use: (raw: Uint8Array) => Promise<void>): Promise<Response | void> => {
    const read = async () => {
      // node-server's fast path: the body is read straight from the socket, no web streams.
      const raw = new Uint8Array(await c.req.arrayBuffer());
      if (raw.byteLength > maxBytes) throw tooLarge();
      return use(raw);
    };
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamingLimit(c, read);
    if (!/^\d+$/.test(length)) throw new ApiError(400, 'Content-Length must be a number');
    if (Number(length) > maxBytes) throw tooLarge();
    return read();
  };
}

export function jsonBody(maxBytes: number): MiddlewareHandler<{ Variables: JsonBodyVariables }> {
  const readBody = limitedBody(maxBytes);
  const parse = async (c: Context<{ Variables: JsonBodyVariables }>, next: Next, raw: Uint8Array) => {
    let text: string;
    try {
      text = strictUtf8.decode(raw);
    } catch {
      throw new ApiError(400, 'The request body is not valid UTF-8');
    }
    if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
      throw new ApiError(400, `The request body is nested more than ${MAX_JSON_DEPTH} levels deep`);
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
  };
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (!JSON_TYPE.test(type)) throw new ApiError(415, 'Content-Type must be application/json');
    return readBody(c, (raw) => parse(c, next, raw));
  };
}
