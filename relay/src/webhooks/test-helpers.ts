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

export function fixture(name: 'clerk-user-created' | 'typeform-form-response' | 'tally-form-response'): string {
  return readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');
}

/** A fixture, parsed and edited, re-serialised compactly (as senders send it). */
export function editFixture(name: Parameters<typeof fixture>[0], edit: (payload: any) => void): string {
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
