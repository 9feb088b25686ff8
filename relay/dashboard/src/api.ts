/**
 * The admin API, as the dashboard calls it: same-origin `fetch` with the bearer token.
 * Response types come from the relay's OpenAPI schemas (type-only: no zod in the bundle),
 * which `document.test.ts` checks against real responses.
 */
import type { z } from 'zod';
import type { ZDeliveryAnswer, ZRetryResult, ZSignupPage, ZSignupView, ZStats } from '../../src/openapi/schemas';

export type Stats = z.infer<typeof ZStats>;
export type SignupView = z.infer<typeof ZSignupView>;
export type SignupPage = z.infer<typeof ZSignupPage>;
export type RetryResult = z.infer<typeof ZRetryResult>;
export type DeliveryStatus = z.infer<typeof ZDeliveryAnswer>['delivery'];

/** A refusal from the relay, with its `{ error, message }` message. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export interface AdminApi {
  stats(days: number): Promise<Stats>;
  signups(state: 'dead' | 'rejected' | 'held', limit: number): Promise<SignupPage>;
  retry(id: string, impressionId?: string): Promise<RetryResult>;
  /** A held signup: release sends it to Vantio once; discard deletes it. */
  release(id: string): Promise<{ signup: SignupView }>;
  discard(id: string): Promise<{ discarded: string }>;
  setPaused(paused: boolean): Promise<DeliveryStatus>;
}

export function createApi(token: string, fetcher: typeof fetch = fetch): AdminApi {
  async function call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetcher(`/v1/admin${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new AdminApiError(0, 'The relay cannot be reached. Check your connection and try again.');
    }
    const body = (await response.json().catch(() => null)) as { message?: unknown } | null;
    if (!response.ok) {
      const message = typeof body?.message === 'string' ? body.message : `The relay answered ${response.status}`;
      throw new AdminApiError(response.status, message);
    }
    return body as T;
  }

  return {
    stats: (days) => call<Stats>(`/stats?days=${days}&top=5`),
    signups: (state, limit) => call<SignupPage>(`/signups?state=${state}&limit=${limit}`),
    retry: (id, impressionId) =>
      call<RetryResult>(`/signups/${encodeURIComponent(id)}/retry`, {
        method: 'POST',
        ...(impressionId === undefined ? {} : { body: { impression_id: impressionId } }),
      }),
    release: (id) => call<{ signup: SignupView }>(`/signups/${encodeURIComponent(id)}/release`, { method: 'POST' }),
    discard: (id) => call<{ discarded: string }>(`/signups/${encodeURIComponent(id)}/discard`, { method: 'POST' }),
    setPaused: async (paused) =>
      (await call<{ delivery: DeliveryStatus }>(`/delivery/${paused ? 'pause' : 'resume'}`, { method: 'POST' })).delivery,
  };
}

const TOKEN_KEY = 'vantio-relay-admin-token';

/** The token lives in sessionStorage only: gone when the tab closes, never in a cookie or localStorage. */
export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};
