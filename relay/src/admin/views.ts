/**
 * What the admin API answers: signups as JSON views (with PII: the admin API is behind
 * the token) and opaque keyset cursors.
 */
import type { Keyset } from '../store/repos/admin';
import type { AttemptRow, SignupRow } from '../store/types';

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface SignupView {
  id: string;
  source: string;
  state: SignupRow['state'];
  impression_id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  profile_picture: string | null;
  metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
  attempts: number;
  failures: number;
  last_error: string | null;
  referral_id: string | null;
  program_id: string | null;
  student_id: string | null;
  referral_status: string | null;
  /** Why it was held as a suspected bot (honeypot, fill_time), also after a release; else null. */
  held_reason: string | null;
  held_signals: Record<string, unknown> | null;
  attempt_history?: AttemptView[];
}

export interface AttemptView {
  started_at: string;
  duration_ms: number;
  outcome: AttemptRow['outcome'];
  http_status: number | null;
  error: string | null;
}

/** A signup as admins see it; `attempts` adds the full attempt history. */
export function toSignupView(signup: SignupRow, attempts?: AttemptRow[]): SignupView {
  return {
    id: signup.id,
    source: signup.source,
    state: signup.state,
    impression_id: signup.impression_id,
    first_name: signup.first_name,
    last_name: signup.last_name,
    email: signup.email,
    profile_picture: signup.profile_picture,
    metadata: signup.metadata ? (JSON.parse(signup.metadata) as Record<string, unknown>) : null,
    created_at: iso(signup.created_at)!,
    updated_at: iso(signup.updated_at)!,
    delivered_at: iso(signup.delivered_at),
    attempts: signup.attempts,
    failures: signup.failures,
    last_error: signup.last_error,
    referral_id: signup.referral_id,
    program_id: signup.program_id,
    student_id: signup.student_id,
    referral_status: signup.referral_status,
    held_reason: signup.held_reason,
    held_signals: signup.held_signals ? (JSON.parse(signup.held_signals) as Record<string, unknown>) : null,
    ...(attempts
      ? {
          attempt_history: attempts.map((attempt) => ({
            started_at: iso(attempt.started_at)!,
            duration_ms: attempt.duration_ms,
            outcome: attempt.outcome,
            http_status: attempt.http_status,
            error: attempt.error,
          })),
        }
      : {}),
  };
}

/** An opaque cursor: base64url of `<created_at>.<id>` of the last item served. */
export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(`${keyset.createdAt}.${keyset.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Keyset | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,16})\.([A-Za-z0-9_]{1,64})$/.exec(text);
  if (!match) return undefined;
  return { createdAt: Number(match[1]), id: match[2]! };
}
