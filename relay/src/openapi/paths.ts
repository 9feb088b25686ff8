/**
 * Every route the relay serves, for the OpenAPI document. `document.test.ts` walks the
 * app's registered routes and fails when one is missing here (or listed here and gone).
 */
import { IDEMPOTENCY_KEY_MAX } from '@vantio/shared';
import type { RouteDoc } from './document';
import { ADMIN_ROUTES } from './paths-admin';
import { PAGE_ROUTES } from './paths-pages';
import { WEBHOOK_ROUTES } from './paths-webhooks';

export const TAGS = [
  { name: 'Signups', description: 'The public API the widget (or any client) posts signups to.' },
  { name: 'Webhooks', description: 'Signed deliveries from existing signup systems (Typeform, Tally, Clerk/Svix, any HMAC sender).' },
  { name: 'Admin', description: 'Inspect, retry, replay, export and erase signups. Bearer RELAY_ADMIN_TOKEN.' },
  { name: 'Widget', description: 'The script-tag widget bundles landing pages load, and the sandbox demo page.' },
  { name: 'Operations', description: 'Health, readiness and Prometheus metrics.' },
  { name: 'Documentation', description: 'This document and its reference page.' },
  { name: 'Pages', description: 'Hosted signup pages (/join/{slug}), their configuration, and profile picture uploads.' },
  { name: 'Dashboard', description: 'The admin dashboard (a static single-page app that uses the admin API).' },
];

const SIGNUP_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/signups',
    tag: 'Signups',
    summary: 'Send a signup',
    description:
      'Validates the signup, stores it durably (fsync’d) and answers; delivery to Vantio follows. ' +
      'One person on one impression is one referral: a repeat gets 200 with the first record. ' +
      'Browsers must send an allowed Origin (RELAY_ALLOWED_ORIGINS); CORS preflight (OPTIONS) is answered. ' +
      '`honeypot` and `time_to_fill_ms` are the widget’s bot signals: a bot is answered as if accepted and nothing is stored. ' +
      'Any other method on this path is answered 405.',
    headers: [
      {
        name: 'Idempotency-Key',
        description: `Optional client key (1–${IDEMPOTENCY_KEY_MAX} printable ASCII): the same key with the same body gets the same answer; with another body, 422.`,
      },
    ],
    body: { schema: 'SignupRequest' },
    responses: {
      202: {
        description: 'Accepted and on disk (also a replay of the same Idempotency-Key, marked by a header)',
        schema: 'SignupReceipt',
        headers: { 'Idempotent-Replayed': '`true` when this answers a replayed Idempotency-Key' },
      },
      200: { description: 'The same person already signed up on this impression: the first record, `duplicate: true`', schema: 'SignupReceipt' },
      403: {
        description:
          'The Origin is not in RELAY_ALLOWED_ORIGINS (or is `null`, a sandboxed frame): nothing is stored. The refusal carries ' +
          '`Access-Control-Allow-Origin` (and its preflight the grant) so the page can read it; it is counted in `GET /v1/admin/stats`.',
        schema: 'ErrorBody',
      },
      422: { description: 'The Idempotency-Key was already used with a different body', schema: 'ErrorBody' },
      429: { description: 'Rate limited (per client IP)', schema: 'ErrorBody', headers: { 'Retry-After': 'Seconds to wait' } },
      503: {
        description: 'The database cannot take the write now (disk full, read-only, down): nothing was stored; try again',
        schema: 'ErrorBody',
        headers: { 'Retry-After': 'Seconds to wait' },
      },
    },
  },
];

const bundle = (file: string, what: string): RouteDoc => ({
  method: 'get',
  path: `/${file}`,
  tag: 'Widget',
  summary: what,
  description:
    'Public, `Access-Control-Allow-Origin: *`, brotli or gzip by Accept-Encoding, with a strong ETag (a repeat visit is a 304). ' +
    '503 until the widget is built (`npm run build`).',
  headers: [{ name: 'If-None-Match', description: 'The ETag of a cached copy' }],
  responses: {
    200: { description: 'The bundle', contentType: 'text/javascript' },
    304: { description: 'The cached copy is current' },
    503: { description: 'Not built yet', schema: 'ErrorBody' },
  },
});

