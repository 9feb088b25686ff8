import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { normaliseEmail } from './rules';

/** SHA-256 of a UTF-8 string as lower-case hex. The relay passes Node's native one. */
export type Sha256Hex = (text: string) => string;

/** Portable SHA-256 (pure JS): works in any runtime, the default everywhere. */
export const portableSha256Hex: Sha256Hex = (text) => bytesToHex(sha256(utf8ToBytes(text)));

/**
 * The idempotency key the relay sends upstream: a pure function of the person and the
 * impression, so a retry, a relay restart or a re-sent webhook can never create a second
 * referral for the same person on the same poster scan. Versioned so the derivation can
 * change without colliding with old keys.
 */
export function upstreamIdempotencyKey(impressionId: string, email: string, hash: Sha256Hex = portableSha256Hex): string {
  return `vs1_${hash(`vantio-signup/v1\n${impressionId}\n${normaliseEmail(email)}`)}`;
}

/** A stable hash of any JSON value with sorted keys; used to tell "same body" from "other body". */
export function canonicalHash(value: unknown, hash: Sha256Hex = portableSha256Hex): string {
  return hash(canonicalJson(value));
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
