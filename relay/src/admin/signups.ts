/**
 * Admin signups: list (filters + keyset cursor), show (with attempt history), retry one
 * and replay many — optionally onto a corrected impression, which changes the upstream
 * key; a clash with the person's existing signup there is reported, never duplicated.
 */
import { Hono } from 'hono';
import type { TSignupState } from '@vantio/shared';
import { ApiError } from '../http/errors';
import { upstreamKeyFor } from '../ingest';
import type { Keyset, RequeueResult } from '../store/repos/admin';
import type { Store } from '../store/types';
import { optionalJsonBody, type OptionalJsonVariables } from './body';
import { parseOr400, toFilter, ZListQuery, ZReplayBody, ZRetryBody } from './query';
import { encodeCursor, toSignupView, type SignupView } from './views';

export interface SignupAdminDeps {
  store: Pick<Store, 'read' | 'transaction'>;
  now: () => number;
  /** Starts delivery of what was just requeued. */
  notify: () => void;
}

export interface ReplayReport {
  dry_run: boolean;
  /** Signups that matched the request. */
  matched: number;
  requeued: number;
  /** Of those requeued, how many moved to `corrected_impression_id`. */
  impression_changed: number;
  conflicts: Array<{ id: string; existing_id: string; existing_state: TSignupState }>;
  skipped: Array<{ id: string; reason: 'not_found' | 'delivered' | 'erased' | 'queued' | 'state' }>;
}

const REPLAY_PAGE = 500;

export function signupAdminRoutes({ store, now, notify }: SignupAdminDeps) {
  const app = new Hono<{ Variables: OptionalJsonVariables }>();

  app.get('/signups', async (c) => {
    const query = parseOr400(ZListQuery, c.req.query(), 'query');
    const rows = await store.read.admin.listSignups(toFilter(query), { limit: query.limit + 1, order: query.order, after: query.cursor });
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const nextCursor = rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null;
    return c.json({ items: items.map((row) => toSignupView(row)), next_cursor: nextCursor });
  });

  app.get('/signups/:id', async (c) => {
    const signup = await store.read.signups.get(c.req.param('id'));
    if (!signup) throw new ApiError(404, 'No signup with that id');
    return c.json(toSignupView(signup, await store.read.signups.attempts(signup.id)));
  });

  app.post('/signups/:id/retry', optionalJsonBody(4096), async (c) => {
    const body = parseOr400(ZRetryBody, c.get('jsonBody') ?? {}, 'body');
    const [result] = await requeueSignups(store, [c.req.param('id')], { impressionId: body.impression_id, now: now() });
    const signup = retryAnswer(result!, body.impression_id);
    notify();
    return c.json({ signup, impression_changed: result?.kind === 'requeued' && result.impressionChanged });
  });

  app.post('/replay', optionalJsonBody(512 * 1024), async (c) => {
    const body = parseOr400(ZReplayBody, c.get('jsonBody') ?? {}, 'body');
    const report: ReplayReport = { dry_run: body.dry_run, matched: 0, requeued: 0, impression_changed: 0, conflicts: [], skipped: [] };
    const options = { impressionId: body.corrected_impression_id, now: now(), dryRun: body.dry_run };
    const tally = (ids: string[], results: RequeueResult[]) =>
      results.forEach((result, index) => addToReport(report, ids[index]!, result));

    if (body.ids) {
      const wanted: string[] = [];
      for (const id of new Set(body.ids)) {
        const state = (await store.read.signups.get(id))?.state;
        report.matched += 1;
        if (state === undefined) report.skipped.push({ id, reason: 'not_found' });
        else if (!(body.states as TSignupState[]).includes(state)) report.skipped.push({ id, reason: 'state' });
        else wanted.push(id);
      }
      for (let i = 0; i < wanted.length; i += REPLAY_PAGE) {
        const ids = wanted.slice(i, i + REPLAY_PAGE);
        tally(ids, await requeueSignups(store, ids, options));
      }
    } else {
      const filter = toFilter({ impression_id: body.impression_id, source: body.source, from: body.from, to: body.to });
      let after: Keyset | undefined;
      for (;;) {
        const page = await store.read.admin.listIdsInStates(body.states, filter, after, REPLAY_PAGE);
        if (page.length === 0) break;
        const ids = page.map((row) => row.id);
        report.matched += ids.length;
        tally(ids, await requeueSignups(store, ids, options));
        after = page.at(-1);
      }
    }
    if (report.requeued > 0) notify();
    return c.json(report);
  });

  return app;
}

/** Thrown inside the unit of work to undo a dry run after computing its results. */
class DryRunRollback extends Error {}

/**
 * Puts signups back in the queue, due now, optionally on a corrected impression (which
 * changes the upstream key), in one unit of work; with `dryRun` the same checks run and
 * everything is rolled back.
 */
export async function requeueSignups(
  store: Pick<Store, 'transaction'>,
  ids: string[],
  options: { impressionId?: string | undefined; now: number; dryRun?: boolean },
): Promise<RequeueResult[]> {
  const { impressionId } = options;
  const correction =
    impressionId === undefined ? undefined : { impressionId, upstreamKey: (email: string) => upstreamKeyFor(impressionId, email) };
  let results: RequeueResult[] = [];
  try {
    await store.transaction(async (tx) => {
      results = [];
      for (const id of ids) results.push(await tx.admin.requeue(id, correction, options.now));
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return results;
}

function addToReport(report: ReplayReport, id: string, result: RequeueResult): void {
  switch (result.kind) {
    case 'requeued':
      report.requeued += 1;
      if (result.impressionChanged) report.impression_changed += 1;
      return;
    case 'conflict':
      report.conflicts.push({ id, existing_id: result.existingId, existing_state: result.existingState });
      return;
    case 'held':
      report.skipped.push({ id, reason: 'state' });
      return;
    default:
      report.skipped.push({ id, reason: result.kind });
  }
}

/** The signup view for a successful retry, or the clear error for each refusal. */
function retryAnswer(result: RequeueResult, impressionId: string | undefined): SignupView {
  switch (result.kind) {
    case 'requeued':
      return toSignupView(result.signup);
    case 'not_found':
      throw new ApiError(404, 'No signup with that id');
    case 'delivered':
      throw new ApiError(409, 'This signup was already delivered to Vantio; a delivered signup is never sent again');
    case 'erased':
      throw new ApiError(409, "This signup's personal data was erased; there is nothing left to send");
    case 'queued':
      throw new ApiError(
        409,
        'This signup is still queued for delivery; its impression can be corrected once it is rejected or dead',
      );
    case 'conflict':
      throw new ApiError(
        409,
        `The same person already has signup ${result.existingId} (${result.existingState}) on impression ${impressionId}; nothing was changed`,
      );
    case 'held':
      throw new ApiError(409, 'This signup is held as a suspected bot: release it (POST …/release) or discard it (POST …/discard)');
  }
}
