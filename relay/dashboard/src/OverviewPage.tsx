/** The overview: totals, the chart, delivery health, what needs attention, held signups, refused pages, top lists. */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi, SignupView, Stats } from './api';
import { DayChart } from './DayChart';
import { DeliveryHealth, TopLists, Totals } from './Overview';
import { HeldQueue } from './HeldQueue';
import { Problems } from './Problems';
import { RefusedOrigins } from './RefusedOrigins';

const WINDOW_DAYS = 30;
const PROBLEMS_SHOWN = 50;

interface Data {
  stats: Stats;
  problems: SignupView[];
  held: SignupView[];
}

async function load(api: AdminApi): Promise<Data> {
  const [stats, dead, rejected, held] = await Promise.all([
    api.stats(WINDOW_DAYS),
    api.signups('dead', PROBLEMS_SHOWN),
    api.signups('rejected', PROBLEMS_SHOWN),
    api.signups('held', PROBLEMS_SHOWN),
  ]);
  const problems = [...dead.items, ...rejected.items].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return { stats, problems, held: held.items };
}

export interface OverviewPageProps {
  api: AdminApi;
  refreshKey: number;
  onError(failure: unknown): void;
  retry(id: string, impressionId?: string): Promise<string>;
}

export function OverviewPage({ api, refreshKey, onError, retry }: OverviewPageProps) {
  const [data, setData] = useState<Data | null>(null);
  const [reloads, setReloads] = useState(0);
  const [heldMessage, setHeldMessage] = useState('');
  /** Release or discard, then the page again; the message goes to the live region. */
  const heldAction = (action: (id: string) => Promise<string>) => async (id: string) => {
    const message = await action(id);
    setHeldMessage(message);
    setReloads((n) => n + 1);
    return message;
  };
  const release = heldAction(async (id) => `Signup of ${(await api.release(id)).signup.first_name ?? id} is released and queued for delivery.`);
  const discard = heldAction(async (id) => `Held signup ${(await api.discard(id)).discarded} is discarded.`);
  useEffect(() => {
    let cancelled = false;
    load(api).then((loaded) => !cancelled && setData(loaded), (failure: unknown) => !cancelled && onError(failure));
    return () => {
      cancelled = true;
    };
  }, [api, refreshKey, reloads]);

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
      <HeldQueue items={data.held} onRelease={release} onDiscard={discard} />
      <p class="sr-only" role="status" aria-live="polite">
        {heldMessage}
      </p>
      <RefusedOrigins origins={data.stats.refused_origins} />
      <TopLists stats={data.stats} />
      <p class="muted footnote">Updated {new Date(data.stats.generated_at).toLocaleTimeString()} · refreshes every 30 s</p>
    </main>
  );
}
