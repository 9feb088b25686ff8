/** `stats`, `pause`, `resume`. */
import type { StatsView } from '../admin/stats';
import type { DeliveryStatus } from '../forwarder';
import { EXIT } from './client';
import { noPositionals, queryString, text, type Command, type CommandContext } from './command';
import { count, duration, millis, shortTime, table } from './format';

const STATES = ['queued', 'delivered', 'rejected', 'dead', 'held'] as const;

function describeDelivery(delivery: DeliveryStatus): string {
  if (!delivery.paused) return `running (${delivery.inFlight}/${delivery.concurrency} in flight)`;
  const since = delivery.since ? ` since ${shortTime(delivery.since)}` : '';
  return `PAUSED (${delivery.reason})${since}: ${delivery.message}`;
}

function printStats(ctx: CommandContext, stats: StatsView): void {
  const total = STATES.reduce((sum, state) => sum + stats.by_state[state], 0);
  ctx.print(`Signups    ${count(total)} total: ${STATES.map((s) => `${count(stats.by_state[s])} ${s}`).join(', ')}`);
  ctx.print(`Bots       ${count(stats.bots)} held as suspected bots (list --state held)`);
  ctx.print(`Delivery   ${describeDelivery(stats.delivery)}`);
  ctx.print(`Queue      oldest waiting ${duration(stats.oldest_queued_age_s)}`);
  const latency = stats.delivery_latency_ms;
  ctx.print(
    `Latency    p50 ${millis(latency.p50)}, p90 ${millis(latency.p90)}, p99 ${millis(latency.p99)}, max ${millis(latency.max)} (${count(latency.count)} delivered in the window)`,
  );
  if (stats.refused_origins.length) {
    const [latest] = stats.refused_origins;
    ctx.print(
      `Refused    ${count(stats.refused_origins.length)} origins not in RELAY_ALLOWED_ORIGINS, latest ${latest!.origin} (${count(latest!.count)} requests, last ${shortTime(latest!.last_seen)})`,
    );
  }
  ctx.print(`Retention  ${stats.retention_days > 0 ? `personal data removed ${stats.retention_days} days after delivery` : 'off'}`);

  const sources = Object.entries(stats.by_source);
  if (sources.length) {
    ctx.print('\nBy source (all time)');
    ctx.print(table(['SOURCE', ...STATES.map((s) => s.toUpperCase())], sources.map(([name, c]) => [name, ...STATES.map((s) => c[s])])));
  }
  ctx.print(`\nPer day, ${stats.window.from.slice(0, 10)} to ${stats.window.to.slice(0, 10)} (exclusive)`);
  const peak = Math.max(1, ...stats.per_day.map((day) => day.total));
  ctx.print(
    table(
      ['DAY', 'TOTAL', 'DELIVERED', 'REJECTED', 'DEAD', 'QUEUED', ''],
      stats.per_day.map((d) => [d.day, d.total, d.delivered, d.rejected, d.dead, d.queued, '#'.repeat(Math.ceil((d.total / peak) * 30))]),
    ),
  );
  if (stats.top_impressions.length) {
    ctx.print('\nTop impressions (posters)');
    ctx.print(
      table(
        ['IMPRESSION', 'AMBASSADOR', 'SIGNUPS', 'DELIVERED', 'REJECTED', 'DEAD', 'QUEUED'],
        stats.top_impressions.map((i) => [i.impression_id, i.student_id, i.count, i.delivered, i.rejected, i.dead, i.queued]),
      ),
    );
  }
  if (stats.top_students.length) {
    ctx.print('\nTop ambassadors');
    ctx.print(table(['AMBASSADOR', 'REFERRALS', 'POSTERS'], stats.top_students.map((s) => [s.student_id, s.delivered, s.impressions])));
  }
}

