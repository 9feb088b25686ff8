/** The admin API's routes, for the OpenAPI document (all behind Bearer RELAY_ADMIN_TOKEN). */
import { ZExportQuery, ZListQuery, ZStatsQuery } from '../admin/query';
import type { RouteDoc } from './document';

const DATE_NOTE = 'A UTC date (2026-01-15) or an ISO date-time with offset';
const FILTER_NOTES = {
  state: 'Only signups in this state',
  source: 'Only signups from this source (widget, api, or a webhook source name)',
  impression_id: 'Only signups on this impression',
  email: 'Only this person (matched on the normalised email)',
  from: `Created at or after. ${DATE_NOTE}`,
  to: `Created before; a bare date includes that whole day. ${DATE_NOTE}`,
};
const signupId = { id: 'The signup id (sgn_…)' };

export const ADMIN_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/admin/signups',
    tag: 'Admin',
    summary: 'List signups',
    description: 'Newest first by default, filtered, in pages: pass `next_cursor` back as `cursor`.',
    auth: 'adminToken',
    query: ZListQuery,
    queryNotes: { ...FILTER_NOTES, limit: 'Page size (1–500)', order: 'desc (newest first) or asc', cursor: 'From the previous page' },
    responses: { 200: { description: 'One page', schema: 'SignupPage' } },
  },
  {
    method: 'get',
    path: '/v1/admin/signups/:id',
    tag: 'Admin',
    summary: 'Show one signup with its attempt history',
    auth: 'adminToken',
    params: signupId,
    responses: {
      200: { description: 'The signup and every upstream attempt', schema: 'SignupView' },
      404: { description: 'No signup with that id', schema: 'ErrorBody' },
    },
  },
  {
    method: 'post',
    path: '/v1/admin/signups/:id/retry',
    tag: 'Admin',
    summary: 'Retry a dead or rejected signup, optionally on a corrected impression',
    description:
      'Puts the signup back in the queue with a fresh retry schedule. With `impression_id` it first moves the signup to that impression ' +
      '(a mistyped poster code), which gives it a new upstream idempotency key. The body may be left out.',
    auth: 'adminToken',
    params: signupId,
    body: { schema: 'RetryRequest', required: false },
    responses: {
      200: { description: 'Requeued', schema: 'RetryResult' },
      404: { description: 'No signup with that id', schema: 'ErrorBody' },
      409: {
        description:
          'Already delivered, erased, still queued, held (release or discard it instead), or the same person already has a signup on the corrected impression',
        schema: 'ErrorBody',
      },
    },
  },
  {
    method: 'post',
    path: '/v1/admin/signups/:id/release',
    tag: 'Admin',
    summary: 'Release a held signup (a suspected bot that is a person)',
    description:
      'Queues it for delivery: it is forwarded once, with its usual upstream idempotency key. Its `held_reason` and signals stay for the record.',
    auth: 'adminToken',
    params: signupId,
    responses: {
      200: { description: 'Queued', schema: 'ReleaseAnswer' },
      404: { description: 'No signup with that id', schema: 'ErrorBody' },
      409: { description: 'Not held (already released, or never held)', schema: 'ErrorBody' },
    },
  },
  {
    method: 'post',
    path: '/v1/admin/signups/:id/discard',
    tag: 'Admin',
    summary: 'Discard a held signup',
    description: 'Deletes it and its personal data; nothing is sent to Vantio.',
    auth: 'adminToken',
    params: signupId,
    responses: {
      200: { description: 'Deleted', schema: 'DiscardAnswer' },
      404: { description: 'No signup with that id', schema: 'ErrorBody' },
      409: { description: 'Not held: only held signups can be discarded', schema: 'ErrorBody' },
    },
  },
  {
    method: 'post',
    path: '/v1/admin/replay',
    tag: 'Admin',
    summary: 'Replay dead (or rejected) signups in bulk',
    description:
      'Requeues every matching signup (by ids, or by impression, source and time window), optionally onto a corrected impression. ' +
      '`dry_run` reports what would happen and changes nothing. The body may be left out (replays every dead signup).',
    auth: 'adminToken',
    body: { schema: 'ReplayRequest', required: false },
    responses: { 200: { description: 'What was (or would be) requeued, and what was skipped', schema: 'ReplayReport' } },
  },
  {
    method: 'get',
    path: '/v1/admin/stats',
    tag: 'Admin',
    summary: 'Dashboard figures',
    description:
      '`by_state`, `by_source` and `bots` are all-time; `per_day`, `top_impressions`, `top_students` and `delivery_latency_ms` cover the window ' +
      '(default: the last 30 UTC days, today included).',
    auth: 'adminToken',
    query: ZStatsQuery,
    queryNotes: { from: FILTER_NOTES.from, to: FILTER_NOTES.to, days: 'Window length when from is not given (1–366)', top: 'How many impressions and ambassadors to list' },
    responses: { 200: { description: 'The figures', schema: 'Stats' } },
  },
  {
    method: 'get',
    path: '/v1/admin/export.csv',
    tag: 'Admin',
    summary: 'Export signups as CSV',
    description: 'Every matching signup, oldest first, streamed (memory stays flat for any size). `X-Export-Rows` gives the count when the export started.',
    auth: 'adminToken',
    query: ZExportQuery,
    queryNotes: FILTER_NOTES,
    responses: {
      200: {
        description: 'CSV with a header row (an attachment)',
        contentType: 'text/csv',
        headers: { 'X-Export-Rows': 'Rows matching when the export started' },
      },
    },
  },
  {
    method: 'delete',
    path: '/v1/admin/people/:email',
    tag: 'Admin',
    summary: 'Erase one person',
    description:
      'Deletes every signup of this email (matched normalised), their attempts and outbox rows, and the kept webhook payloads that carried them. ' +
      'URL-encode the address. The request log records the route pattern, never the address.',
    auth: 'adminToken',
    params: { email: 'The email address to erase (URL-encoded)' },
    responses: {
      200: { description: 'What was erased (all zero when nothing matched)', schema: 'EraseReport' },
      400: { description: 'Not an email address', schema: 'ErrorBody' },
    },
  },
  {
    method: 'get',
    path: '/v1/admin/backup',
    tag: 'Admin',
    summary: 'Download a consistent copy of the database',
    description:
      "Made with SQLite's online backup API while ingest and delivery keep running; streamed as an attachment. " +
      'A relay on PostgreSQL answers 501: back it up with pg_dump or your provider.',
    auth: 'adminToken',
    responses: {
      200: { description: 'The SQLite database file', contentType: 'application/vnd.sqlite3' },
      501: { description: 'PostgreSQL: use pg_dump (the message says how)', schema: 'ErrorBody' },
    },
  },
  {
    method: 'get',
    path: '/v1/admin/delivery',
    tag: 'Admin',
    summary: 'Delivery status',
    auth: 'adminToken',
    responses: { 200: { description: 'Paused or not, why, and what is in flight', schema: 'DeliveryAnswer' } },
  },
  {
    method: 'post',
    path: '/v1/admin/delivery/pause',
    tag: 'Admin',
    summary: 'Pause all delivery',
    description: 'For an upstream incident: signups keep being accepted and queued; `/readyz` reports the pause; it survives restarts.',
    auth: 'adminToken',
    responses: { 200: { description: 'Paused', schema: 'DeliveryAnswer' } },
  },
  {
    method: 'post',
    path: '/v1/admin/delivery/resume',
    tag: 'Admin',
    summary: 'Resume delivery',
    auth: 'adminToken',
    responses: { 200: { description: 'Resumed; what is due is sent now', schema: 'DeliveryAnswer' } },
  },
];
