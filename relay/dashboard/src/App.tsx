/** The dashboard shell: sign-in with the admin token, then the overview, refreshed every 30 s. */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { AdminApiError, createApi, tokenStore, type AdminApi, type SignupView, type Stats } from './api';
import { DayChart } from './DayChart';
import { HeldQueue } from './HeldQueue';
import { DeliveryHealth, TopLists, Totals } from './Overview';
import { Problems } from './Problems';
import { RefusedOrigins } from './RefusedOrigins';
import { SignIn } from './SignIn';

const WINDOW_DAYS = 30;
const PROBLEMS_SHOWN = 50;
const REFRESH_MS = 30_000;

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

export function App() {
  const [token, setToken] = useState(tokenStore.get);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((message: string | null) => {
    tokenStore.clear();
    setToken(null);
    setNotice(message);
  }, []);

  if (!token) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(accepted) => {
          tokenStore.set(accepted);
          setNotice(null);
          setToken(accepted);
        }}
      />
    );
  }
  return <Dashboard token={token} onSignOut={signOut} />;
}

function Dashboard({ token, onSignOut }: { token: string; onSignOut(message: string | null): void }) {
  const api = useMemo(() => createApi(token), [token]);
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    try {
      setData(await load(api));
      setError(null);
    } catch (failure) {
      if (failure instanceof AdminApiError && failure.status === 401) {
        onSignOut('The relay no longer accepts that token. Sign in again.');
        return;
      }
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }, [api, onSignOut]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const retry = async (id: string, impressionId?: string) => {
    const result = await api.retry(id, impressionId);
    const moved = result.impression_changed ? ` on impression ${result.signup.impression_id}` : '';
    const message = `Signup of ${result.signup.first_name ?? id} is queued for delivery again${moved}.`;
    setAnnouncement(message);
    await refresh();
    return message;
  };

  const release = async (id: string) => {
    const { signup } = await api.release(id);
    const message = `Signup of ${signup.first_name ?? id} is released and queued for delivery.`;
    setAnnouncement(message);
    await refresh();
    return message;
  };

  const discard = async (id: string) => {
    await api.discard(id);
    const message = `Held signup ${id} is discarded.`;
    setAnnouncement(message);
    await refresh();
    return message;
  };

  const togglePause = async () => {
    if (!data) return;
    setBusy(true);
    try {
      const delivery = await api.setPaused(!data.stats.delivery.paused);
      setAnnouncement(delivery.paused ? 'Delivery paused. Signups are still accepted and queued.' : 'Delivery resumed.');
      await refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  const paused = data?.stats.delivery.paused ?? false;
  return (
    <div class="page">
      <header class="topbar">
        <h1>Vantio relay</h1>
        <div class="topbar-actions">
          {data && (
            <button type="button" class={paused ? '' : 'secondary'} onClick={() => void togglePause()} disabled={busy}>
              {paused ? 'Resume delivery' : 'Pause delivery'}
            </button>
          )}
          <button type="button" class="secondary" onClick={() => void refresh()}>
            Refresh
          </button>
          <button type="button" class="secondary" onClick={() => onSignOut(null)}>
            Sign out
          </button>
        </div>
      </header>
      <p class="sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
      {error && (
        <p class="error banner" role="alert">
          {error}
        </p>
      )}
      {!data ? (
        !error && <p class="muted">Loading…</p>
      ) : (
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
          <RefusedOrigins origins={data.stats.refused_origins} />
          <TopLists stats={data.stats} />
          <p class="muted footnote">Updated {new Date(data.stats.generated_at).toLocaleTimeString()} · refreshes every 30 s</p>
        </main>
      )}
    </div>
  );
}
