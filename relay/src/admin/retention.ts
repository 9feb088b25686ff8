/**
 * Retention: with `RELAY_RETENTION_DAYS` = N > 0, the personal data of signups delivered
 * more than N days ago is removed on start and then every `intervalMs`; rows, states and
 * counts stay. Held signups (suspected bots nobody released) older than N days are deleted. Raw webhook payloads kept for replay (they hold personal data too) are
 * deleted once older than N days. Runs never overlap; the timer does not keep the process alive.
 */
import type { Logger } from '../logger';
import type { Store } from '../store/types';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  store: Pick<Store, 'transaction'>;
  /** Deletes kept webhook payloads received before the cutoff; resolves with the count. */
  purgePayloads?: (cutoff: number) => Promise<number>;
  days: number;
  now: () => number;
  logger: Logger;
  intervalMs?: number;
}

export interface RetentionJob {
  /** Purges what is due now; resolves with how many signups lost their personal data. */
  runNow(): Promise<number>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

const PURGE_BATCH = 1000;

/** Held signups (suspected bots) older than the window are deleted, in batches. */
export async function purgeHeld(store: Pick<Store, 'transaction'>, cutoff: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await store.transaction((tx) => tx.admin.purgeHeld(cutoff, PURGE_BATCH));
    total += deleted;
    if (deleted < PURGE_BATCH) return total;
  }
}

/** Purges in batches, one unit of work each, so no transaction grows large. */
export async function purgeDeliveredPii(store: Pick<Store, 'transaction'>, cutoff: number, now: number): Promise<number> {
  let total = 0;
  for (;;) {
    const changed = await store.transaction((tx) => tx.admin.purgeDeliveredPii(cutoff, now, PURGE_BATCH));
    total += changed;
    if (changed < PURGE_BATCH) return total;
  }
}

export function startRetention({
  store,
  purgePayloads,
  days,
  now,
  logger,
  intervalMs = 3_600_000,
}: RetentionOptions): RetentionJob {
  if (days <= 0) return { runNow: async () => 0, stop: async () => undefined };
  let running: Promise<number> | undefined;
  let stopped = false;
  const run = async () => {
    try {
      const at = now();
      const cutoff = at - days * DAY_MS;
      const purged = await purgeDeliveredPii(store, cutoff, at);
      const held = await purgeHeld(store, cutoff);
      const payloads = (await purgePayloads?.(cutoff)) ?? 0;
      if (purged > 0 || payloads > 0 || held > 0) {
        logger.info({ purged, held_deleted: held, webhook_payloads: payloads, retention_days: days }, 'retention: personal data removed');
      }
      return purged;
    } catch (error) {
      logger.error({ err: error }, 'retention run failed');
      return 0;
    }
  };
  const runNow = () => {
    if (stopped) return Promise.resolve(0);
    // `.finally` runs in a later microtask, so `running` is always set before it is cleared.
    running ??= run().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void runNow(), intervalMs);
  timer.unref();
  void runNow();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
