/**
 * What the alert conditions read, from a running relay: the forwarder's status and two
 * committed-data reads of the store.
 */
import type { Relay } from '../relay';
import type { AlertSources } from './index';

export function relayAlertSources(relay: Pick<Relay, 'store' | 'forwarder'>, now: () => number): AlertSources {
  const { read } = relay.store;
  return {
    delivery: () => relay.forwarder.status(),
    deadCount: () => read.admin.countSignups({ state: 'dead' }),
    queuedCount: async () => (await read.stats.queue()).depth,
    oldestQueuedAgeS: async () => {
      const { oldestCreatedAt } = await read.stats.queue();
      return oldestCreatedAt === null ? null : Math.max(0, Math.floor((now() - oldestCreatedAt) / 1000));
    },
  };
}
