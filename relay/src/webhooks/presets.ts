/**
 * Built-in mappings for common senders. A source names one with `"preset"`; its own
 * `map` entries then override the preset's, field by field. Each preset also knows its
 * sender's verifier and the event types that mean "a new signup".
 */
import type { BodyFormat, BodyShape } from './body';
import type { VerifierName } from './verifiers';

export interface Preset {
  verifier: VerifierName;
  events?: { path: string; accept: string[] };
  map: Record<'impression_id' | 'first_name' | 'last_name' | 'email', string> & { profile_picture?: string };
  /** Body path of the sender's own delivery id. */
  deliveryId?: string;
  /** Content types (default JSON only). */
  formats?: BodyFormat[];
  shape?: BodyShape;
  /** shared-secret senders that can only set a URL: the query parameter holding the token. */
  query?: string;
  urlCheck?: boolean;
  blocking?: boolean;
}

export const PRESETS = {
  /** Clerk `user.created`, delivered by Svix. The landing page puts the impression id in
   * `unsafeMetadata` at sign-up: `signUp.create({ ..., unsafeMetadata: { impression_id } })`. */
  clerk: {
    verifier: 'svix',
    events: { path: 'type', accept: ['user.created'] },
    map: {
      impression_id: 'data.unsafe_metadata.impression_id',
      first_name: 'data.first_name',
      last_name: 'data.last_name',
      email: 'data.email_addresses[0].email_address',
      profile_picture: 'data.image_url',
    },
  },
  /** Typeform `form_response`: a hidden field `impression_id`, name questions whose field
   * ref is `first_name` and `last_name`, and the form's (first) email question. */
  typeform: {
    verifier: 'typeform',
    events: { path: 'event_type', accept: ['form_response'] },
    map: {
      impression_id: 'form_response.hidden.impression_id',
      first_name: 'form_response.answers[field.ref=first_name].text',
      last_name: 'form_response.answers[field.ref=last_name].text',
      email: 'form_response.answers[type=email].email',
    },
  },
  /** Tally `FORM_RESPONSE`: a hidden field `impression_id`, questions labelled "First name"
   * and "Last name" (any case), and one email question. */
  tally: {
    verifier: 'tally',
    events: { path: 'eventType', accept: ['FORM_RESPONSE'] },
    map: {
      impression_id: 'data.fields[label=impression_id].value',
      first_name: 'data.fields[label~=first name].value',
      last_name: 'data.fields[label~=last name].value',
      email: 'data.fields[type=INPUT_EMAIL].value',
    },
  },
  /** The Apps Script in integrations/google-forms/Code.gs, signed as Standard Webhooks: a short
   * answer titled `impression_id` (prefilled by GET /go/:slug), "First name", "Last name", "Email". */
  'google-forms': {
    verifier: 'standard-webhooks',
    events: { path: 'event', accept: ['form_response'] },
    map: {
      impression_id: 'response.answers[title=impression_id].value',
      first_name: 'response.answers[title~=first name].value',
      last_name: 'response.answers[title~=last name].value',
      email: 'response.answers[title~=email].value',
    },
  },
  /** Webflow `form_submission` (Data API v2): fields under their names in `payload.data`; the
   * impression in a hidden input named `impression_id`. */
  webflow: {
    verifier: 'webflow',
    events: { path: 'triggerType', accept: ['form_submission'] },
    deliveryId: 'payload.id',
    map: {
      impression_id: 'payload.data.impression_id',
      first_name: 'payload.data["First Name"]',
      last_name: 'payload.data["Last Name"]',
      email: 'payload.data.email',
    },
  },
  /** Supabase Auth "Before User Created" HTTP hook (Standard Webhooks). The app's
   * `auth.signUp({ email, password, options: { data: { first_name, last_name, impression_id } } })`
   * puts those in `user_metadata`. The hook blocks the signup on any answer but 200/204. */
  supabase: {
    verifier: 'standard-webhooks',
    events: { path: 'metadata.name', accept: ['before-user-created'] },
    blocking: true,
    map: {
      impression_id: 'user.user_metadata.impression_id',
      first_name: 'user.user_metadata.first_name',
      last_name: 'user.user_metadata.last_name',
      email: 'user.email',
    },
  },
  /** Supabase Database Webhook on `auth.users` INSERT: unsigned, so a shared-secret header. */
  'supabase-db': {
    verifier: 'shared-secret',
    events: { path: 'type', accept: ['INSERT'] },
    deliveryId: 'record.id',
    map: {
      impression_id: 'record.raw_user_meta_data.impression_id',
      first_name: 'record.raw_user_meta_data.first_name',
      last_name: 'record.raw_user_meta_data.last_name',
      email: 'record.email',
    },
  },
  /** Mailchimp audience webhook `subscribe`: form-encoded, unsigned (a URL token), checked by GET.
   * The impression in a merge field tagged IMPRESSION. */
  mailchimp: {
    verifier: 'shared-secret',
    query: 'token',
    formats: ['form'],
    urlCheck: true,
    events: { path: 'type', accept: ['subscribe'] },
    map: {
      impression_id: 'data.merges.IMPRESSION',
      first_name: 'data.merges.FNAME',
      last_name: 'data.merges.LNAME',
      email: 'data.email',
    },
  },
  /** Jotform webhook: multipart, unsigned (a URL token), answers in `rawRequest` JSON keyed
   * `q<N>_<unique name>`; unique names `name` (Full Name), `email`, `impression_id`. */
  jotform: {
    verifier: 'shared-secret',
    query: 'token',
    formats: ['multipart', 'form'],
    shape: 'jotform',
    deliveryId: 'submissionID',
    map: {
      impression_id: 'answers.impression_id',
      first_name: 'answers.name.first',
      last_name: 'answers.name.last',
      email: 'answers.email',
    },
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];
