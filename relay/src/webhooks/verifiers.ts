/**
 * Webhook signature verifiers. Each checks the raw body, before anything trusts the
 * parsed JSON, against every configured secret (rotation), comparing in constant time.
 *
 * Standard Webhooks is verified here with node:crypto rather than the `standardwebhooks`
 * package: that package reads `Date.now()` and hard-codes a 5-minute tolerance, so it can
 * take neither the relay's injected clock, `tolerance_s`, nor several secrets. The tests
 * sign with the official package, so the two must agree byte for byte.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const VERIFIERS = ['standard-webhooks', 'svix', 'typeform', 'tally', 'hmac-sha256', 'webflow', 'shared-secret'] as const;
export type VerifierName = (typeof VERIFIERS)[number];

export type VerifierConfig =
  | {
      scheme: 'standard-webhooks' | 'svix';
      /** Decoded keys (the base64 after `whsec_`). */
      keys: Buffer[];
      toleranceS: number;
    }
  | {
      scheme: 'hmac';
      secrets: Buffer[];
      /** Lower-case header name. */
      header: string;
      prefix: string;
      encoding: 'hex' | 'base64';
    }
  | {
      /** Webflow: hex HMAC-SHA256 of `<x-webflow-timestamp>:<body>`, the timestamp in epoch ms. */
      scheme: 'webflow';
      secrets: Buffer[];
      toleranceS: number;
    }
  | {
      /** A token the sender repeats verbatim, in a header or the URL's query string. */
      scheme: 'shared-secret';
      secrets: Buffer[];
      where: { header: string; prefix: string } | { query: string };
    };

export interface SignedRequest {
  header(name: string): string | undefined;
  /** The first value of a query-string parameter. */
  query(name: string): string | undefined;
  body: Uint8Array;
  /** Epoch ms, from the relay's clock. */
  now: number;
}

/** `reason` is for the operator's log only; the sender gets a generic 401. */
export type Verification = { ok: true; deliveryId?: string } | { ok: false; reason: string };

export type Verifier = (request: SignedRequest) => Verification;

export const DEFAULT_TOLERANCE_S = 300;
/** More signatures than this in one header is not a rotation, it is an attack on our CPU. */
const MAX_SIGNATURES = 20;

/** Constant-time equality; lengths are public (a scheme's signatures all have the same length). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The HMAC settings Typeform and Tally use, as a generic HMAC verifier. */
export const TYPEFORM_HMAC = { header: 'typeform-signature', prefix: 'sha256=', encoding: 'base64' } as const;
export const TALLY_HMAC = { header: 'tally-signature', prefix: '', encoding: 'base64' } as const;

/**
 * Constant time for secrets of any length: both sides are hashed first, so the comparison is
 * always of two 32-byte buffers and not even the secret's length shows in the timing.
 */
export function safeEqualSecret(candidate: Buffer, secret: Buffer): boolean {
  const left = createHash('sha256').update(candidate).digest();
  const right = createHash('sha256').update(secret).digest();
  return timingSafeEqual(left, right) && candidate.length === secret.length;
}

export function createVerifier(config: VerifierConfig): Verifier {
  switch (config.scheme) {
    case 'hmac':
      return hmacVerifier(config);
    case 'webflow':
      return webflowVerifier(config);
    case 'shared-secret':
      return sharedSecretVerifier(config);
    default:
      return standardWebhooksVerifier(config);
  }
}

/** Timestamp within `toleranceS` of now, either way; `null` when it is. */
function outsideWindow(seconds: number, now: number, toleranceS: number): string | null {
  const nowSeconds = now / 1000;
  if (nowSeconds - seconds > toleranceS) return 'timestamp too old';
  if (seconds - nowSeconds > toleranceS) return 'timestamp in the future';
  return null;
}

