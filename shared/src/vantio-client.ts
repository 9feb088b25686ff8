/**
 * A typed client for Vantio's `POST /api/v1/referrals` that never throws: every call
 * ends in exactly one classified outcome the forwarder can act on.
 */
import { normaliseEmail } from './rules';
import { ZReferral, type TCreateReferralRequest, type TReferral } from './schemas';

export type CreateReferralOutcome =
  | { kind: 'created'; status: number; referral: TReferral }
  /** 400 (or 422): the request itself is wrong; retrying cannot help. */
  | { kind: 'rejected'; status: number; message: string }
  /** 401/403: the secret key is wrong; every request will fail until it is fixed. */
  | { kind: 'unauthorized'; status: number; message: string }
  /**
   * 3xx: VANTIO_API_URL answers with a redirect. Never followed (the target would get the
   * person's data and its 200 would look like a delivery): a misconfiguration to fix.
   */
  | { kind: 'misconfigured'; status: number; location: string | null; message: string }
  /** A valid 2xx referral for another impression or email than was sent: never a delivery. */
  | { kind: 'mismatched'; status: number; message: string }
  /** 408/425/429/5xx, other 4xx, timeouts, network errors, unreadable 2xx: try again later. */
  | { kind: 'retryable'; status: number | null; message: string; retryAfterMs?: number; rateLimited: boolean };

export interface VantioClientOptions {
  /** Base URL, e.g. `https://vantio.app`; the path `/api/v1/referrals` is appended. */
  baseUrl: string;
  secretKey: string;
  /** Per-request timeout, body included; default 10 s. */
  timeoutMs?: number;
  /** Bytes read from any answer at most; past it the call is aborted. Default 64 KB. */
  maxResponseBytes?: number;
  fetch?: typeof fetch;
  /** Clock for HTTP-date `Retry-After` values. */
  now?: () => number;
}

export interface VantioClient {
  createReferral(body: TCreateReferralRequest, options?: { signal?: AbortSignal }): Promise<CreateReferralOutcome>;
}

export const REFERRALS_PATH = '/api/v1/referrals';
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** An answer larger than the cap: its body is not read further. */
class ResponseTooLarge extends Error {}

export function createVantioClient(options: VantioClientOptions): VantioClient {
  // Relative to the base, so a base with a path (a gateway: https://gw.example/vantio) keeps it.
  const url = new URL(REFERRALS_PATH.slice(1), options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`).href;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
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
    let response: Response | undefined;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
        redirect: 'manual',
      });
      if (response.status >= 300 && response.status < 400) {
        controller.abort(); // the body of a redirect is of no use
        return misconfigured(response);
      }
      const text = await readCapped(response, maxBytes);
      return classify(response, text, body, now());
    } catch (error) {
      controller.abort(); // frees the connection of an answer read only in part
      if (error instanceof ResponseTooLarge && response) return tooLarge(response, maxBytes);
      // Only the error's name/message: never anything that could echo request headers.
      const message = timedOut ? `timed out after ${timeoutMs} ms` : `network error: ${describeError(error)}`;
      return { kind: 'retryable', status: null, message, rateLimited: false } as const;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return { createReferral };
}

/** The body as text, reading at most `maxBytes` whatever the answer declares or streams. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw new ResponseTooLarge();
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      void reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function misconfigured(response: Response): CreateReferralOutcome {
  // The Location is configuration (where the base URL points), never personal data.
  const location = response.headers.get('location')?.slice(0, 500) ?? null;
  const target = location ? ` to ${location}` : '';
  const message = `Vantio answered ${response.status} redirecting${target}: redirects are never followed; set VANTIO_API_URL to the API's own base URL`;
  return { kind: 'misconfigured', status: response.status, location, message };
}

function tooLarge(response: Response, maxBytes: number): CreateReferralOutcome {
  const { status } = response;
  const message = `the ${status} answer from Vantio is larger than ${Math.round(maxBytes / 1024)} KB; not read`;
  if (status === 400 || status === 422) return { kind: 'rejected', status, message };
  if (status === 401 || status === 403) return { kind: 'unauthorized', status, message };
  // A 2xx may well have been created: retrying with the same idempotency key is safe.
  return { kind: 'retryable', status, message, rateLimited: status === 429 };
}

function classify(response: Response, text: string, sent: TCreateReferralRequest, nowMs: number): CreateReferralOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) {
    const parsed = ZReferral.safeParse(parseJson(text));
    if (!parsed.success) {
      // It may well have been created: retrying with the same idempotency key is safe.
      return { kind: 'retryable', status, message: `unreadable ${status} response from Vantio`, rateLimited: false };
    }
    const referral = parsed.data;
    // A referral for someone else (a shared gateway, a proxy's cache) is not this delivery.
    const other =
      referral.impression_id !== sent.impression_id
        ? 'another impression'
        : normaliseEmail(referral.email) !== normaliseEmail(sent.email)
          ? 'another email'
          : null;
    if (other) {
      const message = `Vantio answered ${status} with referral ${referral.id.slice(0, 100)} for ${other}; not recorded as delivered`;
      return { kind: 'mismatched', status, message };
    }
    return { kind: 'created', status, referral };
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
