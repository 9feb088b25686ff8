import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config';
import { compileSources, describeSources, loadSourcesFile } from './sources';
import { CLERK_SECRET, TEST_SOURCES } from './test-helpers';

const dir = mkdtempSync(join(tmpdir(), 'vantio-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problems(input: unknown): string[] {
  try {
    compileSources(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('compileSources', () => {
  it('compiles the documented shape, presets and custom sources alike', () => {
    const sources = compileSources(TEST_SOURCES);
    expect(describeSources(sources)).toEqual([
      { name: 'clerk', verifier: 'svix', events: ['user.created'] },
      { name: 'typeform', verifier: 'typeform', events: ['form_response'] },
      { name: 'tally', verifier: 'tally', events: ['FORM_RESPONSE'] },
      { name: 'backend', verifier: 'standard-webhooks', events: 'all' },
      { name: 'custom', verifier: 'hmac-sha256', events: 'all' },
    ]);
    expect(sources.get('typeform')!.deliveryIdPath?.text).toBe('event_id');
    expect(sources.get('tally')!.deliveryIdPath?.text).toBe('eventId');
    expect(sources.get('custom')!.deliveryIdPath?.text).toBe('id');
    expect(sources.get('clerk')!.deliveryIdPath).toBeUndefined(); // svix-id header
  });

  it('accepts the issue\'s example verbatim (explicit verifier and full map, no preset)', () => {
    const sources = compileSources({
      sources: {
        clerk: {
          verifier: 'svix',
          secrets: [CLERK_SECRET],
          tolerance_s: 300,
          map: {
            impression_id: 'data.unsafe_metadata.impression_id',
            first_name: 'data.first_name',
            last_name: 'data.last_name',
            email: 'data.email_addresses[0].email_address',
            profile_picture: 'data.image_url',
          },
        },
      },
    });
    expect(sources.get('clerk')!.events).toBeUndefined();
  });

  it('reports one clear line per bad entry, all at once', () => {
    expect(
      problems({
        sources: {
          clerk: { preset: 'clerk', secrets: ['whsec_c2hvcnQ=', 'not base64!'], tolerance_s: 0 },
          forms: { verifier: 'tally', secrets: ['tooshort'], tolerance_s: 60, header: 'X-Sig', map: { email: 'data.fields[' } },
          custom: { verifier: 'hmac-sha256', secrets: ['a-long-enough-secret-123'], encoding: 'hex32', map: { impression_id: 'a' } },
          bad: { verifier: 'md5', secrets: [] },
          nothing: { secrets: ['a-long-enough-secret-123'], secret: 'typo' },
          widget: { preset: 'tally', secrets: ['a-long-enough-secret-123'] },
          'Bad Name': { preset: 'tally', secrets: ['a-long-enough-secret-123'] },
        },
      }),
    ).toEqual([
      'sources.clerk.tolerance_s: must be at least 1',
      'sources.clerk.secrets.0: must decode to 24-64 bytes',
      'sources.clerk.secrets.1: must be whsec_ followed by base64 (or v1,whsec_…), as the sender shows it',
      'sources.forms.map.email: is not a valid path: unclosed "[" at character 13 of "data.fields["',
      'sources.forms.header: only applies to the hmac-sha256 and shared-secret verifiers, not tally',
      'sources.forms.tolerance_s: only applies to standard-webhooks, svix and webflow (tally signatures carry no timestamp)',
      'sources.forms.secrets.0: must be at least 16 characters (use a long random secret)',
      'sources.forms.map.impression_id: is required (or use a preset)',
      'sources.forms.map.first_name: is required (or use a preset)',
      'sources.forms.map.last_name: is required (or use a preset)',
      'sources.custom.encoding: must be hex or base64',
      'sources.bad.verifier: must be one of standard-webhooks, svix, typeform, tally, hmac-sha256, webflow, shared-secret',
      'sources.bad.secrets: needs at least one secret',
      'sources.nothing: Unrecognized key: "secret"',
      'sources.nothing.verifier: is required (one of standard-webhooks, svix, typeform, tally, hmac-sha256, webflow, shared-secret) unless a preset is given',
      'sources.widget: "widget" is reserved for signups that do not come from webhooks',
      'sources.Bad Name: source names are 1-63 lower-case letters, digits, _ or - (they become URL paths)',
    ]);
  });

  it('requires a verifier without a preset, and a header for hmac-sha256', () => {
    expect(problems({ sources: { a: { secrets: ['a-long-enough-secret-123'], map: {} } } })).toEqual([
      'sources.a.verifier: is required (one of standard-webhooks, svix, typeform, tally, hmac-sha256, webflow, shared-secret) unless a preset is given',
    ]);
    expect(problems({ sources: { a: { verifier: 'hmac-sha256', secrets: ['a-long-enough-secret-123'], map: { impression_id: 'i', first_name: 'f', last_name: 'l', email: 'e' } } } })).toEqual([
      'sources.a.header: is required for the hmac-sha256 verifier',
    ]);
    expect(problems({ webhooks: {} })).toEqual(['sources: must be an object of named sources', 'file: Unrecognized key: "webhooks"']);
  });

  it('refuses a metadata key named __proto__ (it would vanish from the forwarded metadata)', () => {
    const map = { impression_id: 'i', first_name: 'f', last_name: 'l', email: 'e' };
    const source = (metadata: object) => ({ sources: { a: { verifier: 'tally', secrets: ['a-long-enough-secret-123'], map: { ...map, metadata } } } });
    expect(problems(source(JSON.parse('{"__proto__": "x"}')))).toEqual([
      expect.stringContaining('not __proto__'),
    ]);
    expect(problems(source({ __proto_x: 'x', campaign: 'utm.campaign' }))).toEqual([]);
  });

  it('validates the new verifiers and body settings, one line each', () => {
    const map = { impression_id: 'i', first_name: 'f', last_name: 'l', email: 'e' };
    expect(
      problems({
        sources: {
          both: { verifier: 'shared-secret', header: 'X-Token', query: 'token', secrets: ['a-long-enough-token-1'], map },
          neither: { verifier: 'shared-secret', secrets: ['a-long-enough-token-1'], map },
          short: { preset: 'mailchimp', secrets: ['short'] },
          formats: { preset: 'jotform', secrets: ['a-long-enough-token-1'], formats: ['xml'] },
          pipes: { preset: 'supabase', secrets: ['v1,whsec_c3VwYWJhc2Utb2xkLWhvb2stc2VjcmV0LTEyMzQ1Njc4|v1,whsec_!!'] },
          query: { preset: 'webflow', secrets: ['webflow-client-secret-1'], query: 'token', encoding: 'hex', url_check: true },
        },
      }),
    ).toEqual([
      'sources.both.query: the shared-secret verifier needs exactly one of "header" or "query" (where the sender puts the token)',
      'sources.neither.query: the shared-secret verifier needs exactly one of "header" or "query" (where the sender puts the token)',
      'sources.short.secrets.0: must be at least 16 characters (use a long random secret)',
      'sources.formats.formats.0: must be one of json, form, multipart',
      'sources.pipes.secrets.0: must be whsec_ followed by base64 (or v1,whsec_…), as the sender shows it',
      'sources.query.encoding: only applies to the hmac-sha256 verifier, not webflow',
      'sources.query.query: only applies to the shared-secret verifier, not webflow',
      'sources.query.url_check: only applies to the shared-secret verifier (a GET carries no webflow signature)',
    ]);
    // A preset's own token location counts; a header given instead replaces it.
    const compiled = compileSources({
      sources: {
        mc: { preset: 'mailchimp', secrets: ['a-long-enough-token-1'] },
        'mc-header': { preset: 'mailchimp', header: 'X-Token', secrets: ['a-long-enough-token-1'] },
      },
    });
    expect(compiled.get('mc')).toMatchObject({ verifier: 'shared-secret', urlCheck: true, formats: new Set(['form']) });
    expect(compiled.get('mc-header')!.verify({ header: (n) => (n === 'x-token' ? 'a-long-enough-token-1' : undefined), query: () => undefined, body: new Uint8Array(), now: 0 }).ok).toBe(true);
  });

});

describe('loadSourcesFile', () => {
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('loads a valid file', () => {
    expect(loadSourcesFile(write('ok.json', JSON.stringify(TEST_SOURCES))).size).toBe(5);
  });

  it('names the file in every problem', () => {
    const missing = join(dir, 'missing.json');
    expect(() => loadSourcesFile(missing)).toThrow(`RELAY_SOURCES_FILE (${missing}): cannot be read (ENOENT)`);
    const broken = write('broken.json', '{ "sources": { ');
    expect(() => loadSourcesFile(broken)).toThrow(`RELAY_SOURCES_FILE (${broken}): is not valid JSON`);
    const bad = write('bad.json', JSON.stringify({ sources: { t: { preset: 'typeform', secrets: ['short'] } } }));
    expect(() => loadSourcesFile(bad)).toThrow(
      `RELAY_SOURCES_FILE (${bad}): sources.t.secrets.0: must be at least 16 characters (use a long random secret)`,
    );
  });

  it('stops the relay at start with exit code 2 and the problems on stderr', () => {
    const bad = write('start.json', JSON.stringify({ sources: { clerk: { preset: 'clerk', secrets: ['nope!'] }, x: { verifier: 'svix' } } }));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'relay/src/main.ts'], {
      cwd: new URL('../../../', import.meta.url).pathname,
      env: { PATH: process.env.PATH, RELAY_SOURCES_FILE: bad, RELAY_DB: join(dir, 'never.sqlite'), RELAY_PORT: '0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Invalid relay configuration:');
    expect(result.stderr).toContain(`RELAY_SOURCES_FILE (${bad}): sources.clerk.secrets.0: must be whsec_ followed by base64`);
    expect(result.stderr).toContain(`RELAY_SOURCES_FILE (${bad}): sources.x.secrets:`);
    expect(result.stdout).not.toContain('listening');
  });
});
