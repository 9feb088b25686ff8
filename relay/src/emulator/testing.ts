/** Helpers for the emulator's own tests: an app on a fixed clock and seed, and request shortcuts. */
import type { Hono } from 'hono';
import { createEmulatorApp } from './app';

export const TEST_SECRET = 'sk_test_emulator';
export const FIXED_NOW = Date.parse('2024-01-15T10:30:00Z');

export const VALID_BODY = {
  impression_id: 'imp_demo_1',
  first_name: 'John',
  last_name: 'Doe',
  email: 'john.doe@example.com',
};

export function testApp(seed = 42): Hono {
  return createEmulatorApp({ secretKey: TEST_SECRET, now: () => FIXED_NOW, seed });
}

/** POST /api/v1/referrals in-process; `body` is JSON-encoded unless it is already a string. */
export function postReferral(app: Hono, body: unknown, authorization: string | null = `Bearer ${TEST_SECRET}`) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  return app.request('/api/v1/referrals', {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function postControl(app: Hono, path: string, body?: unknown) {
  return app.request(`/__emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

export interface ReferralsView {
  referrals: Array<Record<string, unknown> & { id: string }>;
  create_calls: Record<string, number>;
  total_requests: number;
}

export async function receivedReferrals(app: Hono): Promise<ReferralsView> {
  return (await (await app.request('/__emulator/referrals')).json()) as ReferralsView;
}
