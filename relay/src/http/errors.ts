/**
 * Every error leaves the relay as `{ "error", "message" }` (plus `issues` for field
 * errors). Routes throw `ApiError`; `handleError` is the app's one `onError`.
 */
import { UnstorableText } from '../store/types';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { TErrorBody, TFieldIssue } from '@vantio/shared';
import { describeStorageUnavailable, isStorageUnavailable, retryAfterSeconds, type StorageUnavailable } from '../store/errors';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}

export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    message: string,
    /** `error`: a machine-readable code a client acts on, in place of the reason phrase. */
    readonly extra: { issues?: TFieldIssue[]; headers?: Record<string, string>; error?: string } = {},
  ) {
    super(status, { message });
  }
}

export function errorBody(status: number, message: string, issues?: TFieldIssue[], error = reasonPhrase(status)): TErrorBody {
  return { error, message, ...(issues ? { issues } : {}) };
}

export function errorResponse(c: Context, status: ContentfulStatusCode, message: string, extra: ApiError['extra'] = {}) {
  for (const [name, value] of Object.entries(extra.headers ?? {})) c.header(name, value);
  return c.json(errorBody(status, message, extra.issues, extra.error), status);
}

/** `storage` is set when the database could not take the write (disk full, read-only, down). */
export type ErrorLogger = (error: unknown, c: Context, storage?: StorageUnavailable) => void;

/**
 * The app's `onError`: known errors keep their status; a storage failure (full disk,
 * read-only file, database down, for signups, webhooks and admin writes alike) is a 503
 * with Retry-After saying nothing was stored; anything else is a logged 500 with no details.
 * Always 503, never 507 for a full disk: every client (the widget, webhook senders, load
 * balancers) already treats a 503 as "try again later".
 */
export function createErrorHandler(logUnexpected: ErrorLogger) {
  return (error: Error, c: Context) => {
    if (error instanceof UnstorableText) return errorResponse(c, 400, error.message);
    if (error instanceof ApiError) return errorResponse(c, error.status as ContentfulStatusCode, error.message, error.extra);
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      return errorResponse(c, status, error.message || reasonPhrase(status));
    }
    const storage = isStorageUnavailable(error);
    if (storage) {
      logUnexpected(error, c, storage);
      c.header('Cache-Control', 'no-store');
      return errorResponse(c, 503, describeStorageUnavailable(storage), { headers: { 'Retry-After': String(retryAfterSeconds(storage)) } });
    }
    logUnexpected(error, c);
    return errorResponse(c, 500, 'The relay hit an unexpected error; nothing was stored. Try again.');
  };
}
