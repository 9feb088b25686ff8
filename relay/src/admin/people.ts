/**
 * `DELETE /v1/admin/people/:email`: erases one person — every signup of theirs (attempts
 * and outbox rows cascade) and the raw webhook payloads that carried them — and says what
 * went. The email is a route parameter; the request log records the route pattern only.
 */
import { Hono } from 'hono';
import type { Store } from '../store/types';
import { parseOr400, ZEmailParam } from './query';

/** Deletes stored webhook payloads of one normalised email; returns how many. */
export type ErasePayloads = (emailNorm: string) => number | Promise<number>;

export interface PeopleDeps {
  store: Pick<Store, 'transaction'>;
  erasePayloads?: ErasePayloads | undefined;
}

export function peopleRoutes({ store, erasePayloads }: PeopleDeps) {
  const app = new Hono();
  app.delete('/people/:email', async (c) => {
    const emailNorm = parseOr400(ZEmailParam, c.req.param('email'), 'email');
    const erased = await store.transaction((tx) => tx.admin.erasePerson(emailNorm));
    const webhookPayloads = erasePayloads ? await erasePayloads(emailNorm) : null;
    return c.json({
      signups: erased.signups,
      attempts: erased.attempts,
      outbox: erased.outbox,
      // null: this relay has no webhook payload store wired in.
      webhook_payloads: webhookPayloads,
      signup_ids: erased.signup_ids,
    });
  });
  return app;
}
