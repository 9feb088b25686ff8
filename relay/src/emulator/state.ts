/** The emulator's in-memory world: impressions, referrals, idempotency memory, counters, faults. */
import { DEFAULT_FAULTS, type FaultConfig } from './faults';
import { randomId, type Random } from './random';

export interface Impression {
  id: string;
  program_id: string;
  student_id: string;
}

/** Field order follows the documented response example. */
export interface EmulatedReferral {
  id: string;
  impression_id: string;
  first_name: string;
  last_name: string;
  email: string;
  profile_picture?: string;
  status: 'pending';
  program_id: string;
  student_id: string;
  created_at: string;
  metadata?: Record<string, unknown>;
}

export interface ReferralInput {
  impression_id: string;
  first_name: string;
  last_name: string;
  email: string;
  profile_picture?: string;
  metadata?: Record<string, unknown>;
  idempotency_key?: string;
}

export const SEEDED_IMPRESSIONS: readonly Impression[] = [1, 2, 3, 4, 5].map((n) => ({
  id: `imp_demo_${n}`,
  program_id: 'prog_demo',
  student_id: `user_demo_${n}`,
}));

export class ImpressionExistsError extends Error {
  constructor(readonly impressionId: string) {
    super(`Impression ${impressionId} already exists`);
    this.name = 'ImpressionExistsError';
  }
}

export class EmulatorState {
  readonly impressions = new Map<string, Impression>();
  /** Every referral created, in creation order. */
  readonly referrals: EmulatedReferral[] = [];
  /** Vantio promises the same referral for a repeated key within 24 h; we remember until reset. */
  readonly referralsByIdempotencyKey = new Map<string, EmulatedReferral>();
  /** Requests per idempotency key that passed auth and validation, repeats included. */
  readonly createCallsByIdempotencyKey = new Map<string, number>();
  /** Every POST /api/v1/referrals received, faulted, unauthorised and invalid ones included. */
  totalRequests = 0;
  /** Create calls under way, per idempotency key (overlaps.ts). */
  readonly inFlightByKey = new Map<string, number>();
  /** Calls that arrived while another one for the same key was still under way. */
  readonly overlappingCallsByKey = new Map<string, number>();
  maxInFlightPerKey = 0;
  faults: FaultConfig = DEFAULT_FAULTS;

  constructor(
    readonly random: Random,
    readonly now: () => number,
  ) {
    this.reset();
  }

  /** Back to a fresh emulator. The PRNG is not rewound, so ids never repeat within a process. */
  reset(): void {
    this.impressions.clear();
    for (const impression of SEEDED_IMPRESSIONS) this.impressions.set(impression.id, { ...impression });
    this.referrals.length = 0;
    this.referralsByIdempotencyKey.clear();
    this.createCallsByIdempotencyKey.clear();
    this.totalRequests = 0;
    this.overlappingCallsByKey.clear();
    this.maxInFlightPerKey = 0;
    this.faults = DEFAULT_FAULTS;
  }

  addImpression(fields: Partial<Impression>): Impression {
    const impression: Impression = {
      id: fields.id ?? randomId(this.random, 'imp_'),
      program_id: fields.program_id ?? randomId(this.random, 'prog_'),
      student_id: fields.student_id ?? randomId(this.random, 'user_'),
    };
    if (this.impressions.has(impression.id)) throw new ImpressionExistsError(impression.id);
    this.impressions.set(impression.id, impression);
    return impression;
  }

  /**
   * Creates the referral, or returns the one already made for the same idempotency key.
   * Synchronous on purpose: the check-and-insert cannot interleave with another request.
   */
  createReferral(input: ReferralInput, impression: Impression): EmulatedReferral {
    const key = input.idempotency_key;
    if (key !== undefined) {
      this.createCallsByIdempotencyKey.set(key, (this.createCallsByIdempotencyKey.get(key) ?? 0) + 1);
      const existing = this.referralsByIdempotencyKey.get(key);
      if (existing) return existing;
    }
    const referral: EmulatedReferral = {
      id: randomId(this.random, 'ref_'),
      impression_id: impression.id,
      first_name: input.first_name,
      last_name: input.last_name,
      email: input.email,
      ...(input.profile_picture === undefined ? {} : { profile_picture: input.profile_picture }),
      status: 'pending',
      program_id: impression.program_id,
      student_id: impression.student_id,
      created_at: isoSeconds(this.now()),
      ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
    };
    this.referrals.push(referral);
    if (key !== undefined) this.referralsByIdempotencyKey.set(key, referral);
    return referral;
  }
}

/** `2024-01-15T10:30:00Z`: second precision, exactly like the documented example. */
function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
