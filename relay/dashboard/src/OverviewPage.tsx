/** The overview: totals, the chart, delivery health, what needs attention, top lists. */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi, SignupView, Stats } from './api';
import { DayChart } from './DayChart';
import { DeliveryHealth, TopLists, Totals } from './Overview';
import { Problems } from './Problems';

const WINDOW_DAYS = 30;
const PROBLEMS_SHOWN = 50;

interface Data {
  stats: Stats;
  problems: SignupView[];
}

async function load(api: AdminApi): Promise<Data> {
  const [stats, dead, rejected] = await Promise.all([
    api.stats(WINDOW_DAYS),
    api.signups('dead', PROBLEMS_SHOWN),
    api.signups('rejected', PROBLEMS_SHOWN),
  ]);
  const problems = [...dead.items, ...rejected.items].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return { stats, problems };
}

export interface OverviewPageProps {
  api: AdminApi;
  refreshKey: number;
  onError(failure: unknown): void;
  retry(id: string, impressionId?: string): Promise<string>;
}

export function OverviewPage({ api, refreshKey, onError, retry }: OverviewPageProps) {
  const [data, setData] = useState<Data | null>(null);
  useEffect(() => {
    let cancelled = false;
    load(api).then((loaded) => !cancelled && setData(loaded), (failure: unknown) => !cancelled && onError(failure));
    return () => {
      cancelled = true;
    };
  }, [api, refreshKey]);

  if (!data) return <p class="muted">Loading…</p>;
  return (
    <main>
      <Totals stats={data.stats} />
      <section class="card" aria-labelledby="chart-title">
        <h2 id="chart-title">Signups per day</h2>
        <p class="muted">Last {data.stats.window.days} days (UTC), by current state.</p>
        <DayChart days={data.stats.per_day} />
      </section>
      <DeliveryHealth stats={data.stats} problems={data.problems} />
      <Problems items={data.problems} onRetry={retry} />
      <TopLists stats={data.stats} />
      <p class="muted footnote">Updated {new Date(data.stats.generated_at).toLocaleTimeString()} · refreshes every 30 s</p>
    </main>
  );
}