const locale = (code: string, language: string): RouteDoc => ({
  ...bundle(`vantio-locale-${code}.json`, `The signup widget's ${language} strings, fetched by pages that show them`),
  responses: {
    200: { description: 'The strings', contentType: 'application/json' },
    304: { description: 'The cached copy is current' },
    503: { description: 'Not built yet', schema: 'ErrorBody' },
  },
});

const WIDGET_ROUTES: RouteDoc[] = [
  bundle('vantio-signup.js', 'The signup widget (form + impression capture)'),
  bundle('vantio-capture.js', 'Impression capture only (for pages with their own form)'),
  bundle('vantio-photo.js', 'The photo field, an ES module the signup widget imports on pages that show it'),
  locale('es', 'Spanish'),
  locale('fr', 'French'),
  {
    method: 'get',
    path: '/demo',
    tag: 'Widget',
    summary: 'Sandbox demo landing page',
    description: 'Only in sandbox mode (no VANTIO_API_URL): a landing page embedding the widget as the README shows.',
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  },
  {
    method: 'get',
    path: '/demo.css',
    tag: 'Widget',
    summary: 'The demo page’s stylesheet',
    responses: { 200: { description: 'CSS', contentType: 'text/css' } },
  },
  {
    method: 'get',
    path: '/demo-icon.svg',
    tag: 'Widget',
    summary: 'The demo page’s icon',
    responses: { 200: { description: 'SVG', contentType: 'image/svg+xml' } },
  },
];

const DASHBOARD_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/admin',
    tag: 'Dashboard',
    summary: 'The admin dashboard',
    description:
      'Signups per day, delivery health, top impressions and ambassadors, and the dead/rejected list with retry and fix-impression. ' +
      'It asks for the admin token (kept in sessionStorage) and calls the admin API with it. 503 until built (`npm run build`).',
    responses: {
      200: { description: 'HTML', contentType: 'text/html' },
      503: { description: 'Not built yet', schema: 'ErrorBody' },
    },
  },
  {
    method: 'get',
    path: '/admin/assets/:file',
    tag: 'Dashboard',
    summary: 'The dashboard’s scripts and styles (content-hashed names, cached for good)',
    params: { file: 'A file name from the built dashboard' },
    responses: {
      200: { description: 'JavaScript or CSS', contentType: 'text/javascript' },
      404: { description: 'No such file', schema: 'ErrorBody' },
    },
  },
];

const OPERATIONS_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    tag: 'Operations',
    summary: 'Liveness',
    description: 'The process answers. Use it for liveness probes, load balancers and the Docker HEALTHCHECK.',
    responses: { 200: { description: 'Alive', schema: 'Health' } },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    summary: 'Readiness',
    description:
      'The database takes writes and delivery is not paused. A paused relay still accepts and queues signups, so alert on this rather than route traffic by it.',
    responses: {
      200: { description: 'Ready', schema: 'Ready' },
      503: { description: 'The database is not writable, or delivery is paused (e.g. Vantio refused the key)', schema: 'NotReady' },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics',
    description:
      'Counters of signups (accepted, duplicate, key conflicts by source; bots), delivery attempts and final states, ' +
      'upstream and end-to-end latency histograms, queue depth, oldest queued age and the paused flag, plus Node process metrics. ' +
      'All names start with `vantio_relay_`.',
    auth: 'metricsToken',
    responses: { 200: { description: 'Prometheus text exposition format 0.0.4', contentType: 'text/plain; version=0.0.4' } },
  },
];

const DOCUMENTATION_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'Documentation',
    summary: 'This OpenAPI document',
    responses: { 200: { description: 'OpenAPI 3.1', contentType: 'application/json' } },
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'Documentation',
    summary: 'API reference page',
    description: 'This document as a readable HTML page, served by the relay (no external assets).',
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  },
  {
    method: 'get',
    path: '/docs/reference.css',
    tag: 'Documentation',
    summary: 'The reference page’s stylesheet',
    responses: { 200: { description: 'CSS', contentType: 'text/css' } },
  },
];

export const ROUTES: RouteDoc[] = [
  ...SIGNUP_ROUTES,
  ...WEBHOOK_ROUTES,
  ...ADMIN_ROUTES,
  ...PAGE_ROUTES,
  ...WIDGET_ROUTES,
  ...DASHBOARD_ROUTES,
  ...OPERATIONS_ROUTES,
  ...DOCUMENTATION_ROUTES,
];
