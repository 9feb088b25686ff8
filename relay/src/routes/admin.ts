import { Hono } from 'hono';
import { ApiError } from '../http/errors';
import type { AttemptRow, SignupRow, Store } from '../store/types';

export interface AdminDeps {
  store: Store;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A signup as admins see it (with PII: the admin API is behind the token). */
export function toSignupView(signup: SignupRow, attempts?: AttemptRow[]) {
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
    created_at: iso(signup.created_at),
    updated_at: iso(signup.updated_at),
    delivered_at: iso(signup.delivered_at),
    attempts: signup.attempts,
    failures: signup.failures,
    last_error: signup.last_error,
    referral_id: signup.referral_id,
    program_id: signup.program_id,
    student_id: signup.student_id,
    referral_status: signup.referral_status,
    ...(attempts
      ? {
          attempt_history: attempts.map((attempt) => ({
            started_at: iso(attempt.started_at),
            duration_ms: attempt.duration_ms,
            outcome: attempt.outcome,
            http_status: attempt.http_status,
            error: attempt.error,
          })),
        }
      : {}),
  };
}

/** Admin reads (mounted behind `adminAuth`). */
export function adminRoutes({ store }: AdminDeps) {
  const app = new Hono();
  app.get('/signups/:id', (c) => {
    const signup = store.getSignup(c.req.param('id'));
    if (!signup) throw new ApiError(404, 'No signup with that id');
    return c.json(toSignupView(signup, store.listAttempts(signup.id)));
  });
  app.get('/stats', (c) => c.json({ by_state: store.countByState(), bots: store.getCounter('bots') }));
  return app;
}
