/**
 * What happens to a verified webhook: replay check, event filter, mapping, then the one
 * ingest path shared with widget signups. HTTP-free, so the sender's route and the
 * admin's replay of a kept payload run exactly the same steps.
 */
import type { TFieldIssue } from '@vantio/shared';
import { newId } from '../ids';
import type { AlsoInUnit, Ingestor } from '../ingest';
import { DELIVERY_RETENTION_MS, type DeliveryRecord, type PayloadRow } from '../store/repos/webhooks';
import type { AcceptResult, SignupRow, Store } from '../store/types';
import { acceptsEvent, eventType, mapSignup } from './mapping';
import { bodyDigestId, type WebhookSource, type WebhookSources } from './sources';

export type IntakeOutcome =
  /** Mapped and handed to ingest: `created` or `duplicate` (the person was already known). */
  | { kind: 'ingested'; result: AcceptResult }
  /** This delivery id was seen before: acknowledged, nothing done again. */
  | { kind: 'replayed'; delivery: DeliveryRecord; signup: SignupRow | undefined; payload: PayloadRow | undefined }
  /** A verified event this source does not turn into signups. */
  | { kind: 'ignored'; eventType: string | undefined }
  /** Verified but not mappable; the payload is kept for an admin. */
  | { kind: 'unmappable'; payloadId: string | null; issues: TFieldIssue[] };

export interface IntakeDeps {
  sources: WebhookSources;
  store: Pick<Store, 'read' | 'transaction'>;
  ingestor: Ingestor;
  now: () => number;
}

const MAX_DELIVERY_ID = 255;
const PURGE_EVERY_MS = 3_600_000;

export function createIntake({ store, ingestor, now }: IntakeDeps) {
  let nextPurgeAt = 0;
  /** Delivery records older than the replay window go, at most hourly, in an accepting unit. */
  const purgeIfDue: AlsoInUnit = async (tx) => {
    const at = now();
    if (at < nextPurgeAt) return;
    nextPurgeAt = at + PURGE_EVERY_MS;
    await tx.webhooks.purgeDeliveries(at - DELIVERY_RETENTION_MS);
  };

  /** Maps and ingests; the signup and `record` (linked by the signup's id) are one unit of work. */
  async function ingestMapped(source: WebhookSource, body: unknown, record: AlsoInUnit) {
    const mapped = mapSignup(source.mapping, body);
    if (!mapped.ok) return mapped;
    const result = await ingestor.ingest({ signup: mapped.signup, source: source.name }, record);
    return { ok: true as const, result };
  }

  async function replayed(delivery: DeliveryRecord): Promise<IntakeOutcome> {
    return {
      kind: 'replayed',
      delivery,
      signup: delivery.signup_id ? await store.read.signups.get(delivery.signup_id) : undefined,
      payload: delivery.payload_id ? await store.read.webhooks.getPayload(delivery.payload_id) : undefined,
    };
  }

  return {
    /** The delivery id: the configured body path, else the scheme's own, else the body's digest. */
    deliveryId(source: WebhookSource, fromHeaders: string | undefined, raw: Uint8Array, body: unknown): string {
      const lookup = source.deliveryIdPath?.get(body);
      const fromBody = lookup?.found && (typeof lookup.value === 'string' || typeof lookup.value === 'number') ? String(lookup.value) : '';
      const id = fromBody || fromHeaders || bodyDigestId(raw);
      return id.length > MAX_DELIVERY_ID ? bodyDigestId(new TextEncoder().encode(id)) : id;
    },

    /** `keptText` is what an unmappable payload stores: JSON text that parses back to `body`. */
    async receive(source: WebhookSource, deliveryId: string, body: unknown, keptText: string): Promise<IntakeOutcome> {
      const earlier = await store.read.webhooks.findDelivery(source.name, deliveryId);
      if (earlier) return replayed(earlier);
      if (!acceptsEvent(source.events, body)) return { kind: 'ignored', eventType: source.events && eventType(source.events, body) };
      const at = now();
      const outcome = await ingestMapped(source, body, async (tx, result) => {
        await tx.webhooks.recordAccepted({ source: source.name, deliveryId, signupId: result.signup.id, now: at });
        await purgeIfDue(tx, result);
      });
      if (outcome.ok) return { kind: 'ingested', result: outcome.result };
      const kept = await store.transaction((tx) =>
        tx.webhooks.recordUnmappable({
          id: newId('whp', at),
          source: source.name,
          deliveryId,
          body: keptText,
          issues: outcome.issues,
          now: at,
        }),
      );
      return { kind: 'unmappable', payloadId: kept.payloadId, issues: outcome.issues };
    },

    /** Re-maps a kept payload with its source's current mapping and ingests it. */
    async replayPayload(source: WebhookSource, payload: PayloadRow): Promise<IntakeOutcome> {
      const body: unknown = JSON.parse(payload.body);
      if (!acceptsEvent(source.events, body)) return { kind: 'ignored', eventType: source.events && eventType(source.events, body) };
      const at = now();
      const outcome = await ingestMapped(source, body, (tx, result) => tx.webhooks.markIngested(payload.id, result.signup.id, at));
      if (outcome.ok) return { kind: 'ingested', result: outcome.result };
      await store.transaction((tx) => tx.webhooks.setPayloadIssues(payload.id, outcome.issues, at));
      return { kind: 'unmappable', payloadId: payload.id, issues: outcome.issues };
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;
