/**
 * Alerting for one relay: the channels RELAY_ALERT_* configure (the console in sandbox
 * mode) and the conditions over what the relay can read. `main.ts` starts it; the CLI's
 * `alert-test` uses the same channels.
 */
import type { RelayConfig } from '../config';
import type { Logger } from '../logger';
import { consoleChannel, emailChannel, webhookChannel } from './channels';
import {
  deliveryPaused,
  heldSignupsWaiting,
  oldestQueuedTooOld,
  refusedOriginsSeen,
  signupsTurnedDead,
  type DeliveryState,
  type RefusedOrigin,
} from './conditions';
import { AlertEngine, type AlertChannel, type AlertCondition, type AlertTimers } from './engine';

export { AlertEngine } from './engine';
export type { Alert, AlertChannel, AlertCondition } from './engine';

export type AlertChannelConfig = Pick<RelayConfig, 'alertWebhookUrl' | 'alertEmails' | 'alertEmailFrom' | 'smtpUrl'>;

/** The channels configured, in the order webhook, email. */
export function configuredChannels(config: AlertChannelConfig): AlertChannel[] {
  const channels: AlertChannel[] = [];
  if (config.alertWebhookUrl) channels.push(webhookChannel(config.alertWebhookUrl));
  if (config.alertEmails.length > 0 && config.smtpUrl) {
    channels.push(emailChannel({ smtpUrl: config.smtpUrl, to: config.alertEmails, from: config.alertEmailFrom ?? config.alertEmails[0]! }));
  }
  return channels;
}

/** What the conditions read. `heldCount` and `refusedOrigins` are left out where the relay has no such data. */
export interface AlertSources {
  delivery: () => DeliveryState;
  deadCount: () => Promise<number>;
  queuedCount: () => Promise<number>;
  oldestQueuedAgeS: () => Promise<number | null>;
  heldCount?: () => Promise<number>;
  refusedOrigins?: () => Promise<RefusedOrigin[]>;
}

export function alertConditions(sources: AlertSources, { now, queueAgeS }: { now: () => number; queueAgeS: number }): AlertCondition[] {
  const conditions = [
    deliveryPaused(sources.delivery),
    signupsTurnedDead({ deadCount: sources.deadCount, now }),
    oldestQueuedTooOld({ oldestQueuedAgeS: sources.oldestQueuedAgeS, queuedCount: sources.queuedCount, thresholdS: queueAgeS }),
  ];
  if (sources.refusedOrigins) conditions.push(refusedOriginsSeen({ refusedOrigins: sources.refusedOrigins, now }));
  if (sources.heldCount) conditions.push(heldSignupsWaiting({ heldCount: sources.heldCount }));
  return conditions;
}

export interface AlertingOptions {
  config: AlertChannelConfig & Pick<RelayConfig, 'publicUrl' | 'alertQueueAgeS'>;
  sources: AlertSources;
  logger: Logger;
  now: () => number;
  /** Sandbox: print to the console instead of sending. */
  sandbox: boolean;
  console?: { write(text: string): unknown };
  timers?: AlertTimers;
  intervalMs?: number;
}

export function createAlerting(options: AlertingOptions): AlertEngine {
  const { config, now } = options;
  return new AlertEngine({
    conditions: alertConditions(options.sources, { now, queueAgeS: config.alertQueueAgeS }),
    channels: options.sandbox ? [consoleChannel(options.console)] : configuredChannels(config),
    logger: options.logger,
    now,
    dashboardUrl: config.publicUrl ? `${config.publicUrl}/admin` : undefined,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
  });
}
