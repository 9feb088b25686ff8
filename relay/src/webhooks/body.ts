/**
 * Reads a webhook body in the formats its source accepts: JSON, `x-www-form-urlencoded`
 * (Mailchimp's `data[merges][FNAME]` bracket keys, parsed by `qs`) and `multipart/form-data`
 * (Jotform, parsed by `busboy`). The same defences as JSON everywhere: the size limit however
 * the body is framed (413), strict UTF-8 and bounded nesting (400), one `{error, message}`
 * shape. The raw bytes stay for the signature; the parsed value is plain JSON data, and that
 * JSON (not the form encoding) is what a kept payload stores, so replay and erasure by email
 * work the same for every format.
 */
import Busboy from 'busboy';
import type { Context, MiddlewareHandler, Next } from 'hono';
import qs from 'qs';
import { ApiError } from '../http/errors';
import { limitedBody, MAX_JSON_DEPTH, nestedDeeperThan } from '../http/json-body';

export const BODY_FORMATS = ['json', 'form', 'multipart'] as const;
export type BodyFormat = (typeof BODY_FORMATS)[number];
/** Jotform's answers arrive as one JSON text field, `rawRequest`, keyed `q<N>_<unique name>`. */
export type BodyShape = 'jotform';

export type WebhookBodyVariables = {
  rawBody: Uint8Array;
  /** The body as JSON data, whatever its wire format. */
  parsedBody: unknown;
  /** What an unmappable payload keeps: the raw JSON text, or the JSON of a parsed form. */
  keptBody: string;
};

const CONTENT_TYPES: Record<BodyFormat, RegExp> = {
  json: /^application\/([\w.+-]+\+)?json\s*(;|$)/i,
  form: /^application\/x-www-form-urlencoded\s*(;|$)/i,
  multipart: /^multipart\/form-data\s*;/i,
};
const MEDIA_TYPE: Record<BodyFormat, string> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  multipart: 'multipart/form-data',
};
/** Bracket keys deeper than this (`a[b][c][d][e][f][g][h][i]`) are refused, not flattened. */
const MAX_FORM_DEPTH = 8;
const MAX_FORM_FIELDS = 1000;
const QS_OPTIONS = {
  depth: MAX_FORM_DEPTH,
  strictDepth: true,
  parameterLimit: MAX_FORM_FIELDS,
  throwOnLimitExceeded: true,
  arrayLimit: 100,
  // Keys such as __proto__ or constructor are dropped, never set on an object.
  allowPrototypes: false,
  charset: 'utf-8',
} as const;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export interface BodySource {
  formats: ReadonlySet<BodyFormat>;
  shape?: BodyShape | undefined;
}

export function webhookBody(
  maxBytes: number,
  sourceOf: (c: Context) => BodySource,
): MiddlewareHandler<{ Variables: WebhookBodyVariables }> {
  const readBody = limitedBody(maxBytes);
  const parse = async (c: Context<{ Variables: WebhookBodyVariables }>, next: Next, format: BodyFormat, source: BodySource, raw: Uint8Array) => {
    const parsed = format === 'multipart' ? await parseMultipart(raw, c.req.header('content-type')!, maxBytes) : parseText(raw, format);
    const shaped = source.shape === 'jotform' ? shapeJotform(parsed) : parsed;
    c.set('rawBody', raw);
    c.set('parsedBody', shaped);
    c.set('keptBody', format === 'json' ? new TextDecoder().decode(raw) : JSON.stringify(shaped));
    await next();
  };
  return async (c, next) => {
    const source = sourceOf(c);
    const type = c.req.header('content-type') ?? '';
    const format = [...source.formats].find((candidate) => CONTENT_TYPES[candidate].test(type));
    if (!format) {
      const accepted = [...source.formats].map((candidate) => MEDIA_TYPE[candidate]);
      throw new ApiError(415, `Content-Type must be ${accepted.join(' or ')}`);
    }
    return readBody(c, (raw) => parse(c, next, format, source, raw));
  };
}

function decodeUtf8(raw: Uint8Array): string {
  try {
    return strictUtf8.decode(raw);
  } catch {
    throw new ApiError(400, 'The request body is not valid UTF-8');
  }
}

function parseJsonText(text: string, what: string): unknown {
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) throw new ApiError(400, `${what} is nested more than ${MAX_JSON_DEPTH} levels deep`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, `${what} is not valid JSON`);
  }
}

function parseText(raw: Uint8Array, format: 'json' | 'form'): unknown {
  const text = decodeUtf8(raw);
  if (format === 'json') return parseJsonText(text, 'The request body');
  return parseForm(text);
}

/** qs throws a RangeError for too many fields or too deep keys: a client error, never a 500. */
function parseForm(input: string | Record<string, string | string[]>): Record<string, unknown> {
  try {
    return qs.parse(input as string, QS_OPTIONS) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ApiError(400, `The form body has more than ${MAX_FORM_FIELDS} fields or keys nested deeper than ${MAX_FORM_DEPTH}`);
  }
}

/**
 * Text fields only: a file part is skipped unread (no signup field is a file, and a kept
 * payload must not hold uploads). Bracket names are expanded like a urlencoded body.
 */
function parseMultipart(raw: Uint8Array, contentType: string, maxBytes: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string | string[]> = Object.create(null);
    let failure: ApiError | undefined;
    const fail = (error: ApiError) => (failure ??= error);
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({
        headers: { 'content-type': contentType },
        limits: { fieldNameSize: 200, fieldSize: maxBytes, fields: MAX_FORM_FIELDS, files: 0, parts: MAX_FORM_FIELDS },
        defCharset: 'utf8',
      });
    } catch {
      reject(new ApiError(400, 'The multipart body has no valid boundary in its Content-Type'));
      return;
    }
    parser.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) fail(new ApiError(400, 'A multipart field name or value is too long'));
      if (value.includes('\uFFFD')) fail(new ApiError(400, 'The request body is not valid UTF-8'));
      const earlier = fields[name];
      fields[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
    });
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('fieldsLimit', () => fail(new ApiError(400, `The multipart body has more than ${MAX_FORM_FIELDS} fields`)));
    parser.on('partsLimit', () => fail(new ApiError(400, `The multipart body has more than ${MAX_FORM_FIELDS} parts`)));
    parser.on('error', () => reject(failure ?? new ApiError(400, 'The multipart body is malformed')));
    parser.on('close', () => {
      if (failure) reject(failure);
      else {
        try {
          resolve(parseForm(fields));
        } catch (error) {
          reject(error);
        }
      }
    });
    parser.end(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
  });
}

/**
 * Jotform: `rawRequest` (JSON text) becomes an object, and `answers` repeats its `q<N>_<name>`
 * entries under `<name>` alone, because `N` differs per form but the unique name is the
 * admin's choice. Text that is not JSON is left as it is: the mapping then reports it and
 * the payload is kept, not refused.
 */
export function shapeJotform(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || typeof (body as { rawRequest?: unknown }).rawRequest !== 'string') return body;
  let request: unknown;
  try {
    request = parseJsonText((body as { rawRequest: string }).rawRequest, 'rawRequest');
  } catch {
    return body;
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return body;
  const answers: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) {
    const match = /^q\d+_(.+)$/.exec(key);
    if (match && match[1] !== '__proto__') answers[match[1]!] = value;
  }
  return { ...body, rawRequest: request, answers };
}
