/**
 * Hosted signup pages: configuration (admin API), the public `/join/:slug` routes, and the
 * sandbox's `/join/demo`.
 */
import type { TPageConfigInput } from '@vantio/shared';
import { ZPageConfig } from '@vantio/shared';
import type { PageStore } from './page-store';

export { PageStore } from './page-store';
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
export async function seedDemoPage(pages: PageStore, now: number): Promise<void> {
  if (!pages.get('demo')) await pages.put('demo', ZPageConfig.parse(DEMO_PAGE), now);
}
