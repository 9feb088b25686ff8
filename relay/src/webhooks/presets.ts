/**
 * Built-in mappings for common senders. A source names one with `"preset"`; its own
 * `map` entries then override the preset's, field by field. Each preset also knows its
 * sender's verifier and the event types that mean "a new signup".
 */
import type { VerifierName } from './verifiers';

export interface Preset {
  verifier: VerifierName;
  events: { path: string; accept: string[] };
  map: Record<'impression_id' | 'first_name' | 'last_name' | 'email', string> & { profile_picture?: string };
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
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];
