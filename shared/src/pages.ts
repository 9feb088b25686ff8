/**
 * Hosted signup pages (`/join/:slug` on the relay): the page configuration an admin PUTs,
 * validated by the relay's admin API and read by its renderer and the dashboard's editor.
 */
import { z } from 'zod';
import { checkHttpUrl, hasControlChars, URL_MAX } from './rules';

export const PAGE_LOCALES = ['en', 'es', 'fr'] as const;
export const PAGE_OPTIONAL_FIELDS = ['profile_picture'] as const;
export const PAGE_SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const ZPageSlug = z
  .string()
  .regex(PAGE_SLUG_PATTERN, 'must be 1 to 64 lowercase letters, digits or inner hyphens, like robotics-club')
  .describe('The page address: /join/{slug}');

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !hasControlChars(value.replace(/\n/g, ' ')), 'must not contain control characters');

const httpsUrl = z
  .string()
  .trim()
  .max(URL_MAX)
  .refine((value) => !checkHttpUrl(value), 'must be an http or https URL');

/** An origin allowed to frame the page (CSP frame-ancestors), e.g. https://sites.google.com. */
const ZFrameAncestor = z
  .string()
  .trim()
  .regex(/^https:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?$/i, 'must be an https origin like https://club.example.edu');

export const ZPageConfig = z.strictObject({
  title: text(120).describe('The heading and the shared link title'),
  description: text(1000).optional().describe('A paragraph under the heading (blank lines split paragraphs)'),
  club_name: text(120).optional(),
  logo_url: httpsUrl.optional().describe('An image shown above the heading'),
  accent_color: z
    .string()
    .regex(/^#[0-9a-f]{6}$/i, 'must be a colour like #1d4ed8')
    .optional()
    .describe('The button colour; its text colour is chosen for contrast'),
  locale: z.enum(PAGE_LOCALES).default('en'),
  fields: z.array(z.enum(PAGE_OPTIONAL_FIELDS)).max(PAGE_OPTIONAL_FIELDS.length).default([]),
  success_message: text(500).optional(),
  follow_up_url: httpsUrl.optional().describe('A link on the thank-you page (a chat group, a calendar)'),
  follow_up_label: text(80).optional(),
  frame_ancestors: z.array(ZFrameAncestor).max(10).default([]).describe('Origins that may embed the page in a frame'),
  attribution_days: z.number().int().min(1).max(90).default(30).describe('How long the remembered impression counts'),
});
/** What an admin sends (defaults may be left out). */
export type TPageConfigInput = z.input<typeof ZPageConfig>;
/** A stored page configuration, defaults filled in. */
export type TPageConfig = z.output<typeof ZPageConfig>;

export const ZPage = z.object({
  slug: ZPageSlug,
  config: ZPageConfig,
  created_at: z.string(),
  updated_at: z.string(),
});
export type TPage = z.infer<typeof ZPage>;
