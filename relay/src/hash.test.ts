import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalHash, portableSha256Hex, upstreamIdempotencyKey } from '@vantio/shared';
import { nativeSha256Hex } from './hash';

describe('native SHA-256', () => {
  it('gives exactly the portable digests, so upstream keys never depend on the runtime', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.emailAddress(), (text, email) => {
        expect(nativeSha256Hex(text)).toBe(portableSha256Hex(text));
        expect(upstreamIdempotencyKey(text, email, nativeSha256Hex)).toBe(upstreamIdempotencyKey(text, email));
        expect(canonicalHash({ text, email }, nativeSha256Hex)).toBe(canonicalHash({ email, text }));
      }),
    );
  });
});