function standardWebhooksVerifier(config: Extract<VerifierConfig, { scheme: 'standard-webhooks' | 'svix' }>): Verifier {
  const prefix = config.scheme === 'svix' ? 'svix' : 'webhook';
  return ({ header, body, now }) => {
    const id = header(`${prefix}-id`);
    const timestamp = header(`${prefix}-timestamp`);
    const signatures = header(`${prefix}-signature`);
    if (!id || !timestamp || !signatures) return { ok: false, reason: `missing ${prefix}-id, -timestamp or -signature header` };
    if (!/^\d{1,12}$/.test(timestamp.trim())) return { ok: false, reason: 'malformed timestamp header' };
    const seconds = Number(timestamp.trim());
    const stale = outsideWindow(seconds, Math.floor(now / 1000) * 1000, config.toleranceS);
    if (stale) return { ok: false, reason: stale };

    const signed = Buffer.concat([Buffer.from(`${id}.${seconds}.`, 'utf8'), body]);
    const expected = config.keys.map((key) => createHmac('sha256', key).update(signed).digest('base64'));
    const passed = signatures
      .split(' ')
      .filter(Boolean)
      .slice(0, MAX_SIGNATURES)
      .map((entry) => entry.split(','))
      .filter(([version, value]) => version === 'v1' && value !== undefined)
      .map(([, value]) => value!);
    // Every pair is compared (no early exit), so timing says nothing about which one matched.
    let matched = false;
    for (const candidate of passed) for (const wanted of expected) matched = safeEqual(candidate, wanted) || matched;
    return matched ? { ok: true, deliveryId: id } : { ok: false, reason: 'no matching v1 signature' };
  };
}

function hmacVerifier(config: Extract<VerifierConfig, { scheme: 'hmac' }>): Verifier {
  return ({ header, body }) => {
    const value = header(config.header)?.trim();
    if (!value) return { ok: false, reason: `missing ${config.header} header` };
    if (!value.startsWith(config.prefix)) return { ok: false, reason: `${config.header} lacks the "${config.prefix}" prefix` };
    let signature = value.slice(config.prefix.length).trim();
    if (config.encoding === 'hex') signature = signature.toLowerCase();
    let matched = false;
    for (const secret of config.secrets) {
      const wanted = createHmac('sha256', secret).update(body).digest(config.encoding);
      matched = safeEqual(signature, wanted) || matched;
    }
    return matched ? { ok: true } : { ok: false, reason: `${config.header} does not match` };
  };
}

function webflowVerifier(config: Extract<VerifierConfig, { scheme: 'webflow' }>): Verifier {
  return ({ header, body, now }) => {
    const timestamp = header('x-webflow-timestamp')?.trim();
    const signature = header('x-webflow-signature')?.trim().toLowerCase();
    if (!timestamp || !signature) return { ok: false, reason: 'missing x-webflow-timestamp or x-webflow-signature header' };
    if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: 'malformed x-webflow-timestamp header' };
    const stale = outsideWindow(Number(timestamp) / 1000, now, config.toleranceS);
    if (stale) return { ok: false, reason: stale };
    const signed = Buffer.concat([Buffer.from(`${timestamp}:`, 'utf8'), body]);
    let matched = false;
    for (const secret of config.secrets) {
      matched = safeEqual(signature, createHmac('sha256', secret).update(signed).digest('hex')) || matched;
    }
    return matched ? { ok: true } : { ok: false, reason: 'x-webflow-signature does not match' };
  };
}

function sharedSecretVerifier(config: Extract<VerifierConfig, { scheme: 'shared-secret' }>): Verifier {
  const { where } = config;
  const label = 'query' in where ? `?${where.query}=` : `${where.header} header`;
  return ({ header, query }) => {
    let value = 'query' in where ? query(where.query) : header(where.header)?.trim();
    if (!value) return { ok: false, reason: `missing ${label}` };
    if ('header' in where) {
      if (!value.startsWith(where.prefix)) return { ok: false, reason: `${label} lacks the "${where.prefix}" prefix` };
      value = value.slice(where.prefix.length).trim();
    }
    const candidate = Buffer.from(value, 'utf8');
    let matched = false;
    for (const secret of config.secrets) matched = safeEqualSecret(candidate, secret) || matched;
    return matched ? { ok: true } : { ok: false, reason: `${label} does not match` };
  };
}
