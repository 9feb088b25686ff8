/**
 * The forwarder: delivers queued signups to Vantio, at most `concurrency` at a time.
 *
 * - A new signup is attempted right after its commit (`notify()`), not on a poll tick.
 * - 2xx → delivered; 400 → rejected (permanent, reason kept); 401/403 → all delivery
 *   pauses (the key is wrong) and one probe is tried every `authProbeMs`; a 3xx (never
 *   followed) pauses the same way (`misconfigured`: the URL is wrong); a 2xx referral for
 *   another impression or email → dead, for an admin, never delivered; 429 → every
 *   delivery holds for `Retry-After` without consuming the retry schedule; 5xx, timeouts
 *   and network errors → retried per schedule (±20 % jitter, never before Retry-After),
 *   then dead.
 * - Claims are in memory: a crash leaves rows in the outbox, and the next start delivers
 *   them again with the same upstream idempotency key, so Vantio creates one referral.
 */
import type { CreateReferralOutcome, TCreateReferralRequest, VantioClient } from '@vantio/shared';
import type { AttemptRecord, DeliveryNext, DueDelivery, SignupRow, Store } from './store/types';

export interface ForwarderOptions {
  store: Store;
  client: VantioClient;
  now: () => number;
  concurrency: number;
  retryScheduleMs: number[];
  authProbeMs: number;
  /** Source of jitter; injectable for deterministic tests. */
  random?: () => number;
  onAttempt?: (event: AttemptEvent) => void;
  onError?: (error: unknown, context: string) => void;
}

export interface AttemptEvent {
  signupId: string;
  outcome: CreateReferralOutcome['kind'];
  status: number | null;
  durationMs: number;
  next: DeliveryNext['state'];
  /** Time from acceptance to delivery, for delivered signups. */
  latencyMs?: number;
  /** Where a redirect pointed (configuration, never personal data), for the log. */
  location?: string | null;
}

export interface DeliveryStatus {
  paused: boolean;
  /** After a 429 (or a failed write) nothing is sent before this time; null when not held. */
  heldUntil: string | null;
  reason: 'unauthorized' | 'misconfigured' | 'admin' | 'held' | null;
  message: string | null;
  since: string | null;
  inFlight: number;
  concurrency: number;
}

const ADMIN_PAUSE_FLAG = 'delivery_paused';
const MAX_TIMER_MS = 60_000;
/** Holds after a 429 or a failed write: never shorter (no hot loop on `Retry-After: 0`), never longer than an hour. */
const MIN_HOLD_MS = 1_000;
const MAX_HOLD_MS = 3_600_000;

export class Forwarder {
  /** Claimed rows until their outcome is recorded: never claimed twice. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Calls to Vantio under way: what `concurrency` limits (recording an outcome does not hold a slot). */
  private calling = 0;
  private readonly abort = new AbortController();
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private pumpQueued = false;
  private stopping = false;
  private adminPause: { since: number } | null = null;
  /** Every call fails until an operator fixes the key (401/403) or the URL (3xx): one probe at a time. */
  private authPause: { since: number; message: string; probeAt: number; reason: 'unauthorized' | 'misconfigured' } | null = null;
  /** After a 429, nothing is sent before this time. */
  private holdUntil = 0;

  constructor(private readonly options: ForwarderOptions) {
    this.random = options.random ?? Math.random;
    const paused = options.store.getFlag(ADMIN_PAUSE_FLAG);
    if (paused !== undefined) this.adminPause = { since: Number(paused) };
  }

  /** Starts delivering whatever is due (including rows left behind by a crash). */
  start(): void {
    this.pump();
  }

