/**
 * The admin API, as the dashboard calls it: same-origin `fetch` with the bearer token.
 * Response types come from the relay's OpenAPI schemas (type-only: no zod in the bundle),
 * which `document.test.ts` checks against real responses.
 */
import type { z } from 'zod';
import type { TPage, TPageConfigInput } from '../../../shared/src/pages';
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
    /** A 400's field issues (`path` like `accent_color` or `fields.0`). */
    readonly issues: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

/** The list filters, as the admin API names them; empty ones are left out of the query. */
export interface SignupFilter {
  state?: string;
  source?: string;
  email?: string;
  name?: string;
  impression_id?: string;
}

export interface AdminApi {
  stats(days: number): Promise<Stats>;
  signups(state: 'dead' | 'rejected' | 'held', limit: number): Promise<SignupPage>;
  list(filter: SignupFilter, page: { limit: number; cursor?: string | undefined }): Promise<SignupPage>;
  signup(id: string): Promise<SignupView>;
  retry(id: string, impressionId?: string): Promise<RetryResult>;
  delivery(): Promise<DeliveryStatus>;
  /** A held signup: release sends it to Vantio once; discard deletes it. */
  release(id: string): Promise<{ signup: SignupView }>;
  discard(id: string): Promise<{ discarded: string }>;
  setPaused(paused: boolean): Promise<DeliveryStatus>;
  /** Hosted pages (`/join/:slug`): list, create or replace, delete. */
  pages(): Promise<TPage[]>;
  savePage(slug: string, config: TPageConfigInput): Promise<TPage>;
  deletePage(slug: string): Promise<{ deleted: string }>;
  /** The CSV export of `filter` (the relay streams it; the browser keeps it until saved). */
  exportCsv(filter: SignupFilter): Promise<{ blob: Blob; filename: string; rows: number | null }>;
}

export function filterQuery(filter: SignupFilter, extra: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) {
    if (value !== undefined && String(value).trim() !== '') params.set(key, String(value).trim());
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

export function createApi(token: string, fetcher: typeof fetch = fetch): AdminApi {
  async function send(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
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
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { message?: unknown; issues?: unknown } | null;
      const message = typeof body?.message === 'string' ? body.message : `The relay answered ${response.status}`;
      const issues = Array.isArray(body?.issues)
        ? body.issues.filter((issue): issue is { path: string; message: string } => typeof issue?.path === 'string' && typeof issue?.message === 'string')
        : [];
      throw new AdminApiError(response.status, message, issues);
    }
    return response;
  }

  async function call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const response = await send(path, init);
    return (await response.json()) as T;
  }

  return {
    stats: (days) => call<Stats>(`/stats?days=${days}&top=5`),
    signups: (state, limit) => call<SignupPage>(`/signups?state=${state}&limit=${limit}`),
    list: (filter, page) => call<SignupPage>(`/signups${filterQuery(filter, { limit: page.limit, cursor: page.cursor })}`),
    signup: (id) => call<SignupView>(`/signups/${encodeURIComponent(id)}`),
    delivery: async () => (await call<{ delivery: DeliveryStatus }>('/delivery')).delivery,
    async exportCsv(filter) {
      const response = await send(`/export.csv${filterQuery(filter)}`);
      const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'vantio-signups.csv';
      const rows = Number(response.headers.get('x-export-rows') ?? Number.NaN);
      return { blob: await response.blob(), filename, rows: Number.isFinite(rows) ? rows : null };
    },
    retry: (id, impressionId) =>
      call<RetryResult>(`/signups/${encodeURIComponent(id)}/retry`, {
        method: 'POST',
        ...(impressionId === undefined ? {} : { body: { impression_id: impressionId } }),
      }),
    release: (id) => call<{ signup: SignupView }>(`/signups/${encodeURIComponent(id)}/release`, { method: 'POST' }),
    discard: (id) => call<{ discarded: string }>(`/signups/${encodeURIComponent(id)}/discard`, { method: 'POST' }),
    pages: async () => (await call<{ pages: TPage[] }>('/pages')).pages,
    savePage: (slug, config) => call<TPage>(`/pages/${encodeURIComponent(slug)}`, { method: 'PUT', body: config }),
    deletePage: (slug) => call<{ deleted: string }>(`/pages/${encodeURIComponent(slug)}`, { method: 'DELETE' }),
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
