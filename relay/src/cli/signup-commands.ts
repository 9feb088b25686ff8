/** `list`, `show`, `retry`, `replay`. */
import type { ReplayReport } from '../admin/signups';
import type { SignupView } from '../admin/views';
import { EXIT } from './client';
import {
  FILTER_HELP,
  FILTER_OPTIONS,
  filterParams,
  noPositionals,
  positional,
  queryString,
  text,
  usageError,
  type Command,
} from './command';
import { clip, count, fields, shortTime, table } from './format';

type Page = { items: SignupView[]; next_cursor: string | null };

const name = (signup: SignupView) =>
  signup.first_name === null && signup.last_name === null ? null : `${signup.first_name ?? ''} ${signup.last_name ?? ''}`.trim();

export const list: Command = {
  summary: 'List signups, newest first',
  usage: 'list [filters] [--limit N] [--cursor C | --all]',
  options: { ...FILTER_OPTIONS, limit: { type: 'string' }, cursor: { type: 'string' }, all: { type: 'boolean' } },
  help: `${FILTER_HELP}\n  --all follows every page (use with --json or a filter).`,
  async run(ctx) {
    noPositionals(ctx);
    const { values } = ctx;
    if (values.all && values.cursor) throw usageError('use either --all or --cursor');
    const client = ctx.client();
    const items: SignupView[] = [];
    let cursor = text(values, 'cursor');
    let next: string | null;
    do {
      const page = await client.json<Page>(
        'GET',
        `/signups${queryString({ ...filterParams(values), limit: text(values, 'limit') ?? (values.all ? 500 : undefined), cursor })}`,
      );
      items.push(...page.items);
      next = page.next_cursor;
      cursor = next ?? undefined;
    } while (values.all && next);

    if (ctx.json) {
      ctx.printJson({ items, next_cursor: next });
      return EXIT.ok;
    }
    if (items.length === 0) {
      ctx.print('No signups match.');
      return EXIT.ok;
    }
    ctx.print(
      table(
        ['ID', 'CREATED', 'STATE', 'SOURCE', 'IMPRESSION', 'EMAIL', 'NAME', 'TRIES', 'LAST ERROR'],
        items.map((s) => [s.id, shortTime(s.created_at), s.state, s.source, s.impression_id, s.email, name(s), s.attempts, s.last_error]),
        40,
      ),
    );
    if (next) ctx.print(`\nMore: --cursor ${next}   (or --all)`);
    return EXIT.ok;
  },
};

export const show: Command = {
  summary: 'Show one signup with its delivery attempts',
  usage: 'show <signup-id>',
  options: {},
  async run(ctx) {
    const id = positional(ctx, 'signup-id');
    const signup = await ctx.client().json<SignupView>('GET', `/signups/${encodeURIComponent(id)}`);
    if (ctx.json) {
      ctx.printJson(signup);
      return EXIT.ok;
    }
    ctx.print(
      fields([
        ['id', signup.id],
        ['state', signup.state],
        ['source', signup.source],
        ['impression', signup.impression_id],
        ['name', name(signup) ?? '(personal data removed)'],
        ['email', signup.email ?? '(personal data removed)'],
        ['profile picture', signup.profile_picture],
        ['metadata', signup.metadata ? JSON.stringify(signup.metadata) : null],
        ['created', shortTime(signup.created_at)],
        ['delivered', shortTime(signup.delivered_at)],
        ['attempts', `${signup.attempts} (${signup.failures} counted against the retry schedule)`],
        ['last error', signup.last_error],
        ['held', signup.held_reason ? `${signup.held_reason} ${JSON.stringify(signup.held_signals)}${signup.state === 'held' ? ' (release or discard it)' : ''}` : null],
        ['referral', signup.referral_id ? `${signup.referral_id} (${signup.referral_status}, program ${signup.program_id}, ambassador ${signup.student_id})` : null],
      ]),
    );
    const history = signup.attempt_history ?? [];
    if (history.length) {
      ctx.print('');
      ctx.print(
        table(
          ['STARTED', 'OUTCOME', 'HTTP', 'MS', 'ERROR'],
          history.map((a) => [shortTime(a.started_at), a.outcome, a.http_status, a.duration_ms, a.error]),
          80,
        ),
      );
    }
    return EXIT.ok;
  },
};

export const retry: Command = {
  summary: 'Send one rejected, dead or queued signup again now',
  usage: 'retry <signup-id> [--impression <corrected-id>]',
  options: { impression: { type: 'string' } },
  help: '  --impression moves the signup to the right impression first (the usual fix for a mistyped poster code).',
  async run(ctx) {
    const id = positional(ctx, 'signup-id');
    const impression = text(ctx.values, 'impression');
    const result = await ctx
      .client()
      .json<{ signup: SignupView; impression_changed: boolean }>(
        'POST',
        `/signups/${encodeURIComponent(id)}/retry`,
        impression === undefined ? undefined : { impression_id: impression },
      );
    if (ctx.json) ctx.printJson(result);
    else {
      const moved = result.impression_changed ? ` on impression ${result.signup.impression_id}` : '';
      ctx.print(`${result.signup.id} is queued${moved}; delivery starts now.`);
    }
    return EXIT.ok;
  },
};

export const replay: Command = {
  summary: 'Send dead (and optionally rejected) signups again',
  usage: 'replay [--state dead] [--state rejected] [--impression <id>] [--set-impression <id>] [--id <signup-id>…] [--dry-run]',
  options: {
    state: { type: 'string', multiple: true },
    impression: { type: 'string' },
    source: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    id: { type: 'string', multiple: true },
    'set-impression': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  help: `  --state         which signups: dead (default) and/or rejected
  --impression    only signups on this impression (e.g. the mistyped poster code)
  --set-impression  move them to this impression first
  --dry-run       report what would happen, change nothing
Exits 1 when some signups could not be requeued (listed).`,
  async run(ctx) {
    noPositionals(ctx);
    const { values } = ctx;
    const body = {
      states: (values.state as string[] | undefined) ?? ['dead'],
      impression_id: text(values, 'impression'),
      source: text(values, 'source'),
      from: text(values, 'from'),
      to: text(values, 'to'),
      ids: values.id as string[] | undefined,
      corrected_impression_id: text(values, 'set-impression'),
      dry_run: values['dry-run'] === true,
    };
    const report = await ctx.client().json<ReplayReport>('POST', '/replay', body);
    const failed = report.conflicts.length + report.skipped.length;
    if (ctx.json) {
      ctx.printJson(report);
      return failed ? EXIT.failed : EXIT.ok;
    }
    const verb = report.dry_run ? 'would be requeued' : 'requeued';
    const moved = report.impression_changed ? ` (${count(report.impression_changed)} moved to ${body.corrected_impression_id})` : '';
    ctx.print(`${count(report.matched)} matched, ${count(report.requeued)} ${verb}${moved}.`);
    if (report.conflicts.length) {
      ctx.print('\nNot requeued — the person already has a signup on that impression (no second referral is made):');
      ctx.print(table(['SIGNUP', 'EXISTING', 'EXISTING STATE'], report.conflicts.map((c) => [c.id, c.existing_id, c.existing_state])));
    }
    if (report.skipped.length) {
      ctx.print('\nSkipped:');
      ctx.print(table(['SIGNUP', 'REASON'], report.skipped.map((s) => [s.id, clip(s.reason, 40)])));
    }
    return failed ? EXIT.failed : EXIT.ok;
  },
};
