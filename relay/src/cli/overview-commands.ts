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

const setPaused = (paused: boolean): Command => ({
  summary: paused
    ? 'Pause all delivery to Vantio (signups keep queueing; /readyz reports it)'
    : 'Resume delivery to Vantio',
  usage: paused ? 'pause' : 'resume',
  options: {},
  async run(ctx) {
    noPositionals(ctx);
    const result = await ctx.client().json<{ delivery: DeliveryStatus }>('POST', `/delivery/${paused ? 'pause' : 'resume'}`);
    if (ctx.json) ctx.printJson(result);
    else ctx.print(`Delivery ${describeDelivery(result.delivery)}`);
    return EXIT.ok;
  },
});

export const pause = setPaused(true);
export const resume = setPaused(false);
