import type { Sql } from '../sql';
import type { Repos } from '../types';
import { AdminRepo } from './admin';
import { LinkRepo } from './links';
import { MetaRepo } from './meta';
import { PageRepo } from './pages';
import { PictureRepo } from './pictures';
import { RefusedOriginRepo } from './refused-origins';
import { SignupRepo } from './signups';
import { StatsRepo } from './stats';
import { WebhookRepo } from './webhooks';

/** Every repository over one executor (a unit of work, or committed reads). */
export function createRepos(sql: Sql): Repos {
  return {
    signups: new SignupRepo(sql),
    admin: new AdminRepo(sql),
    webhooks: new WebhookRepo(sql),
    links: new LinkRepo(sql),
    meta: new MetaRepo(sql),
    stats: new StatsRepo(sql),
    pages: new PageRepo(sql),
    pictures: new PictureRepo(sql),
    refusedOrigins: new RefusedOriginRepo(sql),
    sql,
  };
}
