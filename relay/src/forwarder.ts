/**
 * The forwarder: delivers queued signups to Vantio, at most `concurrency` at a time per relay.
 *
 * - A new signup is attempted right after its commit (the store's `outbox` channel), not on
 *   a poll tick; several relays on one database each lease rows (`claimDue`), and a lease a
 *   dead relay held is taken over once it expires.
 * - 2xx → delivered; 400 → rejected (permanent, reason kept); 401/403 → all delivery, on
 *   every relay, pauses (the key is wrong) and one probe is tried every `authProbeMs`
 *   across them; a 3xx (never followed) pauses the same way (`misconfigured`: the URL is
 *   wrong); a 2xx referral for another impression or email → dead, for an admin, never
 *   delivered; 429 → every relay holds for `Retry-After` without consuming the retry
 *   schedule; 5xx, timeouts and network errors → retried per schedule (±20 % jitter, never
 *   before Retry-After), then dead.
 * - The pause, an admin's pause and the 429 hold are shared through the store, cached here
 *   and refreshed on the store's `delivery_state` channel (and every `stateRefreshMs`).
 */
import type { CreateReferralOutcome, TCreateReferralRequest, VantioClient } from '@vantio/shared';
import type { SharedDeliveryState } from './store/repos/meta';
import type { AttemptRecord, Claim, DeliveryNext, SignupRow, Store } from './store/types';

export interface ForwarderOptions {
  store: Store;
  client: VantioClient;
  now: () => number;
  concurrency: number;
  retryScheduleMs: number[];
  authProbeMs: number;
  /** How long a claimed row is this relay's; longer than one upstream call can take. */
  leaseMs: number;
  /** How often the shared delivery state is re-read without a notification (default 2 s). */
  stateRefreshMs?: number;
  /** Source of jitter; injectable for deterministic tests. */
  random?: () => number;
  /** With nothing waiting, how often to look at the outbox anyway (default 60 s). */
  idleLookMs?: number;
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
  /** Another relay had taken the row over: only the attempt was recorded. */
  stale?: boolean;
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

const MAX_TIMER_MS = 60_000;
/** Holds after a 429 or a failed write: never shorter (no hot loop on `Retry-After: 0`), never longer than an hour. */
const MIN_HOLD_MS = 1_000;
const MAX_HOLD_MS = 3_600_000;

export class Forwarder {
  /** This relay's claims until their outcome is recorded, by claim id. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Calls to Vantio under way: what `concurrency` limits (recording an outcome does not hold a slot). */
  private calling = 0;
  private readonly abort = new AbortController();
  private readonly random: () => number;
  private readonly stateRefreshMs: number;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private pumpQueued = false;
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private stopping = false;
  private shared: SharedDeliveryState = { adminPausedSince: null, pause: null, holdUntil: 0 };
  private sharedReadAt = Number.NEGATIVE_INFINITY;
  private sharedStale = true;
  /** This relay's own hold after a failed outcome write (not shared: it may be this relay's disk). */
  private localHoldUntil = 0;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly options: ForwarderOptions) {
    this.random = options.random ?? Math.random;
    this.stateRefreshMs = options.stateRefreshMs ?? 2_000;
    this.unsubscribe = [
      options.store.subscribe('outbox', () => this.notify()),
      options.store.subscribe('delivery_state', () => {
        this.sharedStale = true;
        this.notify();
      }),
    ];
  }

