/**
 * Per-client token bucket: `perMinute` requests with bursts up to `perMinute`, refilled
 * continuously. In memory (one relay process); 429 with Retry-After when empty.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors';

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimitOptions {
  perMinute: number;
  now: () => number;
  key: (c: Parameters<MiddlewareHandler>[0]) => string;
  /** Buckets kept at most; the oldest are dropped first (a flood of spoofed keys can't exhaust memory). */
  maxClients?: number;
}

export function rateLimit({ perMinute, now, key, maxClients = 50_000 }: RateLimitOptions): MiddlewareHandler {
  if (perMinute <= 0) return (_c, next) => next();
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  return async (c, next) => {
    const at = now();
    const id = key(c);
    const bucket = buckets.get(id) ?? { tokens: perMinute, at };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (at - bucket.at) * perMs);
    bucket.at = at;
    buckets.delete(id); // re-insert: Map order is then least-recently-used first
    buckets.set(id, bucket);
    if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value!);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      throw new ApiError(429, `Too many requests; try again in ${retryAfter} s`, {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
    bucket.tokens -= 1;
    await next();
  };
}
