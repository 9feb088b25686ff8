/**
 * The conditions an admin is told about. Each reads small injected functions (the
 * forwarder's status, a count from the store, …) so it works over any storage, and
 * reports counts, states, reasons and origins — never a person's data.
 */
import type { AlertCondition, ConditionState } from './engine';

/** The part of the forwarder's status a pause alert needs. */
export interface DeliveryState {
  paused: boolean;
  reason: string | null;
  message: string | null;
  since: string | null;
}

/**
 * Pauses that need the admin: a refused key (`unauthorized`), an admin's own pause left on
 * (`admin`), a redirect or other misconfiguration (`misconfigured`). `RELAY_FORWARD_CONCURRENCY=0`
 * (`held`) is a deliberate setting and a 429 hold clears by itself: neither alerts.
 */
const ALERTING_PAUSES = new Set(['unauthorized', 'admin', 'misconfigured']);

export function deliveryPaused(delivery: () => DeliveryState | Promise<DeliveryState>): AlertCondition {
  return {
    id: 'delivery_paused',
    title: 'Delivery to Vantio is paused',
    async check(): Promise<ConditionState> {
      const status = await delivery();
      const active = status.paused && status.reason !== null && ALERTING_PAUSES.has(status.reason);
      if (!active) return { active, summary: 'Delivery to Vantio is running again; queued signups are being sent.' };
      const why =
        status.reason === 'unauthorized'
          ? `${status.message ?? 'Vantio refused the secret key'}. Signups are accepted and queued; none reach Vantio until the key is fixed.`
          : status.reason === 'admin'
            ? 'An admin paused delivery. Signups are accepted and queued; resume it from the dashboard or with `vantio-relay resume`.'
            : `${status.message ?? 'The relay is misconfigured'}. Signups are accepted and queued.`;
      return { active, summary: why, details: { reason: status.reason, since: status.since } };
    },
  };
}

export interface DeadSignupsOptions {
  deadCount: () => Promise<number>;
  now: () => number;
  /** New dead signups within this window keep the condition on (default an hour). */
  windowMs?: number;
}

/**
 * Signups turned `dead` (the retry schedule ran out). On while the dead count grew within
 * the window; dead signups left from before do not alert forever — the dashboard lists them.
 */
export function signupsTurnedDead({ deadCount, now, windowMs = 3_600_000 }: DeadSignupsOptions): AlertCondition {
  const samples: Array<{ at: number; count: number }> = [];
  return {
    id: 'signups_dead',
    title: 'Signups turned dead',
    async check(): Promise<ConditionState> {
      const window = humanSeconds(windowMs / 1000);
      const count = await deadCount();
      const at = now();
      samples.push({ at, count });
      // Keep the newest sample at or before the window's start as the reference.
      while (samples.length > 1 && samples[1]!.at <= at - windowMs) samples.shift();
      const reference = samples[0]!;
      const added = count - reference.count;
      if (added <= 0) {
        return {
          active: false,
          summary: `No signup turned dead in the last ${window}; ${count} dead in all (replay them from the dashboard or with \`vantio-relay replay\`).`,
          details: { dead: count },
        };
      }
      return {
        active: true,
        summary: `${added} signup${added === 1 ? '' : 's'} turned dead in the last ${window} (the retry schedule ran out); ${count} dead in all. Fix the cause, then replay them.`,
        details: { new_dead: added, dead: count },
      };
    },
  };
}

export interface QueueAgeOptions {
  /** Seconds the oldest queued signup has waited, or null when nothing is queued. */
  oldestQueuedAgeS: () => Promise<number | null>;
  queuedCount: () => Promise<number>;
  thresholdS: number;
}

export function oldestQueuedTooOld({ oldestQueuedAgeS, queuedCount, thresholdS }: QueueAgeOptions): AlertCondition {
  return {
    id: 'queue_age',
    title: 'Signups are waiting too long for delivery',
    async check(): Promise<ConditionState> {
      const [age, queued] = await Promise.all([oldestQueuedAgeS(), queuedCount()]);
      const active = age !== null && age > thresholdS;
      if (!active) {
        return { active, summary: `The queue is moving: ${queued} queued, none waiting over ${humanSeconds(thresholdS)}.`, details: { queued } };
      }
      return {
        active,
        summary: `The oldest queued signup has waited ${humanSeconds(age)} (threshold ${humanSeconds(thresholdS)}); ${queued} queued.`,
        details: { oldest_queued_age_s: age, queued, threshold_s: thresholdS },
      };
    },
  };
}

export interface RefusedOrigin {
  origin: string;
  count: number;
  /** ISO time or epoch ms of the latest refusal. */
  lastSeen: string | number;
}

export interface RefusedOriginsOptions {
  refusedOrigins: () => Promise<RefusedOrigin[]>;
  now: () => number;
  /** Refusals this recent keep the condition on (default an hour). */
  windowMs?: number;
}

/** A page not in RELAY_ALLOWED_ORIGINS tried to send signups: usually a club page not set up yet. */
export function refusedOriginsSeen({ refusedOrigins, now, windowMs = 3_600_000 }: RefusedOriginsOptions): AlertCondition {
  return {
    id: 'origins_refused',
    title: 'Signups from pages that are not set up were refused',
    async check(): Promise<ConditionState> {
      const since = now() - windowMs;
      const window = humanSeconds(windowMs / 1000);
      const recent = (await refusedOrigins())
        .filter((entry) => toMs(entry.lastSeen) >= since)
        .sort((a, b) => b.count - a.count || a.origin.localeCompare(b.origin));
      if (recent.length === 0) return { active: false, summary: `No signups refused for their origin in the last ${window}.` };
      const shown = recent.slice(0, 5).map((entry) => `${entry.origin} (${entry.count})`);
      const more = recent.length > shown.length ? ` and ${recent.length - shown.length} more` : '';
      return {
        active: true,
        summary: `Signups from ${recent.length} origin${recent.length === 1 ? '' : 's'} not in RELAY_ALLOWED_ORIGINS were refused: ${shown.join(', ')}${more}. Add the page's origin if it is yours.`,
        details: { origins: recent.length, refused: recent.reduce((sum, entry) => sum + entry.count, 0) },
      };
    },
  };
}

/** Signups held for review (suspected bots): an admin releases or discards them. */
export function heldSignupsWaiting({ heldCount }: { heldCount: () => Promise<number> }): AlertCondition {
  return {
    id: 'signups_held',
    title: 'Signups are held for review',
    async check(): Promise<ConditionState> {
      const held = await heldCount();
      if (held === 0) return { active: false, summary: 'No signups are held for review any more.', details: { held } };
      return {
        active: true,
        summary: `${held} signup${held === 1 ? ' is' : 's are'} held for review (suspected bots). Release or discard them in the dashboard.`,
        details: { held },
      };
    },
  };
}

const toMs = (value: string | number) => (typeof value === 'number' ? value : Date.parse(value));

export function humanSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours < 48) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