  /** A new signup is durable: try to deliver it now. Coalesced per tick. */
  notify(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Claims due rows up to the concurrency limit and schedules the next wake-up. */
  pump(): void {
    if (this.stopping || this.options.concurrency === 0 || this.adminPause) return;
    const now = this.options.now();
    let capacity = this.options.concurrency - this.calling;
    if (now < this.holdUntil) return this.wakeAt(this.holdUntil, now);
    if (this.authPause) {
      // Paused for a bad key: one probe at a time, at most every authProbeMs, whatever its
      // outcome. While a call is out, its end pumps again: no timer needed.
      if (this.inFlight.size > 0) return;
      if (now < this.authPause.probeAt) return this.wakeAt(this.authPause.probeAt, now);
      this.authPause.probeAt = now + this.options.authProbeMs;
      capacity = 1;
    }
    const ids = new Set(this.inFlight.keys());
    if (capacity > 0) {
      for (const due of this.options.store.claimDue(now, capacity, ids)) {
        this.launch(due);
        ids.add(due.signup.id);
      }
    }
    const next = this.options.store.nextDueAt(ids);
    if (next !== null && next > now) this.wakeAt(next, now);
  }

  status(): DeliveryStatus {
    const iso = (ms: number) => new Date(ms).toISOString();
    const held = this.holdUntil > this.options.now() ? iso(this.holdUntil) : null;
    const base = { inFlight: this.calling, concurrency: this.options.concurrency, heldUntil: held };
    if (this.authPause) {
      const { reason, message, since } = this.authPause;
      return { ...base, paused: true, reason, message, since: iso(since) };
    }
    if (this.adminPause) {
      return { ...base, paused: true, reason: 'admin', message: 'delivery paused by an admin', since: iso(this.adminPause.since) };
    }
    if (this.options.concurrency === 0) {
      return { ...base, paused: true, reason: 'held', message: 'RELAY_FORWARD_CONCURRENCY is 0', since: null };
    }
    return { ...base, paused: false, reason: null, message: null, since: null };
  }

  /** Pauses or resumes all delivery (an upstream incident); survives restarts. */
  async setAdminPaused(paused: boolean): Promise<void> {
    const now = this.options.now();
    await this.options.store.setFlag(ADMIN_PAUSE_FLAG, paused ? String(now) : null);
    this.adminPause = paused ? { since: now } : null;
    if (!paused) {
      // "Resume" means "try now": it also lifts a 429 hold and lets a bad-key probe go at once.
      this.holdUntil = 0;
      if (this.authPause) this.authPause.probeAt = now;
      this.pump();
    }
  }

  /** Resolves once nothing is in flight (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * Stops claiming, waits up to `timeoutMs` for in-flight deliveries, then aborts the rest.
   * An aborted delivery records nothing: its row stays due and is sent again next start.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.idleWithin(timeoutMs);
    this.abort.abort();
    // A call that ignores the abort must not hold shutdown open: its row stays due anyway.
    await this.idleWithin(1_000);
  }

  private async idleWithin(ms: number): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timeout = setTimeout(resolve, ms);
    });
    await Promise.race([this.idle(), expired]);
    clearTimeout(timeout);
  }

  private wakeAt(at: number, now: number): void {
    if (this.stopping || at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.min(Math.max(at - now, 0), MAX_TIMER_MS),
    );
    this.timer.unref?.();
  }

  private launch(due: DueDelivery): void {
    const { id } = due.signup;
    this.calling += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.calling -= 1;
      this.pump();
    };
    const delivery = this.deliver(due.signup, release)
      .catch((error) => {
        // Typically the outcome could not be written (disk full, I/O error): the row is still
        // due, so hold all delivery for a while instead of re-sending it at once, in a loop.
        this.holdUntil = Math.max(this.holdUntil, this.options.now() + this.backoffMs());
        this.options.onError?.(error, `delivering ${id}`);
      })
      .finally(() => {
        this.inFlight.delete(id);
        release();
        this.pump();
      });
    this.inFlight.set(id, delivery);
  }

  private async deliver(signup: SignupRow, releaseSlot: () => void): Promise<void> {
    const { store, client, now } = this.options;
    const startedAt = now();
    const outcome = await client.createReferral(toUpstreamRequest(signup), { signal: this.abort.signal });
    if (this.abort.signal.aborted && outcome.kind === 'retryable') return;
    const finishedAt = now();
    const attempt: AttemptRecord = {
      startedAt,
      durationMs: Math.max(0, finishedAt - startedAt),
      outcome: outcome.kind,
      httpStatus: outcome.status,
      error: outcome.kind === 'created' ? null : outcome.message,
    };
    const next = this.decide(signup, outcome, finishedAt);
    // Pauses and holds are set by now: the next call may start while this outcome is written.
    releaseSlot();
    await store.recordDelivery(signup.id, attempt, next, finishedAt);
    this.options.onAttempt?.({
      signupId: signup.id,
      outcome: outcome.kind,
      status: outcome.status,
      durationMs: attempt.durationMs,
      next: next.state,
      ...(next.state === 'delivered' ? { latencyMs: finishedAt - signup.created_at } : {}),
      ...(outcome.kind === 'misconfigured' ? { location: outcome.location } : {}),
    });
  }

  private decide(signup: SignupRow, outcome: CreateReferralOutcome, now: number): DeliveryNext {
    switch (outcome.kind) {
      case 'created':
        this.authPause = null;
        return { state: 'delivered', referral: outcome.referral };
      case 'rejected':
        this.authPause = null;
        return { state: 'rejected', error: outcome.message };
      case 'mismatched':
        // Vantio answered, so the key and URL work; this signup needs a person to look at it.
        this.authPause = null;
        return { state: 'dead', error: outcome.message };
      case 'unauthorized':
      case 'misconfigured': {
        const message =
          outcome.kind === 'unauthorized'
            ? `Vantio answered ${outcome.status} (${outcome.message}): check VANTIO_SECRET_KEY`
            : outcome.message;
        const since = this.authPause?.since ?? now;
        this.authPause = { since, message, probeAt: now + this.options.authProbeMs, reason: outcome.kind };
        return { state: 'queued', dueAt: signup.created_at, countsAsFailure: false, error: message };
      }
      case 'retryable': {
        const error = outcome.status === null ? outcome.message : `${outcome.status}: ${outcome.message}`;
        if (outcome.rateLimited) {
          // Throttling is not the signup's fault: hold everything, keep the schedule.
          // The hold alone delays it, so an admin resume can send it at once.
          const wait = clampHold(outcome.retryAfterMs ?? this.backoffMs());
          this.holdUntil = Math.max(this.holdUntil, now + wait);
          return { state: 'queued', dueAt: now, countsAsFailure: false, error };
        }
        const failures = signup.failures + 1;
        const delay = this.options.retryScheduleMs[failures - 1];
        if (delay === undefined) return { state: 'dead', error: `retry schedule exhausted; last error ${error}` };
        const wait = Math.max(this.jittered(delay), Math.min(outcome.retryAfterMs ?? 0, MAX_HOLD_MS));
        return { state: 'queued', dueAt: now + wait, countsAsFailure: true, error };
      }
    }
  }

  private jittered(delayMs: number): number {
    return Math.round(delayMs * (0.8 + 0.4 * this.random()));
  }

  private backoffMs(): number {
    return clampHold(this.jittered(this.options.retryScheduleMs[0]!));
  }
}

function clampHold(ms: number): number {
  return Math.min(Math.max(ms, MIN_HOLD_MS), MAX_HOLD_MS);
}

/** The exact documented create-referral body, with the stable upstream key. */
export function toUpstreamRequest(signup: SignupRow): TCreateReferralRequest {
  return {
    impression_id: signup.impression_id,
    first_name: signup.first_name ?? '',
    last_name: signup.last_name ?? '',
    email: signup.email ?? '',
    ...(signup.profile_picture ? { profile_picture: signup.profile_picture } : {}),
    ...(signup.metadata ? { metadata: JSON.parse(signup.metadata) as Record<string, unknown> } : {}),
    idempotency_key: signup.upstream_key,
  };
}
