/**
 * Test-only signing, independent of the verifiers under test: Standard Webhooks / Svix
 * with the official `standardwebhooks` package, Typeform / Tally / generic HMAC with
 * node:crypto as each sender documents it. Plus the fixtures and a sources config.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import type { SourcesFile } from './sources';

export const CLERK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const CLERK_OLD_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
export const BACKEND_SECRET = 'whsec_dGVzdC1iYWNrZW5kLXNlY3JldC0wMTIzNDU2Nzg5YWI=';
export const TYPEFORM_SECRET = 'typeform-secret-6f1d0c2b9a8e';
export const TALLY_SECRET = 'tally-signing-secret-42c7e1';
export const HMAC_SECRET = 'custom-backend-hmac-secret-93ab';

export type FixtureName =
  | 'clerk-user-created'
  | 'typeform-form-response'
  | 'tally-form-response'
  | 'webflow-form-submission'
  | 'supabase-before-user-created';

export function fixture(name: FixtureName): string {
  return readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');
}

/** A fixture compacted, as senders send JSON. */
export const compact = (name: FixtureName) => JSON.stringify(JSON.parse(fixture(name)));

export const WEBFLOW_SECRET = 'webflow-oauth-client-secret-4f9a1c';
/** As Supabase shows it: two secrets during a rotation, joined by `|`. */
export const SUPABASE_SECRETS = 'v1,whsec_c3VwYWJhc2Utb2xkLWhvb2stc2VjcmV0LTEyMzQ1Njc4|v1,whsec_c3VwYWJhc2UtaG9vay1zZWNyZXQtYWJjZGVmMDEyMzQ1';
export const SUPABASE_NEW_SECRET = 'v1,whsec_c3VwYWJhc2UtaG9vay1zZWNyZXQtYWJjZGVmMDEyMzQ1';
export const URL_TOKEN = 'url-token-2b7e151628aed2a6abf7';
export const HEADER_TOKEN = 'header-token-3c4fcf098815f7aba6d2';

/** Webflow's documented scheme: hex HMAC-SHA256 of `<ms timestamp>:<body>` with the client secret. */
export function webflowHeaders(secret: string, at: Date, body: string) {
  const timestamp = String(at.getTime());
  return {
    'x-webflow-timestamp': timestamp,
    'x-webflow-signature': createHmac('sha256', secret).update(`${timestamp}:${body}`).digest('hex'),
  };
}

/** Supabase's own example: strip `v1,whsec_` and hand the base64 to the standardwebhooks package. */
export function supabaseHeaders(secret: string, id: string, at: Date, body: string) {
  return standardHeaders(secret.replace('v1,whsec_', ''), id, at, body);
}

/** A Supabase Database Webhook on auth.users INSERT (pg_net's JSON: type, table, schema, record, old_record). */
export function supabaseDbBody(): string {
  const { user } = JSON.parse(fixture('supabase-before-user-created')) as { user: Record<string, unknown> };
  const { user_metadata, ...rest } = user;
  return JSON.stringify({
    type: 'INSERT',
    table: 'users',
    schema: 'auth',
    record: { ...rest, instance_id: '00000000-0000-0000-0000-000000000000', raw_user_meta_data: user_metadata, raw_app_meta_data: user.app_metadata },
    old_record: null,
  });
}

export function mailchimpBody(): string {
  return readFileSync(new URL('./fixtures/mailchimp-subscribe.txt', import.meta.url), 'utf8');
}

