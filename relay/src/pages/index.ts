/**
 * Hosted signup pages: configuration (admin API), the public `/join/:slug` routes, and the
 * sandbox's `/join/demo`.
 */
import type { TPage, TPageConfigInput } from '@vantio/shared';
import { ZPageConfig } from '@vantio/shared';
import type { StoredPage } from '../store/repos/pages';
import type { Store } from '../store/types';

export { pageAdminRoutes } from './admin-routes';
export { pageRoutes } from './routes';

export const DEMO_PAGE: TPageConfigInput = {
  title: 'Join the Riverside Robotics Club',
  club_name: 'Riverside Robotics Club',
  description:
    'We build small robots, race them on Fridays and take one to the regional championship each spring. No experience needed.',
  accent_color: '#1d4ed8',
  fields: ['profile_picture'],
  success_message: 'Thanks! See you at build night, Tuesdays 18:00 in Engineering Hall 101.',
};

/** Sandbox mode: `/join/demo` exists from the first start (an admin's edits are kept). */
export async function seedDemoPage(store: Store, now: number): Promise<void> {
  await store.transaction(async (tx) => {
    if (!(await tx.pages.get('demo'))) await tx.pages.put('demo', ZPageConfig.parse(DEMO_PAGE), now);
  });
}

export function toPageView(page: StoredPage): TPage {
  return {
    slug: page.slug,
    config: page.config,
    created_at: new Date(page.createdAt).toISOString(),
    updated_at: new Date(page.updatedAt).toISOString(),
  };
}
