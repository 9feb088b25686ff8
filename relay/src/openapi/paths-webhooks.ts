/** Webhook intake and the admin's kept-payload routes, for the OpenAPI document. */
import { ZPayloadListQuery } from '../webhooks/admin-routes';
import { z } from 'zod';
import type { RouteDoc } from './document';

const source = { source: 'The source name, as configured in RELAY_SOURCES_FILE' };
const payloadId = { id: 'The kept payload id' };
const slug = { slug: 'The poster link name, e.g. robotics' };

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
    path: '/v1/webhooks/:source',
    tag: 'Webhooks',
    summary: 'URL check (Mailchimp)',
    description: 'Sources with `url_check` (the mailchimp preset) answer 200 once the token matches, storing nothing; every other source answers 405.',
    auth: 'webhookSignature',
    params: source,
    responses: {
      200: { description: 'The URL and its token are right' },
      401: { description: 'The token is missing or wrong', schema: 'ErrorBody' },
      404: { description: 'No source with that name is configured', schema: 'ErrorBody' },
      405: { description: 'This source takes POST only', schema: 'ErrorBody' },
    },
  },
  {
    method: 'get',
    path: '/go/:slug',
    tag: 'Webhooks',
    summary: 'Poster link: redirect to the form with the impression prefilled',
    description:
      'Answers 302 to the saved Google Form (or allowlisted) URL with `impression_param` set to the impression. The target is re-checked on every request.',
    params: slug,
    query: z.object({ impression_id: z.string().describe('The impression id printed in the poster’s QR code') }),
    responses: {
      302: { description: 'To the form', headers: { Location: 'The prefilled form URL' } },
      400: { description: 'No impression id, or not a valid one', schema: 'ErrorBody' },
      404: { description: 'No link with that name, or its target is no longer allowed', schema: 'ErrorBody' },
    },
  },
  {
    method: 'get',
    path: '/v1/admin/links',
    tag: 'Webhooks',
    summary: 'List poster links',
    auth: 'adminToken',
    responses: { 200: { description: 'Every link, by slug', schema: 'LinkList' } },
  },
  {
    method: 'get',
    path: '/v1/admin/links/:slug',
    tag: 'Webhooks',
    summary: 'Show one poster link',
    auth: 'adminToken',
    params: slug,
    responses: {
      200: { description: 'The link', schema: 'LinkView' },
      404: { description: 'No link with that name', schema: 'ErrorBody' },
    },
  },
  {
    method: 'put',
    path: '/v1/admin/links/:slug',
    tag: 'Webhooks',
    summary: 'Create or replace a poster link',
    description: 'The target must be https://docs.google.com/forms/…/viewform (with an `entry.<number>` parameter) or on the link-origins allowlist.',
    auth: 'adminToken',
    params: slug,
    body: { schema: 'LinkInput' },
    responses: {
      201: { description: 'Created', schema: 'LinkView' },
      200: { description: 'Replaced', schema: 'LinkView' },
      400: { description: 'Not an allowed target, or an invalid body', schema: 'ErrorBody' },
    },
  },
  {
    method: 'delete',
    path: '/v1/admin/links/:slug',
    tag: 'Webhooks',
    summary: 'Delete a poster link',
    auth: 'adminToken',
    params: slug,
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'No link with that name', schema: 'ErrorBody' },
    },
  },
  {
    method: 'get',
    path: '/v1/admin/link-origins',
    tag: 'Webhooks',
    summary: 'The origins poster links may point to besides Google Forms',
    auth: 'adminToken',
    responses: { 200: { description: 'The allowlist', schema: 'LinkOrigins' } },
  },
  {
    method: 'put',
    path: '/v1/admin/link-origins',
    tag: 'Webhooks',
    summary: 'Replace the poster-link origin allowlist',
    auth: 'adminToken',
    body: { schema: 'LinkOrigins' },
    responses: {
      200: { description: 'The saved allowlist', schema: 'LinkOrigins' },
      400: { description: 'Not https origins', schema: 'ErrorBody' },
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
