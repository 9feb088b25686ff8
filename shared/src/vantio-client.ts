/**
 * A typed client for Vantio's `POST /api/v1/referrals` that never throws: every call
 * ends in exactly one classified outcome the forwarder can act on.
 */
import { ZReferral, type TCreateReferralRequest, type TReferral } from './schemas';

export type CreateReferralOutcome =
  | { kind: 'created'; status: number; referral: TReferral }
  /** 400 (or 422): the request itself is wrong; retrying cannot help. */
  | { kind: 'rejected'; status: number; message: string }
  /** 401/403: the secret key is wrong; every request will fail until it is fixed. */
  | { kind: 'unauthorized'; status: number; message: string }
  /** 408/425/429/5xx, other 4xx, timeouts, network errors, unreadable 2xx: try again later. */
  | { kind: 'retryable'; status: number | null; message: string; retryAfterMs?: number; rateLimited: boolean };

export interface VantioClientOptions {
  /** Base URL, e.g. `https://vantio.app`; the path `/api/v1/referrals` is appended. */
  baseUrl: string;
  secretKey: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock for HTTP-date `Retry-After` values. */
  now?: () => number;
}

export interface VantioClient {
  createReferral(body: TCreateReferralRequest, options?: { signal?: AbortSignal }): Promise<CreateReferralOutcome>;
}

export const REFERRALS_PATH = '/api/v1/referrals';

export function createVantioClient(options: VantioClientOptions): VantioClient {
  // Relative to the base, so a base with a path (a gateway: https://gw.example/vantio) keeps it.
  const url = new URL(REFERRALS_PATH.slice(1), options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`).href;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const authorization = `Bearer ${options.secretKey}`;

  async function createReferral(body: TCreateReferralRequest, { signal }: { signal?: AbortSignal } = {}) {
    // One controller per call, its listener removed afterwards: AbortSignal.any() on a
    // long-lived signal retains memory per call on Node 20.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) controller.abort();
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      // Only the error's name/message: never anything that could echo request headers.
      const message = timedOut ? `timed out after ${timeoutMs} ms` : `network error: ${describeError(error)}`;
      return { kind: 'retryable', status: null, message, rateLimited: false } as const;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    return classify(response, text, now());
  }

  return { createReferral };
}

function classify(response: Response, text: string, nowMs: number): CreateReferralOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) {
    const parsed = ZReferral.safeParse(parseJson(text));
    if (parsed.success) return { kind: 'created', status, referral: parsed.data };
    // It may well have been created: retrying with the same idempotency key is safe.
    return { kind: 'retryable', status, message: `unreadable ${status} response from Vantio`, rateLimited: false };
  }
  const message = errorMessage(text, status);
  if (status === 400 || status === 422) return { kind: 'rejected', status, message };
  if (status === 401 || status === 403) return { kind: 'unauthorized', status, message };
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), nowMs);
  return {
    kind: 'retryable',
    status,
    message,
    rateLimited: status === 429,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

// RFC 9110: delay-seconds, or an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`.
// Anything else (negative, decimal, free-form dates that Date.parse would guess at) is ignored.
const DELAY_SECONDS = /^\d{1,9}$/;
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** `Retry-After` in ms from now, or undefined when absent or malformed; capped at one day. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (DELAY_SECONDS.test(trimmed)) ms = Number(trimmed) * 1000;
  else if (IMF_FIXDATE.test(trimmed)) ms = Date.parse(trimmed) - nowMs;
  else return undefined;
  return Math.min(Math.max(ms, 0), 86_400_000);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorMessage(text: string, status: number): string {
  const body = parseJson(text) as { message?: unknown; error?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : typeof body?.error === 'string' ? body.error : '';
  return (message || `HTTP ${status}`).slice(0, 500);
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return typeof cause?.code === 'string' ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}
