/**
 * Poster links: `GET /go/:slug?impression_id=imp_…` answers 302 to a form with the
 * impression prefilled (a Google Forms `entry.NNN` field), so a club needs no landing page.
 * Targets are `https://docs.google.com/forms/…` or an origin on the admin's allowlist,
 * checked when the link is saved and again on every redirect: never an open redirect.
 * Admin API: `PUT|GET|DELETE /v1/admin/links/:slug`, `GET /v1/admin/links`,
 * `GET|PUT /v1/admin/link-origins`. Storage: store/repos/links.ts (migration 060_links).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { checkImpressionId, toFieldIssues } from '@vantio/shared';
import { ApiError } from '../http/errors';
import type { Logger } from '../logger';
import type { LinkRow } from '../store/repos/links';
import type { Store } from '../store/types';

export const ZLinkSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 lower-case letters, digits or - (it becomes the /go/ path)');

/** `https://host[:port]`, exactly as `new URL(…).origin` writes it. */
export const ZLinkOrigin = z.string().superRefine((text, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    /* reported below */
  }
  if (!url || url.protocol !== 'https:' || url.origin !== text) {
    ctx.addIssue({ code: 'custom', message: 'must be an https origin such as https://tally.so (no path, no trailing /)' });
  }
});

export const ZLinkOrigins = z.strictObject({
  origins: z.array(ZLinkOrigin).max(50, 'at most 50 origins'),
});
export type TLinkOrigins = z.infer<typeof ZLinkOrigins>;

export const ZLinkInput = z.strictObject({
  target: z.string().max(2048, 'must be at most 2048 characters'),
  impression_param: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a query parameter name such as entry.1234567890'),
});
export type TLinkInput = z.infer<typeof ZLinkInput>;

export const ZLinkView = z.object({
  slug: z.string(),
  url: z.string().describe('The path to print on the poster, before ?impression_id='),
  target: z.string(),
  impression_param: z.string(),
  created_at: z.string().describe('ISO 8601'),
  updated_at: z.string().describe('ISO 8601'),
});
export const ZLinkList = z.object({ links: z.array(ZLinkView) });

const GOOGLE_FORMS = /^\/forms\/(d\/e\/[\w-]+|d\/[\w-]+)\/viewform$/;

/** Why a target may not be redirected to, or null when it may. */
export function targetProblem(link: TLinkInput, allowedOrigins: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(link.target);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') return 'must be an https:// URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hostname === 'docs.google.com' && url.port === '') {
    if (!GOOGLE_FORMS.test(url.pathname)) {
      return 'must be a Google Form link such as https://docs.google.com/forms/d/e/<id>/viewform';
    }
    if (!/^entry\.\d{1,20}$/.test(link.impression_param)) {
      return 'needs impression_param "entry.<number>" for a Google Form (from its "Get pre-filled link")';
    }
    return null;
  }
  if (allowedOrigins.includes(url.origin)) return null;
  return `must be https://docs.google.com/forms/… or an origin on the allowlist (GET /v1/admin/link-origins); ${url.origin} is not`;
}

/** The redirect target: the saved URL with the impression set (URL-encoded, so it cannot add parameters). */
export function prefillUrl(link: TLinkInput, impressionId: string): string {
  const url = new URL(link.target);
  if (url.hostname === 'docs.google.com') url.searchParams.set('usp', 'pp_url');
  url.searchParams.set(link.impression_param, impressionId);
  return url.toString();
}

const iso = (ms: number) => new Date(ms).toISOString();
const toView = (row: LinkRow): z.infer<typeof ZLinkView> => ({
  slug: row.slug,
  url: `/go/${row.slug}`,
  target: row.target,
  impression_param: row.impression_param,
  created_at: iso(row.created_at),
  updated_at: iso(row.updated_at),
});

async function readJson(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON');
  }
}

function parseSlug(slug: string): string {
  const parsed = ZLinkSlug.safeParse(slug);
  if (!parsed.success) throw new ApiError(400, `The slug ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export interface LinkDeps {
  store: Store;
  now: () => number;
  logger: Logger;
}

/** Mount at `/go` (public). */
export function linkRoutes({ store, logger }: LinkDeps) {
  const links = store.read.links;
  const app = new Hono();
  app.get('/:slug', async (c) => {
    const slug = ZLinkSlug.safeParse(c.req.param('slug'));
    const link = slug.success ? await links.get(slug.data) : undefined;
    if (!link) throw new ApiError(404, 'No poster link with that name');
    const impression = c.req.query('impression_id')?.trim() ?? '';
    if (checkImpressionId(impression) !== null) {
      throw new ApiError(400, 'The link needs ?impression_id= with 1 to 128 letters, digits or - _ . : characters, as printed on the poster');
    }
    // The allowlist may have shrunk since the link was saved.
    const problem = targetProblem(link, await links.origins());
    if (problem) {
      logger.warn({ slug: link.slug, reason: problem }, 'poster link target refused');
      throw new ApiError(404, 'This poster link is not available');
    }
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(prefillUrl(link, impression), 302);
  });
  app.all('/:slug', () => {
    throw new ApiError(405, 'Open a poster link with GET', { headers: { Allow: 'GET' } });
  });
  return app;
}

/** Mount at `/v1/admin/links` (behind adminAuth). */
export function linkAdminRoutes({ store, now, logger }: LinkDeps) {
  const links = store.read.links;
  const app = new Hono();
  app.get('/', async (c) => c.json({ links: (await links.list()).map((row) => toView(row)) }));
  app.get('/:slug', async (c) => {
    const link = await links.get(parseSlug(c.req.param('slug')));
    if (!link) throw new ApiError(404, 'No poster link with that name');
    return c.json(toView(link));
  });
  app.put('/:slug', async (c) => {
    const slug = parseSlug(c.req.param('slug'));
    const parsed = ZLinkInput.safeParse(await readJson(c));
    if (!parsed.success) throw new ApiError(400, 'The link is invalid', { issues: toFieldIssues(parsed.error) });
    const problem = targetProblem(parsed.data, await links.origins());
    if (problem) {
      const path = problem.startsWith('needs impression_param') ? 'impression_param' : 'target';
      throw new ApiError(400, `The link's ${path} ${problem}`, { issues: [{ path, message: problem }] });
    }
    const at = now();
    const created = await store.transaction((tx) => tx.links.put({ slug, ...parsed.data }, at));
    logger.info({ slug, created }, 'poster link saved');
    return c.json(toView((await links.get(slug))!), created ? 201 : 200);
  });
  app.delete('/:slug', async (c) => {
    const slug = parseSlug(c.req.param('slug'));
    if (!(await store.transaction((tx) => tx.links.delete(slug)))) throw new ApiError(404, 'No poster link with that name');
    logger.info({ slug }, 'poster link deleted');
    return c.body(null, 204);
  });
  return app;
}

/** Mount at `/v1/admin/link-origins` (behind adminAuth): the allowlist beyond Google Forms. */
export function linkOriginRoutes({ store, now, logger }: LinkDeps) {
  const links = store.read.links;
  const app = new Hono();
  app.get('/', async (c) => c.json({ origins: await links.origins() }));
  app.put('/', async (c) => {
    const parsed = ZLinkOrigins.safeParse(await readJson(c));
    if (!parsed.success) throw new ApiError(400, 'The origins are invalid', { issues: toFieldIssues(parsed.error) });
    const origins = [...new Set(parsed.data.origins)].sort();
    const at = now();
    await store.transaction((tx) => tx.links.setOrigins(origins, at));
    logger.info({ count: origins.length }, 'poster link origins saved');
    return c.json({ origins });
  });
  return app;
}
