/**
 * `/v1/admin/pages`: the hosted pages' configuration (behind the admin token, mounted by the
 * app after `adminAuth`). `PUT /pages/:slug` creates or replaces a page (201 new, 200
 * replaced); bad input is a 400 with field issues and stores nothing.
 */
import { Hono } from 'hono';
import { ZPageConfig, ZPageSlug } from '@vantio/shared';
import { parseOr400 } from '../admin/query';
import { ApiError } from '../http/errors';
import { jsonBody, type JsonBodyVariables } from '../http/json-body';
import type { Store } from '../store/types';
import { toPageView } from './index';

const PAGE_BODY_LIMIT = 16 * 1024;

export function pageAdminRoutes({ store, now }: { store: Store; now: () => number }) {
  const app = new Hono<{ Variables: JsonBodyVariables }>();
  const slugOf = (raw: string) => parseOr400(ZPageSlug, raw, 'slug');

  app.get('/v1/admin/pages', async (c) => c.json({ pages: (await store.read.pages.list()).map(toPageView) }));

  app.get('/v1/admin/pages/:slug', async (c) => {
    const page = await store.read.pages.get(slugOf(c.req.param('slug')));
    if (!page) throw new ApiError(404, 'No page with this slug');
    return c.json(toPageView(page));
  });

  app.put('/v1/admin/pages/:slug', jsonBody(PAGE_BODY_LIMIT), async (c) => {
    const slug = slugOf(c.req.param('slug'));
    const config = parseOr400(ZPageConfig, c.get('jsonBody'), 'page');
    const { page, created } = await store.transaction((tx) => tx.pages.put(slug, config, now()));
    return c.json(toPageView(page), created ? 201 : 200);
  });

  app.delete('/v1/admin/pages/:slug', async (c) => {
    const slug = slugOf(c.req.param('slug'));
    if (!(await store.transaction((tx) => tx.pages.delete(slug)))) throw new ApiError(404, 'No page with this slug');
    return c.json({ deleted: slug });
  });

  return new Hono().route('/', app);
}
