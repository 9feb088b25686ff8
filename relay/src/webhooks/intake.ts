/**
 * What happens to a verified webhook: replay check, event filter, mapping, then the one
 * ingest path shared with widget signups. HTTP-free, so the sender's route and the
 * admin's replay of a kept payload run exactly the same steps.
 */
import { upstreamIdempotencyKey, type TFieldIssue } from '@vantio/shared';
import type { Ingestor } from '../ingest';
import type { AcceptResult, SignupRow, Store } from '../store/types';
import type { DeliveryRecord, PayloadRow, WebhookStore } from '../store/webhook-store';
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
  webhookStore: WebhookStore;
  store: Pick<Store, 'getSignup'>;
  ingestor: Ingestor;
  now: () => number;
}

const MAX_DELIVERY_ID = 255;

export function createIntake({ webhookStore, store, ingestor, now }: IntakeDeps) {
  /** Maps and ingests; the signup and `record` (queued in the same turn) commit together. */
  async function ingestMapped(source: WebhookSource, body: unknown, record: (upstreamKey: string) => Promise<void>) {
    const mapped = mapSignup(source.mapping, body);
    if (!mapped.ok) return mapped;
    const upstreamKey = upstreamIdempotencyKey(mapped.signup.impression_id, mapped.signup.email);
    const [result] = await Promise.all([ingestor.ingest({ signup: mapped.signup, source: source.name }), record(upstreamKey)]);
    return { ok: true as const, result };
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
      const earlier = webhookStore.findDelivery(source.name, deliveryId);
      if (earlier) {
        return {
          kind: 'replayed',
          delivery: earlier,
          signup: earlier.signup_id ? store.getSignup(earlier.signup_id) : undefined,
          payload: earlier.payload_id ? webhookStore.getPayload(earlier.payload_id) : undefined,
        };
      }
      if (!acceptsEvent(source.events, body)) return { kind: 'ignored', eventType: source.events && eventType(source.events, body) };
      const at = now();
      const outcome = await ingestMapped(source, body, (upstreamKey) =>
        webhookStore.recordAccepted({ source: source.name, deliveryId, upstreamKey, now: at }),
      );
      if (outcome.ok) return { kind: 'ingested', result: outcome.result };
      const kept = await webhookStore.recordUnmappable({
        source: source.name,
        deliveryId,
        body: keptText,
        issues: outcome.issues,
        now: at,
      });
      return { kind: 'unmappable', payloadId: kept.payloadId, issues: outcome.issues };
    },

    /** Re-maps a kept payload with its source's current mapping and ingests it. */
    async replayPayload(source: WebhookSource, payload: PayloadRow): Promise<IntakeOutcome> {
      const body: unknown = JSON.parse(payload.body);
      if (!acceptsEvent(source.events, body)) return { kind: 'ignored', eventType: source.events && eventType(source.events, body) };
      const at = now();
      const outcome = await ingestMapped(source, body, (upstreamKey) => webhookStore.markIngested(payload.id, upstreamKey, at));
      if (outcome.ok) return { kind: 'ingested', result: outcome.result };
      await webhookStore.setPayloadIssues(payload.id, outcome.issues, at);
      return { kind: 'unmappable', payloadId: payload.id, issues: outcome.issues };
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;
