/**
 * Held signups (suspected bots, issue 10): `POST /v1/admin/signups/:id/release` queues one for
 * delivery (forwarded once, with its usual upstream key); `POST /v1/admin/signups/:id/discard`
 * deletes it. They are listed with `GET /v1/admin/signups?state=held`.
 */
import { Hono } from 'hono';
import { ApiError } from '../http/errors';
import type { HeldAction } from '../store/repos/admin';
import type { Store } from '../store/types';
import { toSignupView } from './views';

export interface HeldDeps {
  store: Pick<Store, 'transaction'>;
  now: () => number;
  /** Starts delivery of what was just released. */
  notify: () => void;
}

/** The held signup acted on, or the clear error when it is not (or no longer) held. */
function heldOr409(result: HeldAction) {
  switch (result.kind) {
    case 'done':
      return result.signup;
    case 'not_found':
      throw new ApiError(404, 'No signup with that id');
    case 'not_held':
      throw new ApiError(409, `This signup is ${result.state}, not held: only held signups can be released or discarded`);
  }
}

export function heldRoutes({ store, now, notify }: HeldDeps) {
  const app = new Hono();

  app.post('/signups/:id/release', async (c) => {
    const signup = heldOr409(await store.transaction((tx) => tx.admin.release(c.req.param('id'), now())));
    notify();
    return c.json({ signup: toSignupView(signup) });
  });

  app.post('/signups/:id/discard', async (c) => {
    const signup = heldOr409(await store.transaction((tx) => tx.admin.discard(c.req.param('id'))));
    return c.json({ discarded: signup.id });
  });

  return app;
}