export const stats: Command = {
  summary: 'Counts, daily signups, top posters and ambassadors, delivery health',
  usage: 'stats [--days N] [--from DATE] [--to DATE] [--top N]',
  options: { days: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, top: { type: 'string' } },
  help: '  The window (default: the last 7 days) covers daily counts, top lists and latency; totals are all-time.',
  async run(ctx) {
    noPositionals(ctx);
    const { values } = ctx;
    const days = text(values, 'days') ?? (values.from || values.to ? undefined : '7');
    const query = queryString({ days, from: text(values, 'from'), to: text(values, 'to'), top: text(values, 'top') });
    const result = await ctx.client().json<StatsView>('GET', `/stats${query}`);
    if (ctx.json) ctx.printJson(result);
    else printStats(ctx, result);
    return EXIT.ok;
  },
};

/** How long `resume` waits for the probe delivery it set off while paused on a bad key. */
const PROBE_WAIT_MS = 15_000;
const PROBE_POLL_MS = 250;

export const pause: Command = {
  summary: 'Pause all delivery to Vantio (signups keep queueing; /readyz reports it)',
  usage: 'pause',
  options: {},
  async run(ctx) {
    noPositionals(ctx);
    const result = await ctx.client().json<{ delivery: DeliveryStatus }>('POST', '/delivery/pause');
    if (ctx.json) ctx.printJson(result);
    else ctx.print(`Delivery ${describeDelivery(result.delivery)}`);
    return result.delivery.paused ? EXIT.ok : EXIT.failed;
  },
};

/**
 * Lifts an admin pause and a 429 hold, and sends a bad-key probe at once. Delivery paused
 * on a 401/403 resumes only when Vantio accepts the key: `resume` waits for that probe and
 * exits 1 with the reason while delivery is still paused (or held by configuration).
 */
function whyStillPaused(delivery: DeliveryStatus, queued: number): string {
  const probing = delivery.reason === 'unauthorized' || delivery.reason === 'misconfigured';
  if (probing && queued === 0) {
    return `Vantio's last answer paused it (${delivery.message}) and nothing is queued to try again with now; the next signup will.`;
  }
  if (delivery.reason === 'unauthorized') {
    return `Vantio still refuses the secret key (${delivery.message}). Fix VANTIO_SECRET_KEY and restart the relay; it probes again every RELAY_AUTH_PROBE_S seconds.`;
  }
  if (delivery.reason === 'misconfigured') {
    return `Vantio's answer still shows a misconfiguration (${delivery.message}). Fix VANTIO_API_URL and restart the relay.`;
  }
  if (delivery.reason === 'held') {
    return `${delivery.message}: delivery is off by configuration; set RELAY_FORWARD_CONCURRENCY above 0 and restart.`;
  }
  return `${delivery.message ?? delivery.reason}.`;
}

export const resume: Command = {
  summary: 'Resume delivery to Vantio (exits 1 and says why while it stays paused)',
  usage: 'resume',
  options: {},
  help: '  Paused on a 401/403 from Vantio, resume tries one delivery now and waits for it (up to 15 s):\n  the pause ends only when Vantio accepts VANTIO_SECRET_KEY.',
  async run(ctx) {
    noPositionals(ctx);
    const client = ctx.client();
    let { delivery } = await client.json<{ delivery: DeliveryStatus }>('POST', '/delivery/resume');
    const waitUntil = Date.now() + PROBE_WAIT_MS;
    // Paused on Vantio's answer (a refused key, a redirect): resume sent one probe; wait for its outcome.
    const probing = (status: DeliveryStatus) => status.reason === 'unauthorized' || status.reason === 'misconfigured';
    while (delivery.paused && probing(delivery) && delivery.inFlight > 0 && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, PROBE_POLL_MS));
      ({ delivery } = await client.json<{ delivery: DeliveryStatus }>('GET', '/delivery'));
    }
    if (ctx.json) ctx.printJson({ delivery });
    if (!delivery.paused) {
      if (!ctx.json) ctx.print(`Delivery ${describeDelivery(delivery)}`);
      return EXIT.ok;
    }
    // Nothing queued means no probe was sent: say so rather than blame the key again.
    const queued =
      probing(delivery)
        ? (await client.json<{ items: unknown[] }>('GET', '/signups?state=queued&limit=1')).items.length
        : 0;
    const why = whyStillPaused(delivery, queued);
    ctx.io.stderr.write(`vantio-relay resume: delivery is still paused. ${why}\n`);
    return EXIT.failed;
  },
};
