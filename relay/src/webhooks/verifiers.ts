/**
 * Webhook signature verifiers. Each checks the raw body, before anything trusts the
 * parsed JSON, against every configured secret (rotation), comparing in constant time.
 *
 * Standard Webhooks is verified here with node:crypto rather than the `standardwebhooks`
 * package: that package reads `Date.now()` and hard-codes a 5-minute tolerance, so it can
 * take neither the relay's injected clock, `tolerance_s`, nor several secrets. The tests
 * sign with the official package, so the two must agree byte for byte.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const VERIFIERS = ['standard-webhooks', 'svix', 'typeform', 'tally', 'hmac-sha256'] as const;
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
    };

export interface SignedRequest {
  header(name: string): string | undefined;
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

export function createVerifier(config: VerifierConfig): Verifier {
  return config.scheme === 'hmac' ? hmacVerifier(config) : standardWebhooksVerifier(config);
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
    const nowSeconds = Math.floor(now / 1000);
    if (nowSeconds - seconds > config.toleranceS) return { ok: false, reason: 'timestamp too old' };
    if (seconds - nowSeconds > config.toleranceS) return { ok: false, reason: 'timestamp in the future' };

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
