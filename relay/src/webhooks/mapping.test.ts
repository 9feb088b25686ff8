import { describe, expect, it } from 'vitest';
import { acceptsEvent, mapSignup } from './mapping';
import { compileSources } from './sources';
import { editFixture, fixture, TEST_SOURCES } from './test-helpers';

const sources = compileSources(TEST_SOURCES);
const source = (name: string) => sources.get(name)!;

describe('presets on the senders\' real payload shapes', () => {
  it('maps Clerk user.created (unsafe_metadata, first email address, image)', () => {
    const body = JSON.parse(fixture('clerk-user-created'));
    expect(acceptsEvent(source('clerk').events, body)).toBe(true);
    expect(mapSignup(source('clerk').mapping, body)).toEqual({
      ok: true,
      signup: {
        impression_id: 'imp_demo_1',
        first_name: 'Maya',
        last_name: 'Okafor',
        email: 'maya.okafor@example.edu',
        profile_picture: 'https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18ycCJ9',
      },
    });
  });

  it('maps a Typeform form_response (hidden field, answers by field ref)', () => {
    const body = JSON.parse(fixture('typeform-form-response'));
    expect(acceptsEvent(source('typeform').events, body)).toBe(true);
    expect(mapSignup(source('typeform').mapping, body)).toEqual({
      ok: true,
      signup: { impression_id: 'imp_demo_2', first_name: 'Jonas', last_name: 'Lindqvist', email: 'jonas.lindqvist@example.edu' },
    });
  });

  it('maps a Tally FORM_RESPONSE (hidden field by label, questions by label and type)', () => {
    const body = JSON.parse(fixture('tally-form-response'));
    expect(acceptsEvent(source('tally').events, body)).toBe(true);
    expect(mapSignup(source('tally').mapping, body)).toEqual({
      ok: true,
      signup: { impression_id: 'imp_demo_3', first_name: 'Priya', last_name: 'Raman', email: 'priya.raman@example.edu' },
    });
  });

  it('knows which events are not signups', () => {
    expect(acceptsEvent(source('clerk').events, { ...JSON.parse(fixture('clerk-user-created')), type: 'user.updated' })).toBe(false);
    expect(acceptsEvent(source('typeform').events, { event_type: 'ping' })).toBe(false);
    expect(acceptsEvent(source('tally').events, {})).toBe(false);
    expect(acceptsEvent(source('custom').events, { anything: true })).toBe(true);
  });

  it('lets map entries override a preset, field by field', () => {
    const custom = compileSources({
      sources: { clerk: { preset: 'clerk', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], map: { last_name: 'data.username' } } },
    }).get('clerk')!;
    const body = JSON.parse(editFixture('clerk-user-created', (p) => ((p.data.last_name = null), (p.data.username = 'okafor'))));
    expect(mapSignup(custom.mapping, body)).toMatchObject({ ok: true, signup: { first_name: 'Maya', last_name: 'okafor' } });
  });
});

describe('unmappable payloads', () => {
  it('lists every missing or invalid field, with where it was looked for', () => {
    const body = JSON.parse(
      editFixture('clerk-user-created', (p) => {
        p.data.last_name = null;
        p.data.unsafe_metadata = {};
        p.data.email_addresses[0].email_address = 'not-an-email';
        p.data.image_url = 'ftp://example.edu/x.png';
      }),
    );
    const result = mapSignup(source('clerk').mapping, body);
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'impression_id', message: 'is missing (nothing at data.unsafe_metadata.impression_id)' },
        { path: 'last_name', message: 'is missing (data.last_name is null)' },
        { path: 'email', message: 'must be a valid email address (from data.email_addresses[0].email_address)' },
        { path: 'profile_picture', message: 'must be an http or https URL (from data.image_url)' },
      ],
    });
  });

  it('reports a value of the wrong kind, and an email question left blank', () => {
    const body = JSON.parse(
      editFixture('tally-form-response', (p) => {
        p.data.fields[1].value = ['Priya'];
        p.data.fields[3].value = '   ';
      }),
    );
    expect(mapSignup(source('tally').mapping, body)).toEqual({
      ok: false,
      issues: [
        { path: 'first_name', message: 'must be text, found a list at data.fields[label~=first name].value' },
        { path: 'email', message: 'is missing (data.fields[type=INPUT_EMAIL].value is empty)' },
      ],
    });
  });

  it('leaves an absent optional field out, and forwards mapped metadata', () => {
    const body = {
      signup: { impression: 'imp_demo_1', name: { first: 'Ada', last: 'Byron' }, contact: { email: 'ada@example.edu' }, user_id: 42 },
    };
    expect(mapSignup(source('backend').mapping, body)).toEqual({
      ok: true,
      signup: { impression_id: 'imp_demo_1', first_name: 'Ada', last_name: 'Byron', email: 'ada@example.edu', metadata: { backend_user: 42 } },
    });
  });
});
