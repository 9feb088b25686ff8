/**
 * The one ingest path: widget signups, API clients and verified webhooks all go through
 * `ingest()`, so durability, de-duplication and the upstream key work the same for all.
 */
import {
  canonicalHash,
  normaliseEmail,
  upstreamIdempotencyKey,
  type TCreateReferralRequest,
  type TSignupReceipt,
} from '@vantio/shared';
import { nativeSha256Hex } from './hash';
import { newId } from './ids';
import type { AcceptResult, Hold, Repos, SignupRow, Store } from './store/types';

export interface IngestRequest {
  /** A validated create-referral body; its `idempotency_key`, if any, is the client's key. */
  signup: TCreateReferralRequest;
  /** `widget`, `api`, or a webhook source name. */
  source: string;
  /** A client idempotency key (header or body); scoped per source. */
  clientKey?: string | undefined;
  /** A suspected bot: stored held, not queued (routes/signups.ts decides). */
  hold?: Hold | undefined;
}

/** More writes for the same unit of work as the signup (e.g. a webhook's delivery record). */
export type AlsoInUnit = (tx: Repos, result: AcceptResult) => Promise<void>;

export interface Ingestor {
  ingest(request: IngestRequest, also?: AlsoInUnit): Promise<AcceptResult>;
}

/** The upstream idempotency key: one person (normalised email) on one impression, one referral. */
export function upstreamKeyFor(impressionId: string, email: string): string {
  return upstreamIdempotencyKey(impressionId, email, nativeSha256Hex);
}

export interface IngestDeps {
  store: Store;
  now: () => number;
  /** Called after a new signup is durable, so delivery starts without waiting for a timer. */
  onAccepted?: (signup: SignupRow) => void;
}

export function createIngestor({ store, now, onAccepted }: IngestDeps): Ingestor {
  return {
    async ingest({ signup, source, clientKey, hold }, also) {
      const { idempotency_key: bodyKey, ...fields } = signup;
      const key = clientKey ?? bodyKey;
      const at = now();
      const input = {
        id: newId('sgn', at),
        source,
        impressionId: fields.impression_id,
        firstName: fields.first_name,
        lastName: fields.last_name,
        email: fields.email,
        emailNorm: normaliseEmail(fields.email),
        profilePicture: fields.profile_picture,
        metadata: fields.metadata,
        // Keys are scoped by source so two senders can never collide.
        clientKey: key === undefined ? undefined : `${source}:${key}`,
        // Only a keyed request can be replayed, so only then is the body's hash needed.
        requestHash: key === undefined ? null : canonicalHash(fields, nativeSha256Hex),
        upstreamKey: upstreamKeyFor(fields.impression_id, fields.email),
        now: at,
        hold,
      };
      const result = also
        ? await store.transaction(async (tx) => {
            const accepted = await tx.signups.accept(input);
            await also(tx, accepted);
            return accepted;
          })
        : await store.accept(input);
      if (result.kind === 'created' && result.signup.state !== 'held') onAccepted?.(result.signup);
      return result;
    },
  };
}

/**
 * The public answer for a stored signup: no PII, just what the client needs. A held signup
 * answers `queued`, like any other: the sender learns nothing about the verdict.
 */
export function toReceipt(signup: SignupRow, duplicate = false): TSignupReceipt {
  return {
    id: signup.id,
    state: signup.state === 'held' ? 'queued' : signup.state,
    created_at: new Date(signup.created_at).toISOString(),
    ...(duplicate ? { duplicate: true } : {}),
  };
}