/** A Jotform webhook as Jotform posts it: multipart fields, the answers as `rawRequest` JSON. */
export async function jotformBody(answers: Record<string, unknown> = {}, submissionID = '5969485413528612345') {
  const form = new FormData();
  form.set('action', '');
  form.set('webhookURL', 'https://relay.example.edu/v1/webhooks/jotform?token=…');
  form.set('username', 'campus_club');
  form.set('formID', '230884276543061');
  form.set('type', 'WEB');
  form.set('formTitle', 'Join the Robotics Club');
  form.set('submissionID', submissionID);
  form.set('ip', '203.0.113.7');
  form.set('pretty', 'Name:Ines Moreau, E-mail:ines.moreau@example.edu, impression_id:imp_demo_4');
  form.set(
    'rawRequest',
    JSON.stringify({
      slug: 'submit/230884276543061',
      jsExecutionTracker: 'build-date-1705312197000',
      q3_name: { first: 'Ines', last: 'Moreau' },
      q4_email: 'ines.moreau@example.edu',
      q5_impression_id: 'imp_demo_4',
      event_id: '1705312197000_230884276543061_a1b2c3',
      ...answers,
    }),
  );
  const request = new Request('http://fixture.invalid', { method: 'POST', body: form });
  return { body: new Uint8Array(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

export const MORE_SOURCES = {
  sources: {
    webflow: { preset: 'webflow', secrets: [WEBFLOW_SECRET] },
    supabase: { preset: 'supabase', secrets: [SUPABASE_SECRETS] },
    'supabase-db': { preset: 'supabase-db', header: 'X-Relay-Token', secrets: [HEADER_TOKEN] },
    mailchimp: { preset: 'mailchimp', secrets: [URL_TOKEN] },
    jotform: { preset: 'jotform', secrets: ['old-url-token-rotated-out-1', URL_TOKEN] },
    gravity: {
      verifier: 'shared-secret',
      header: 'Authorization',
      prefix: 'Bearer ',
      secrets: [HEADER_TOKEN],
      formats: ['json', 'form'],
      delivery_id: 'entry.id',
      map: { impression_id: 'entry.impression', first_name: 'entry.first', last_name: 'entry.last', email: 'entry.email' },
    },
  },
} satisfies SourcesFile;

/** A fixture, parsed and edited, re-serialised compactly (as senders send it). */
export function editFixture(name: FixtureName, edit: (payload: any) => void): string {
  const payload = JSON.parse(fixture(name));
  edit(payload);
  return JSON.stringify(payload);
}

export function standardHeaders(secret: string, id: string, at: Date, body: string, prefix: 'webhook' | 'svix' = 'webhook') {
  const signature = new Webhook(secret).sign(id, at, body);
  return {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
    [`${prefix}-signature`]: signature,
  };
}

export const svixHeaders = (secret: string, id: string, at: Date, body: string) => standardHeaders(secret, id, at, body, 'svix');

export function typeformHeaders(secret: string, body: string) {
  return { 'typeform-signature': `sha256=${createHmac('sha256', secret).update(body).digest('base64')}` };
}

export function tallyHeaders(secret: string, body: string) {
  return { 'tally-signature': createHmac('sha256', secret).update(body).digest('base64') };
}

export function hmacHexHeaders(secret: string, body: string) {
  return { 'x-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` };
}

export const TEST_SOURCES = {
  sources: {
    clerk: { preset: 'clerk', secrets: [CLERK_OLD_SECRET, CLERK_SECRET] },
    typeform: { preset: 'typeform', secrets: [TYPEFORM_SECRET] },
    tally: { preset: 'tally', secrets: [TALLY_SECRET] },
    backend: {
      verifier: 'standard-webhooks',
      secrets: [BACKEND_SECRET],
      tolerance_s: 120,
      map: {
        impression_id: 'signup.impression',
        first_name: 'signup.name.first',
        last_name: 'signup.name.last',
        email: 'signup.contact.email',
        metadata: { backend_user: 'signup.user_id' },
      },
    },
    custom: {
      verifier: 'hmac-sha256',
      header: 'X-Signature',
      prefix: 'sha256=',
      encoding: 'hex',
      secrets: [HMAC_SECRET],
      delivery_id: 'id',
      map: { impression_id: 'impression', first_name: 'first', last_name: 'last', email: 'email' },
    },
  },
} satisfies SourcesFile;
