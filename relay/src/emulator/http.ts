/** Small HTTP helpers shared by the emulator's routes: one error shape, one JSON reader. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? (status >= 500 ? 'Server Error' : 'Error');
}

/** Vantio's documented error shape: `{"error": "<status text>", "message": "…"}`. */
export function jsonError(c: Context, status: ContentfulStatusCode, message: string): Response {
  return c.json({ error: statusText(status), message }, status);
}

export type JsonBody = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Parses the body as JSON whatever its Content-Type says (lenient, like many real APIs).
 * An empty body reads as `emptyAs` when given, otherwise as "not an object".
 */
export async function readJsonBody(c: Context, options: { emptyAs?: unknown } = {}): Promise<JsonBody> {
  const text = await c.req.text();
  if (text.trim() === '') {
    if (options.emptyAs !== undefined) return { ok: true, value: options.emptyAs };
    return { ok: false, message: 'Request body must be a JSON object' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, message: 'Request body is not valid JSON' };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One line for a 400 message: `error_rate: Too big: expected number to be <=1; …`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
