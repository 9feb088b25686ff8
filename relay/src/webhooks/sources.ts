/**
 * Webhook sources: the `RELAY_SOURCES_FILE` JSON, validated by zod at start with one
 * clear line per bad entry, then compiled (paths parsed, secrets decoded, presets merged)
 * into what the routes use. `compileSources` takes the parsed object, so tests and
 * embedders can pass sources without a file; `loadSourcesFile` is a thin layer over it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config';
import { REQUIRED_FIELDS, SIGNUP_FIELDS, type EventFilter, type SignupMapping } from './mapping';
import { compilePath, PathSyntaxError, type FieldPath } from './path';
import { BODY_FORMATS, type BodyFormat, type BodyShape } from './body';
import { PRESET_NAMES, PRESETS, type Preset } from './presets';
import {
  createVerifier,
  DEFAULT_TOLERANCE_S,
  TALLY_HMAC,
  TYPEFORM_HMAC,
  VERIFIERS,
  type Verifier,
  type VerifierName,
} from './verifiers';

/** `signups.source` also holds these for non-webhook signups; a source may not reuse them. */
const RESERVED_NAMES = new Set(['widget', 'api']);
/** The scheme's own delivery id, for schemes that carry it in the body. */
const BODY_DELIVERY_ID: Partial<Record<VerifierName, string>> = { typeform: 'event_id', tally: 'eventId' };
const MIN_HMAC_SECRET = 16;
const MAX_SECRETS = 10;

/**
 * Standard Webhooks secrets as senders write them: `whsec_…`, Supabase's `v1,whsec_…`, and
 * several of those joined by `|` (Supabase's rotation form). Each piece keeps its index.
 */
function expandWhsecList(secrets: readonly string[]) {
  return secrets.flatMap((entry, index) =>
    entry.split('|').map((piece) => ({ secret: piece.trim().replace(/^v1,/, ''), index })),
  );
}

