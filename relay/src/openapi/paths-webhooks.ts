/** Webhook intake and the admin's kept-payload routes, for the OpenAPI document. */
import { ZPayloadListQuery } from '../webhooks/admin-routes';
import type { RouteDoc } from './document';

const source = { source: 'The source name, as configured in RELAY_SOURCES_FILE' };
const payloadId = { id: 'The kept payload id' };

export const WEBHOOK_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/webhooks/:source',
    tag: 'Webhooks',
    summary: 'Receive a signed webhook',
    description:
      "The source's verifier checks the signature over the raw body first (constant time, several secrets for rotation); only then is the JSON read, " +
      "mapped to a signup by the source's field mapping and handed to the same ingest as widget signups. " +
      'A re-sent delivery (same delivery id) is answered `replayed` and changes nothing. Any other method on this path is answered 405.',
    auth: 'webhookSignature',
    params: source,
    body: { schema: 'WebhookBody', description: 'The sender’s own JSON (Typeform, Tally, Clerk/Svix, or any shape the mapping names)' },
    responses: {
      202: { description: 'A new signup, on disk', schema: 'WebhookAnswer' },
      200: { description: 'Duplicate, replayed delivery, or an ignored event type', schema: 'WebhookAnswer' },
      401: { description: 'The signature is missing, invalid or expired', schema: 'ErrorBody' },
      404: { description: 'No source with that name is configured', schema: 'ErrorBody' },
      422: { description: 'Verified but not mappable to a signup; the payload is kept for a replay', schema: 'WebhookUnmappable' },
      503: {
        description: 'The database cannot take the write now: nothing was stored; send it again later',
        schema: 'ErrorBody',
        headers: { 'Retry-After': 'Seconds to wait' },
      },
    },
  },
  {
    method: 'get',
    path: '/v1/admin/webhook-payloads',
    tag: 'Webhooks',
    summary: 'List kept (unmappable) webhook payloads',
    auth: 'adminToken',
    query: ZPayloadListQuery,
    responses: { 200: { description: 'One page, newest first', schema: 'PayloadPage' } },
  },
  {
    method: 'get',
    path: '/v1/admin/webhook-payloads/:id',
    tag: 'Webhooks',
    summary: 'Show one kept payload, with the sender’s JSON',
    auth: 'adminToken',
    params: payloadId,
    responses: {
      200: { description: 'The payload', schema: 'PayloadView' },
      404: { description: 'No kept payload with that id', schema: 'ErrorBody' },
    },
  },
  {
    method: 'post',
    path: '/v1/admin/webhook-payloads/:id/replay',
    tag: 'Webhooks',
    summary: "Replay a kept payload with the source's current mapping",
    auth: 'adminToken',
    params: payloadId,
    responses: {
      202: { description: 'Mapped and ingested: a new signup', schema: 'WebhookAnswer' },
      200: { description: 'Mapped; the person was already signed up', schema: 'WebhookAnswer' },
      404: { description: 'No kept payload with that id', schema: 'ErrorBody' },
      409: { description: 'Already replayed, or the source is no longer configured', schema: 'ErrorBody' },
      422: { description: 'Still not mappable, or the source now ignores this event type', schema: 'WebhookUnmappable' },
    },
  },
  {
    method: 'delete',
    path: '/v1/admin/webhook-payloads/:id',
    tag: 'Webhooks',
    summary: 'Discard a kept payload',
    auth: 'adminToken',
    params: payloadId,
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'No kept payload with that id', schema: 'ErrorBody' },
    },
  },
];
