/**
 * Query-string and body schemas of the admin API. Unknown parameters are refused (a typo
 * such as `stat=dead` must not silently list everything); every failure is a 400 with
 * field-level issues.
 */
import { z } from 'zod';
import { describeFieldIssues, normaliseEmail, SIGNUP_STATES, toFieldIssues, ZImpressionId } from '@vantio/shared';
import { ApiError } from '../http/errors';
import type { SignupFilter } from '../store/repos/admin';
import { decodeCursor } from './views';

const DAY_MS = 86_400_000;
export const MAX_WINDOW_DAYS = 366;

/** Parses with `schema` or throws a 400 listing every issue. */
export function parseOr400<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = toFieldIssues(parsed.error);
  throw new ApiError(400, describeFieldIssues(issues).replace(/^Invalid request/, `Invalid ${what}`), { issues });
}

const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime({ offset: true });

/** A UTC date (`2026-01-15`) or an ISO date-time with offset; `endOfDay` makes a bare date inclusive. */
const instant = (endOfDay: boolean) =>
  z
    .string()
    .trim()
    .refine((value) => isoDate.safeParse(value).success || isoDateTime.safeParse(value).success, {
      error: 'must be a date like 2026-01-15 or a date-time like 2026-01-15T10:30:00Z',
    })
    .transform((value) => {
      if (isoDate.safeParse(value).success) return Date.parse(`${value}T00:00:00Z`) + (endOfDay ? DAY_MS : 0);
      return Date.parse(value);
    });

/** An email as stored (lenient on purpose: erasure must never refuse a stored address). */
export const ZEmailParam = z
  .string()
  .trim()
  .min(3, 'must be an email address')
  .max(254, 'must be at most 254 characters')
  .regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address')
  .transform(normaliseEmail);

const filterFields = {
  state: z.enum(SIGNUP_STATES, { error: `must be one of ${SIGNUP_STATES.join(', ')}` }).optional(),
  source: z.string().trim().min(1).max(64).optional(),
  impression_id: ZImpressionId.optional(),
  email: ZEmailParam.optional(),
  /** Part of a name, case-insensitive ("ana", "ana li"). */
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  /** Inclusive. */
  from: instant(false).optional(),
  /** Exclusive; a bare date includes that whole day. */
  to: instant(true).optional(),
};

const checkRange = (value: { from?: number | undefined; to?: number | undefined }, ctx: z.RefinementCtx) => {
  if (value.from !== undefined && value.to !== undefined && value.from >= value.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  }
};

export function toFilter(query: {
  state?: SignupFilter['state'];
  source?: string | undefined;
  impression_id?: string | undefined;
  email?: string | undefined;
  name?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}): SignupFilter {
  return {
    state: query.state,
    source: query.source,
    impressionId: query.impression_id,
    emailNorm: query.email,
    name: query.name,
    from: query.from,
    to: query.to,
  };
}

export const ZListQuery = z
  .strictObject({
    ...filterFields,
    limit: z.coerce.number({ error: 'must be a number' }).int().min(1).max(500, 'must be at most 500').default(50),
    order: z.enum(['desc', 'asc'], { error: 'must be desc or asc' }).default('desc'),
    cursor: z
      .string()
      .max(200)
      .transform((value, ctx) => {
        const keyset = decodeCursor(value);
        if (!keyset) ctx.addIssue({ code: 'custom', message: 'is not a cursor this relay handed out' });
        return keyset;
      })
      .optional(),
  })
  .superRefine(checkRange);

export const ZExportQuery = z.strictObject(filterFields).superRefine(checkRange);

export const ZStatsQuery = z
  .strictObject({
    from: filterFields.from,
    to: filterFields.to,
    days: z.coerce.number({ error: 'must be a number' }).int().min(1).max(MAX_WINDOW_DAYS).default(30),
    top: z.coerce.number({ error: 'must be a number' }).int().min(1).max(100).default(10),
  })
  .superRefine(checkRange);

/** The stats window: whole UTC days ending today unless `from`/`to` say otherwise. */
export function statsWindow(query: z.output<typeof ZStatsQuery>, now: number): { from: number; to: number } {
  const to = query.to ?? Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  const from = query.from ?? to - query.days * DAY_MS;
  if (to - from > MAX_WINDOW_DAYS * DAY_MS) {
    throw new ApiError(400, `The stats window can span at most ${MAX_WINDOW_DAYS} days`, {
      issues: [{ path: 'from', message: `must be at most ${MAX_WINDOW_DAYS} days before to` }],
    });
  }
  if (from >= to) throw new ApiError(400, 'from must be before to', { issues: [{ path: 'to', message: 'must be after from' }] });
  return { from, to };
}

export const ZRetryBody = z.strictObject({
  /** The corrected impression (e.g. a mistyped poster code). */
  impression_id: ZImpressionId.optional(),
});

export const ZReplayBody = z.strictObject({
  states: z
    .array(z.enum(['dead', 'rejected'], { error: 'only dead and rejected signups can be replayed' }))
    .min(1)
    .default(['dead'])
    .transform((states) => [...new Set(states)]),
  /** Only signups on this impression (e.g. the wrong poster code). */
  impression_id: ZImpressionId.optional(),
  source: z.string().trim().min(1).max(64).optional(),
  from: filterFields.from,
  to: filterFields.to,
  /** Only these signups. */
  ids: z.array(z.string().regex(/^sgn_[0-9A-Z]{26}$/, 'must be a signup id')).min(1).max(10_000).optional(),
  /** Move the signups to this impression before sending them again. */
  corrected_impression_id: ZImpressionId.optional(),
  /** Report what would happen and change nothing. */
  dry_run: z.boolean().default(false),
});
