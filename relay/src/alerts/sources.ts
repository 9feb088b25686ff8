/**
 * What the alert conditions read, from a running relay. The only file of alerts/ that
 * touches storage: when the store changes, this is what to port.
 */
import type { Relay } from '../relay';
import { AdminStore } from '../store/admin-store';
import { createQueueSnapshot } from '../store/metrics-store';
import type { AlertSources } from './index';

export function relayAlertSources(relay: Pick<Relay, 'store' | 'forwarder'>, now: () => number): AlertSources {
  const adminStore = new AdminStore(relay.store);
  const queue = createQueueSnapshot(relay.store.db);
  return {
    delivery: () => relay.forwarder.status(),
    deadCount: async () => adminStore.countSignups({ state: 'dead' }),
    queuedCount: async () => queue().depth,
    oldestQueuedAgeS: async () => {
      const { oldestCreatedAt } = queue();
      return oldestCreatedAt === null ? null : Math.max(0, Math.floor((now() - oldestCreatedAt) / 1000));
    },
  };
}
