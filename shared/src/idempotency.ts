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

/**
 * Iterative, not recursive: metadata may nest thousands of levels deep within its 8 KB,
 * which overflowed the call stack (a 500 for a keyed request). Output is unchanged.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Work list, last item first: a `string` is literal output, a `{ value }` is still to be written.
  const work: Array<string | { value: unknown }> = [{ value }];
  while (work.length > 0) {
    const item = work.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const current = item.value;
    if (current === null || typeof current !== 'object') {
      out.push(JSON.stringify(current) ?? 'null');
    } else if (Array.isArray(current)) {
      out.push('[');
      work.push(']');
      for (let i = current.length - 1; i >= 0; i--) work.push({ value: current[i] }, ...(i > 0 ? [','] : []));
    } else {
      const entries = Object.entries(current as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      out.push('{');
      work.push('}');
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        work.push({ value: v }, `${JSON.stringify(k)}:`, ...(i > 0 ? [','] : []));
      }
    }
  }
  return out.join('');
}
