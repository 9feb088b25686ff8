/**
 * Turns a verified sender payload into a create-referral body, validated by the same
 * strict schema as widget signups. A failure lists every field that is missing or
 * invalid, with the path it was read from, so an admin can fix the mapping.
 */
import { toFieldIssues, ZCreateReferralRequest, type TCreateReferralRequest, type TFieldIssue } from '@vantio/shared';
import type { FieldPath } from './path';

export const SIGNUP_FIELDS = ['impression_id', 'first_name', 'last_name', 'email', 'profile_picture'] as const;
export type SignupField = (typeof SIGNUP_FIELDS)[number];
export const REQUIRED_FIELDS: readonly SignupField[] = ['impression_id', 'first_name', 'last_name', 'email'];

export interface SignupMapping {
  fields: Partial<Record<SignupField, FieldPath>>;
  /** Extra values forwarded as `metadata`: key → path. Missing values are left out. */
  metadata: Record<string, FieldPath>;
}

/** Which events a source turns into signups; any other verified event is acknowledged and ignored. */
export interface EventFilter {
  path: FieldPath;
  accept: ReadonlySet<string>;
}

export type MapResult = { ok: true; signup: TCreateReferralRequest } | { ok: false; issues: TFieldIssue[] };

/** The payload's event type, when the source has an event filter. */
export function eventType(filter: EventFilter, body: unknown): string | undefined {
  const lookup = filter.path.get(body);
  return lookup.found && typeof lookup.value === 'string' ? lookup.value : undefined;
}

export function acceptsEvent(filter: EventFilter | undefined, body: unknown): boolean {
  if (!filter) return true;
  const type = eventType(filter, body);
  return type !== undefined && filter.accept.has(type);
}

export function mapSignup(mapping: SignupMapping, body: unknown): MapResult {
  const issues: TFieldIssue[] = [];
  const candidate: Record<string, unknown> = {};
  for (const field of SIGNUP_FIELDS) {
    const path = mapping.fields[field];
    if (!path) continue;
    const lookup = path.get(body);
    const value = lookup.found ? lookup.value : undefined;
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      if (REQUIRED_FIELDS.includes(field)) {
        const where = !lookup.found ? `nothing at ${lookup.missingAt}` : `${path.text} is ${value === null ? 'null' : 'empty'}`;
        issues.push({ path: field, message: `is missing (${where})` });
      }
      continue;
    }
    if (typeof value === 'number' && Number.isFinite(value)) candidate[field] = String(value);
    else if (typeof value === 'string') candidate[field] = value;
    else issues.push({ path: field, message: `must be text, found ${describe(value)} at ${path.text}` });
  }

  const metadata: Record<string, unknown> = {};
  for (const [key, path] of Object.entries(mapping.metadata)) {
    const lookup = path.get(body);
    if (lookup.found && lookup.value !== null) metadata[key] = lookup.value;
  }
  if (Object.keys(metadata).length > 0) candidate.metadata = metadata;

  const parsed = ZCreateReferralRequest.safeParse(candidate);
  if (parsed.success && issues.length === 0) return { ok: true, signup: parsed.data };
  // Every problem at once; fields already reported as missing or mistyped are not repeated.
  const reported = new Set(issues.map((issue) => issue.path));
  for (const issue of parsed.success ? [] : toFieldIssues(parsed.error)) {
    const field = issue.path.split('.')[0] as SignupField;
    if (reported.has(field)) continue;
    const source = mapping.fields[field]?.text;
    issues.push(source ? { ...issue, message: `${issue.message} (from ${source})` } : issue);
  }
  return { ok: false, issues };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
