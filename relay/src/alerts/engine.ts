/**
 * The alert engine: evaluates conditions on an interval and tells the admin when one
 * starts, at most hourly while it lasts, and once when it clears. Sending never blocks
 * the caller (or delivery): each notice goes to each channel on its own, retried with
 * backoff, every failure logged, and dropped after the last retry.
 */
import type { Logger } from '../logger';

export type AlertDetails = Record<string, string | number | boolean | null>;

/** What a condition reports: counts, states and reasons only, never personal data. */
export interface ConditionState {
  active: boolean;
  summary: string;
  details?: AlertDetails;
}

export interface AlertCondition {
  /** Stable id, e.g. `delivery_paused` (in every notice, for filters in Slack or mail rules). */
  id: string;
  /** A short title, e.g. "Delivery to Vantio is paused". */
  title: string;
  check(): Promise<ConditionState>;
}

export type AlertKind = 'started' | 'ongoing' | 'recovered' | 'test';

export interface Alert {
  kind: AlertKind;
  condition: string;
  title: string;
  summary: string;
  details: AlertDetails;
  /** When the condition started (ISO). */
  since: string;
  /** When this notice was made (ISO). */
  at: string;
  /** The dashboard, from RELAY_PUBLIC_URL; undefined when that is not set. */
  dashboardUrl: string | undefined;
}

export interface AlertChannel {
  /** For logs and `alert-test`: the kind and a non-secret target, e.g. `webhook hooks.slack.com`. */
  name: string;
  send(alert: Alert): Promise<void>;
}

export interface AlertTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AlertEngineOptions {
  conditions: AlertCondition[];
  channels: AlertChannel[];
  logger: Logger;
  now: () => number;
  timers?: AlertTimers;
  dashboardUrl?: string | undefined;
  /** How often conditions are checked (default a minute). */
  intervalMs?: number;
  /** While a condition lasts, a reminder at most this often (default an hour). */
  repeatMs?: number;
  /** Waits before each retry of a failed send (default 10 s, 1 min, 5 min, 30 min). */
  retryDelaysMs?: number[];
}

export const DEFAULT_INTERVAL_MS = 60_000;
export const DEFAULT_REPEAT_MS = 3_600_000;
export const DEFAULT_RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 1_800_000];

interface Ongoing {
  since: number;
  lastSent: number;
}

const nodeTimers: AlertTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class AlertEngine {
  private readonly ongoing = new Map<string, Ongoing>();
  private readonly timers: AlertTimers;
  private readonly sending = new Set<Promise<void>>();
  private readonly retryTimers = new Set<unknown>();
  private interval: unknown;
  private evaluating: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: AlertEngineOptions) {
    this.timers = options.timers ?? nodeTimers;
  }

  /** Checks now, then every interval. */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void this.evaluate().finally(() => {
        if (!this.stopped) this.interval = this.timers.setTimeout(tick, this.options.intervalMs ?? DEFAULT_INTERVAL_MS);
      });
    };
    tick();
  }

  /** One round of checks (overlapping calls share the round in progress). */
  evaluate(): Promise<void> {
    this.evaluating ??= this.checkAll().finally(() => (this.evaluating = undefined));
    return this.evaluating;
  }

  /** Sends a test notice to every channel once, without retries; resolves with each outcome. */
  async test(): Promise<Array<{ channel: string; error: string | null }>> {
    const at = new Date(this.options.now()).toISOString();
    const alert: Alert = {
      kind: 'test',
      condition: 'test',
      title: 'Test alert from vantio-relay',
      summary: 'This is a test: alerts from this relay reach this channel.',
      details: {},
      since: at,
      at,
      dashboardUrl: this.options.dashboardUrl,
    };
    return Promise.all(
      this.options.channels.map(async (channel) => {
        try {
          await channel.send(alert);
          return { channel: channel.name, error: null };
        } catch (error) {
          return { channel: channel.name, error: describe(error) };
        }
      }),
    );
  }

  /** Resolves once no notice is being sent (tests; retries waiting on a timer do not count). */
  async idle(): Promise<void> {
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
  }

  /** Stops checking and drops pending retries; waits for sends under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.interval !== undefined) this.timers.clearTimeout(this.interval);
    for (const timer of this.retryTimers) this.timers.clearTimeout(timer);
    this.retryTimers.clear();
    await this.evaluating;
    await this.idle();
  }

  private async checkAll(): Promise<void> {
    for (const condition of this.options.conditions) {
      let state: ConditionState;
      try {
        state = await condition.check();
      } catch (error) {
        // A failing check keeps the condition as it was: no false "recovered".
        this.options.logger.error({ err: error, condition: condition.id }, 'alert condition check failed');
        continue;
      }
      this.transition(condition, state);
    }
  }

  private transition(condition: AlertCondition, state: ConditionState): void {
    const now = this.options.now();
    const ongoing = this.ongoing.get(condition.id);
    if (state.active && !ongoing) {
      this.ongoing.set(condition.id, { since: now, lastSent: now });
      this.notify(condition, state, 'started', now);
    } else if (state.active && ongoing && now - ongoing.lastSent >= (this.options.repeatMs ?? DEFAULT_REPEAT_MS)) {
      ongoing.lastSent = now;
      this.notify(condition, state, 'ongoing', ongoing.since);
    } else if (!state.active && ongoing) {
      this.ongoing.delete(condition.id);
      this.notify(condition, state, 'recovered', ongoing.since);
    }
  }

  private notify(condition: AlertCondition, state: ConditionState, kind: AlertKind, since: number): void {
    const alert: Alert = {
      kind,
      condition: condition.id,
      title: condition.title,
      summary: state.summary,
      details: state.details ?? {},
      since: new Date(since).toISOString(),
      at: new Date(this.options.now()).toISOString(),
      dashboardUrl: this.options.dashboardUrl,
    };
    this.options.logger.warn({ alert: kind, condition: condition.id, summary: state.summary }, 'alert');
    for (const channel of this.options.channels) this.attempt(channel, alert, 0);
  }

  private attempt(channel: AlertChannel, alert: Alert, retry: number): void {
    if (this.stopped && retry > 0) return;
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const sending = channel
      .send(alert)
      .then(() => {
        if (retry > 0) this.options.logger.info({ channel: channel.name, condition: alert.condition, retry }, 'alert sent after retrying');
      })
      .catch((error: unknown) => {
        const delay = delays[retry];
        const context = { channel: channel.name, condition: alert.condition, alert: alert.kind, error: describe(error), retry };
        if (delay === undefined) {
          this.options.logger.error(context, 'alert not sent: channel failed on every retry');
          return;
        }
        this.options.logger.warn({ ...context, retry_in_ms: delay }, 'alert channel failed; retrying');
        const timer = this.timers.setTimeout(() => {
          this.retryTimers.delete(timer);
          this.attempt(channel, alert, retry + 1);
        }, delay);
        this.retryTimers.add(timer);
      })
      .finally(() => this.sending.delete(sending));
    this.sending.add(sending);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