const ZPath = z
  .string({ error: 'must be a path such as "data.email"' })
  .trim()
  .min(1, 'must be a path such as "data.email"')
  .superRefine((text, ctx) => {
    try {
      compilePath(text);
    } catch (error) {
      if (!(error instanceof PathSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', message: `is not a valid path: ${error.message}` });
    }
  });

const ZMap = z.strictObject({
  ...Object.fromEntries(SIGNUP_FIELDS.map((field) => [field, ZPath.optional()])),
  // A `__proto__` key would vanish silently (zod's record drops it, and so would the
  // metadata object built from it): refuse it on the raw input instead.
  metadata: z
    .unknown()
    .superRefine((value, ctx) => {
      if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) {
        ctx.addIssue({ code: 'custom', message: 'metadata keys are 1-64 letters, digits, _ . - (not __proto__)' });
      }
    })
    .pipe(z.record(z.string().regex(/^[\w.-]{1,64}$/, 'metadata keys are 1-64 letters, digits, _ . -'), ZPath))
    .optional(),
}) as z.ZodType<Partial<Record<(typeof SIGNUP_FIELDS)[number], string>> & { metadata?: Record<string, string> }>;

const ZSource = z
  .strictObject({
    preset: z.enum(PRESET_NAMES, { error: `must be one of ${PRESET_NAMES.join(', ')}` }).optional(),
    verifier: z.enum(VERIFIERS, { error: `must be one of ${VERIFIERS.join(', ')}` }).optional(),
    secrets: z
      .array(z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty'), {
        error: 'must be a list of secrets, e.g. ["whsec_…"]',
      })
      .min(1, 'needs at least one secret')
      .max(MAX_SECRETS, `at most ${MAX_SECRETS} secrets (rotation needs two)`),
    tolerance_s: z.number().int('must be a whole number').min(1, 'must be at least 1').max(86_400, 'must be at most 86400').optional(),
    header: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
      .optional(),
    prefix: z.string().max(64).optional(),
    encoding: z.enum(['hex', 'base64'], { error: 'must be hex or base64' }).optional(),
    query: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a query parameter name (letters, digits, _ . -)')
      .optional(),
    formats: z
      .array(z.enum(BODY_FORMATS, { error: `must be one of ${BODY_FORMATS.join(', ')}` }))
      .min(1, 'needs at least one body format')
      .optional(),
    url_check: z.boolean({ error: 'must be true or false' }).optional(),
    delivery_id: ZPath.optional(),
    events: z.strictObject({ path: ZPath, accept: z.array(z.string().min(1)).min(1, 'needs at least one event type') }).optional(),
    map: ZMap.optional(),
  })
  .superRefine((source, ctx) => {
    const verifier = source.verifier ?? (source.preset ? PRESETS[source.preset].verifier : undefined);
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (!verifier) {
      problem(['verifier'], `is required (one of ${VERIFIERS.join(', ')}) unless a preset is given`);
      return;
    }
    const hmac = verifier === 'hmac-sha256';
    const shared = verifier === 'shared-secret';
    const presetQuery = source.preset && source.verifier === undefined ? presetOf(source.preset).query : undefined;
    const query = source.header === undefined ? (source.query ?? presetQuery) : source.query;
    const timestamped = verifier === 'standard-webhooks' || verifier === 'svix';
    if (hmac && !source.header) problem(['header'], 'is required for the hmac-sha256 verifier');
    for (const key of ['header', 'prefix'] as const) {
      if (!hmac && !shared && source[key] !== undefined) {
        problem([key], `only applies to the hmac-sha256 and shared-secret verifiers, not ${verifier}`);
      }
    }
    if (!hmac && source.encoding !== undefined) problem(['encoding'], `only applies to the hmac-sha256 verifier, not ${verifier}`);
    if (shared && (source.header === undefined) === (query === undefined)) {
      problem(['query'], 'the shared-secret verifier needs exactly one of "header" or "query" (where the sender puts the token)');
    }
    if (!shared && source.query !== undefined) problem(['query'], `only applies to the shared-secret verifier, not ${verifier}`);
    if (!shared && source.url_check) problem(['url_check'], `only applies to the shared-secret verifier (a GET carries no ${verifier} signature)`);
    if (shared && source.prefix !== undefined && source.header === undefined) problem(['prefix'], 'only applies with "header"');
    if (!timestamped && verifier !== 'webflow' && source.tolerance_s !== undefined) {
      problem(['tolerance_s'], `only applies to standard-webhooks, svix and webflow (${verifier} signatures carry no timestamp)`);
    }
    const keys = timestamped ? expandWhsecList(source.secrets) : source.secrets.map((secret, index) => ({ secret, index }));
    if (keys.length > MAX_SECRETS) problem(['secrets'], `at most ${MAX_SECRETS} secrets in all (rotation needs two)`);
    for (const { secret, index } of keys) {
      if (timestamped) {
        const bytes = decodeWhsec(secret);
        if (!bytes) problem(['secrets', index], 'must be whsec_ followed by base64 (or v1,whsec_…), as the sender shows it');
        else if (bytes.length < 24 || bytes.length > 64) problem(['secrets', index], 'must decode to 24-64 bytes');
      } else if (secret.length < MIN_HMAC_SECRET) {
        problem(['secrets', index], `must be at least ${MIN_HMAC_SECRET} characters (use a long random secret)`);
      }
    }
    const merged = { ...(source.preset ? PRESETS[source.preset].map : {}), ...source.map };
    for (const field of REQUIRED_FIELDS) {
      if (!merged[field]) problem(['map', field], source.preset ? 'is required' : 'is required (or use a preset)');
    }
  });

const ZSourceName = z.string().superRefine((name, ctx) => {
  if (RESERVED_NAMES.has(name)) {
    ctx.addIssue({ code: 'custom', message: `"${name}" is reserved for signups that do not come from webhooks` });
  } else if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name)) {
    ctx.addIssue({ code: 'custom', message: 'source names are 1-63 lower-case letters, digits, _ or - (they become URL paths)' });
  }
});

const ZSourcesFile = z.strictObject({
  sources: z.record(ZSourceName, ZSource, { error: 'must be an object of named sources' }),
});

/** One line per problem; a bad source name's own message instead of zod's "Invalid key in record". */
function describeIssue(issue: z.core.$ZodIssue): string {
  const message = issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message).join('; ') : issue.message;
  return `${issue.path.join('.') || 'file'}: ${message}`;
}

export type SourcesFile = z.input<typeof ZSourcesFile>;

export interface WebhookSource {
  name: string;
  verifier: VerifierName;
  verify: Verifier;
  /** Where the delivery id is read from the body (config or the scheme's own), if not from headers. */
  deliveryIdPath?: FieldPath;
  events?: EventFilter;
  mapping: SignupMapping;
  /** Content types this source accepts (JSON unless the preset or config says otherwise). */
  formats: ReadonlySet<BodyFormat>;
  /** How a parsed form body is reshaped before mapping (Jotform's `rawRequest`). */
  shape?: BodyShape;
  /** Answer a `GET` with 200 after the token check (Mailchimp validates a URL that way). */
  urlCheck: boolean;
  /**
   * The sender waits for our answer before it goes on (a Supabase auth hook blocks the
   * signup on anything but 200/204): accepted and unmappable are answered 200.
   */
  blocking: boolean;
}