  /** Reads the shared delivery state (a relay started while paused reports it at once). */
  async load(): Promise<void> {
    await this.refreshShared(this.options.now(), true);
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
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pumpOnce()
      .catch((error) => this.options.onError?.(error, 'claiming due signups'))
      .finally(() => {
        this.pumping = null;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        }
      });
  }

  private async pumpOnce(): Promise<void> {
    if (this.stopping || this.options.concurrency === 0) return;
    const { store } = this.options;
    const now = this.options.now();
    await this.refreshShared(now);
    if (this.shared.adminPausedSince !== null) return;
    const holdUntil = Math.max(this.shared.holdUntil, this.localHoldUntil);
    if (now < holdUntil) return this.wakeAt(holdUntil, now);
    let capacity = this.options.concurrency - this.calling;
    if (this.shared.pause) {
      // Paused by Vantio's answer: one probe at a time across all relays, at most every
      // authProbeMs, whatever its outcome. While a call is out, its end pumps again.
      if (this.inFlight.size > 0) return;
      // Read first: a pump while paused (every new signup wakes one) must not cost a write.
      const probeAt = await store.read.meta.nextProbeAt();
      if (now < probeAt) return this.wakeAt(probeAt, now);
      if (!(await store.transaction((tx) => tx.meta.takeProbeTurn(now, this.options.authProbeMs)))) {
        return this.wakeAt(await store.read.meta.nextProbeAt(), now);
      }
      capacity = 1;
    }
    if (capacity > 0 && !this.stopping) {
      for (const claim of await store.claimDue(now, capacity, this.options.leaseMs)) this.launch(claim);
    }
    const next = await store.nextDueAt(now);
    if (next !== null && next > now) this.wakeAt(next, now);
    // With nothing waiting, still look once a minute: a wake-up lost with another relay's
    // NOTIFY (a dropped connection, a failed query) costs at most that.
    else if (next === null) this.wakeAt(now + (this.options.idleLookMs ?? MAX_TIMER_MS), now);
  }

  private async refreshShared(now: number, force = false): Promise<void> {
    if (!force && !this.sharedStale && now - this.sharedReadAt < this.stateRefreshMs) return;
    this.sharedStale = false;
    this.sharedReadAt = now;
    this.shared = await this.options.store.read.meta.deliveryState();
  }

  status(): DeliveryStatus {
    const iso = (ms: number) => new Date(ms).toISOString();
    const holdUntil = Math.max(this.shared.holdUntil, this.localHoldUntil);
    const held = holdUntil > this.options.now() ? iso(holdUntil) : null;
    const base = { inFlight: this.calling, concurrency: this.options.concurrency, heldUntil: held };
    const { pause, adminPausedSince } = this.shared;
    if (pause) return { ...base, paused: true, reason: pause.reason, message: pause.message, since: iso(pause.since) };
    if (adminPausedSince !== null) {
      return { ...base, paused: true, reason: 'admin', message: 'delivery paused by an admin', since: iso(adminPausedSince) };
    }
    if (this.options.concurrency === 0) {
      return { ...base, paused: true, reason: 'held', message: 'RELAY_FORWARD_CONCURRENCY is 0', since: null };
    }
    return { ...base, paused: false, reason: null, message: null, since: null };
  }

  /** Pauses or resumes all delivery, on every relay (an upstream incident); survives restarts. */
  async setAdminPaused(paused: boolean): Promise<void> {
    const now = this.options.now();
    await this.options.store.transaction(async (tx) => {
      await tx.meta.setAdminPause(paused ? now : null);
      if (!paused) {
        // "Resume" means "try now": it also lifts a 429 hold and lets a bad-key probe go at once.
        await tx.meta.clearHold();
        await tx.meta.resetProbeTurn();
      }
    });
    if (!paused) this.localHoldUntil = 0;
    await this.refreshShared(now, true);
    this.pump();
  }

  /** Resolves once nothing is in flight or being claimed (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.pumping || this.inFlight.size > 0) {
      await this.pumping;
      await Promise.allSettled([...this.inFlight.values()]);
    }
  }

  /**
   * Stops claiming, waits up to `timeoutMs` for in-flight deliveries, then aborts the rest.
   * An aborted delivery records nothing and gives its claim back: the row is sent again.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
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

  private launch(claim: Claim): void {
    this.calling += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.calling -= 1;
      this.pump();
    };
    const delivery = this.deliver(claim, release)
      .catch(async (error) => {
        // Typically the outcome could not be written (disk full, I/O error): the row is still
        // due, so hold delivery for a while instead of re-sending it at once, in a loop.
        this.localHoldUntil = Math.max(this.localHoldUntil, this.options.now() + this.backoffMs());
        this.options.onError?.(error, `delivering ${claim.signup.id}`);
        await this.options.store.releaseClaim(claim).catch(() => undefined);
      })
      .finally(() => {
        this.inFlight.delete(claim.claimId);
        release();
        this.pump();
      });
    this.inFlight.set(claim.claimId, delivery);
  }

  private async deliver(claim: Claim, releaseSlot: () => void): Promise<void> {
    const { store, client, now } = this.options;
    const { signup } = claim;
    const startedAt = now();
    const outcome = await client.createReferral(toUpstreamRequest(signup), { signal: this.abort.signal });
    if (this.abort.signal.aborted && outcome.kind === 'retryable') {
      await store.releaseClaim(claim);
      return;
    }
    const finishedAt = now();
    const attempt: AttemptRecord = {
      startedAt,
      durationMs: Math.max(0, finishedAt - startedAt),
      outcome: outcome.kind,
      httpStatus: outcome.status,
      error: outcome.kind === 'created' ? null : outcome.message,
    };
    const { next, shared } = this.decide(signup, outcome, finishedAt);
    // Pauses and holds are in this relay's cache by now: the next call may start while
    // they and this outcome are written (one group commit on SQLite).
    releaseSlot();
    const [recorded] = await Promise.all([store.recordDelivery(claim, attempt, next, finishedAt), shared]);
    this.options.onAttempt?.({
      signupId: signup.id,
      outcome: outcome.kind,
      status: outcome.status,
      durationMs: attempt.durationMs,
      next: next.state,
      ...(next.state === 'delivered' ? { latencyMs: finishedAt - signup.created_at } : {}),
      ...(recorded === 'stale' ? { stale: true } : {}),
      ...(outcome.kind === 'misconfigured' ? { location: outcome.location } : {}),
    });
  }

  /** The signup's next state, and the write (if any) of what the outcome changes for every relay. */
  private decide(signup: SignupRow, outcome: CreateReferralOutcome, now: number): { next: DeliveryNext; shared: Promise<void> } {
    const { store, authProbeMs } = this.options;
    const clearPause = () => {
      if (!this.shared.pause) return Promise.resolve();
      this.shared = { ...this.shared, pause: null };
      return store.transaction((tx) => tx.meta.setPause(null));
    };
    switch (outcome.kind) {
      case 'created':
        return { next: { state: 'delivered', referral: outcome.referral }, shared: clearPause() };
      case 'rejected':
        return { next: { state: 'rejected', error: outcome.message }, shared: clearPause() };
      case 'mismatched':
        // Vantio answered, so the key and URL work; this signup needs a person to look at it.
        return { next: { state: 'dead', error: outcome.message }, shared: clearPause() };
      case 'unauthorized':
      case 'misconfigured': {
        const message =
          outcome.kind === 'unauthorized'
            ? `Vantio answered ${outcome.status} (${outcome.message}): check VANTIO_SECRET_KEY`
            : outcome.message;
        const pause = { reason: outcome.kind, message, since: this.shared.pause?.since ?? now };
        this.shared = { ...this.shared, pause };
        const shared = store.transaction(async (tx) => {
          await tx.meta.setPause(pause);
          await tx.meta.deferProbe(now + authProbeMs);
        });
        return { next: { state: 'queued', dueAt: signup.created_at, countsAsFailure: false, error: message }, shared };
      }
      case 'retryable': {
        const error = outcome.status === null ? outcome.message : `${outcome.status}: ${outcome.message}`;
        if (outcome.rateLimited) {
          // Throttling is not the signup's fault: hold everything, keep the schedule.
          // The hold alone delays it, so an admin resume can send it at once.
          const until = now + clampHold(outcome.retryAfterMs ?? this.backoffMs());
          this.shared = { ...this.shared, holdUntil: Math.max(this.shared.holdUntil, until) };
          const shared = store.transaction((tx) => tx.meta.extendHold(until));
          return { next: { state: 'queued', dueAt: now, countsAsFailure: false, error }, shared };
        }
        const failures = signup.failures + 1;
        const delay = this.options.retryScheduleMs[failures - 1];
        const none = Promise.resolve();
        if (delay === undefined) return { next: { state: 'dead', error: `retry schedule exhausted; last error ${error}` }, shared: none };
        const wait = Math.max(this.jittered(delay), Math.min(outcome.retryAfterMs ?? 0, MAX_HOLD_MS));
        return { next: { state: 'queued', dueAt: now + wait, countsAsFailure: true, error }, shared: none };
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