export type WebhookSources = ReadonlyMap<string, WebhookSource>;

/** `whsec_<base64>` (the prefix is optional, as in the Standard Webhooks libraries) → key bytes. */
function decodeWhsec(secret: string): Buffer | undefined {
  const base64 = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return undefined;
  return Buffer.from(base64, 'base64');
}

const presetOf = (name: keyof typeof PRESETS): Preset => PRESETS[name];

/** Validates and compiles sources; throws a ConfigError with one line per bad entry. */
export function compileSources(input: unknown): WebhookSources {
  const parsed = ZSourcesFile.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map(describeIssue));
  }
  const sources = new Map<string, WebhookSource>();
  for (const [name, source] of Object.entries(parsed.data.sources)) {
    const preset: Preset | undefined = source.preset ? presetOf(source.preset) : undefined;
    const verifier = (source.verifier ?? preset?.verifier)!;
    const merged: Record<string, string | undefined> = { ...preset?.map, ...source.map, metadata: undefined };
    const deliveryId = source.delivery_id ?? preset?.deliveryId ?? BODY_DELIVERY_ID[verifier];
    const events = source.events ?? preset?.events;
    sources.set(name, {
      name,
      verifier,
      verify: createVerifier(verifierConfig(verifier, source)),
      ...(deliveryId ? { deliveryIdPath: compilePath(deliveryId) } : {}),
      ...(events ? { events: { path: compilePath(events.path), accept: new Set(events.accept) } } : {}),
      formats: new Set(source.formats ?? preset?.formats ?? ['json']),
      ...(preset?.shape ? { shape: preset.shape } : {}),
      urlCheck: source.url_check ?? preset?.urlCheck ?? false,
      blocking: preset?.blocking ?? false,
      mapping: {
        fields: Object.fromEntries(
          SIGNUP_FIELDS.filter((field) => merged[field]).map((field) => [field, compilePath(merged[field]!)]),
        ),
        metadata: Object.fromEntries(Object.entries(source.map?.metadata ?? {}).map(([key, path]) => [key, compilePath(path)])),
      },
    });
  }
  return sources;
}

function verifierConfig(verifier: VerifierName, source: z.output<typeof ZSource>) {
  const secrets = source.secrets.map((secret) => Buffer.from(secret, 'utf8'));
  switch (verifier) {
    case 'standard-webhooks':
    case 'svix':
      return {
        scheme: verifier,
        keys: expandWhsecList(source.secrets).map(({ secret }) => decodeWhsec(secret)!),
        toleranceS: source.tolerance_s ?? DEFAULT_TOLERANCE_S,
      } as const;
    case 'typeform':
      return { scheme: 'hmac', secrets, ...TYPEFORM_HMAC } as const;
    case 'tally':
      return { scheme: 'hmac', secrets, ...TALLY_HMAC } as const;
    case 'hmac-sha256':
      return {
        scheme: 'hmac',
        secrets,
        header: source.header!.toLowerCase(),
        prefix: source.prefix ?? '',
        encoding: source.encoding ?? 'hex',
      } as const;
    case 'webflow':
      return { scheme: 'webflow', secrets, toleranceS: source.tolerance_s ?? DEFAULT_TOLERANCE_S } as const;
    case 'shared-secret':
      return {
        scheme: 'shared-secret',
        secrets,
        where: source.header
          ? { header: source.header.toLowerCase(), prefix: source.prefix ?? '' }
          : { query: (source.query ?? (source.preset ? presetOf(source.preset).query : undefined))! },
      } as const;
  }
}

/** Reads `RELAY_SOURCES_FILE`; every problem is a ConfigError line naming the file. */
export function loadSourcesFile(path: string): WebhookSources {
  const where = `RELAY_SOURCES_FILE (${path})`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${where}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${where}: is not valid JSON (${(error as Error).message})`]);
  }
  try {
    return compileSources(json);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.problems.map((problem) => `${where}: ${problem}`));
    throw error;
  }
}

/** A short, secret-free description of the loaded sources for the start-up log. */
export function describeSources(sources: WebhookSources) {
  return [...sources.values()].map((source) => ({
    name: source.name,
    verifier: source.verifier,
    events: source.events ? [...source.events.accept] : 'all',
  }));
}

/** A delivery id for schemes without one: the body's digest, so an identical re-send is a replay. */
export function bodyDigestId(body: Uint8Array): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
