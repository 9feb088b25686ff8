/**
 * The dashboard shell: sign-in with the admin token, then a top bar (Overview, Signups,
 * pause with a confirmation, refresh, sign out) over the page the URL's hash names.
 * Pages refresh every 30 s while the tab is visible.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { AdminApiError, createApi, tokenStore, type DeliveryStatus } from './api';
import { ConfirmDialog } from './ConfirmDialog';
import { OverviewPage } from './OverviewPage';
import { PagesPage } from './PagesPage';
import { useRoute } from './route';
import { SignIn } from './SignIn';
import { SignupDetail } from './SignupDetail';
import { SignupsPage } from './SignupsPage';

const REFRESH_MS = 30_000;

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
  const route = useRoute();
  const [refreshKey, setRefreshKey] = useState(0);
  const [delivery, setDelivery] = useState<DeliveryStatus | null>(null);
  const [sources, setSources] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmingPause, setConfirmingPause] = useState(false);

  const onError = useCallback(
    (failure: unknown) => {
      if (failure instanceof AdminApiError && failure.status === 401) {
        onSignOut('The relay no longer accepts that token. Sign in again.');
        return;
      }
      setError(failure instanceof Error ? failure.message : String(failure));
    },
    [onSignOut],
  );
  const refresh = useCallback(() => {
    setError(null);
    setRefreshKey((key) => key + 1);
  }, []);

  useEffect(() => {
    api.delivery().then(setDelivery, onError);
  }, [api, refreshKey, onError]);
  useEffect(() => {
    api.stats(1).then((stats) => setSources(Object.keys(stats.by_source)), onError);
  }, [api, onError]);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') refresh();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const retry = async (id: string, impressionId?: string) => {
    const result = await api.retry(id, impressionId);
    const moved = result.impression_changed ? ` on impression ${result.signup.impression_id}` : '';
    const message = `Signup of ${result.signup.first_name ?? id} is queued for delivery again${moved}.`;
    setAnnouncement(message);
    refresh();
    return message;
  };

  const setPaused = async (paused: boolean) => {
    setConfirmingPause(false);
    setBusy(true);
    try {
      const status = await api.setPaused(paused);
      setDelivery(status);
      if (paused) setAnnouncement('Delivery paused. Signups are still accepted and queued.');
      else if (!status.paused) setAnnouncement('Delivery resumed.');
      // Resume lifts an admin pause only: a refused key keeps delivery paused, and says so.
      else setError(`Delivery is still paused: ${status.message ?? status.reason}`);
      refresh();
    } catch (failure) {
      onError(failure);
    } finally {
      setBusy(false);
    }
  };

  const paused = delivery?.paused ?? false;
  const current = route.page === 'overview' || route.page === 'pages' ? route.page : 'signups';
  return (
    <div class="page">
      <header class="topbar">
        <h1>Vantio relay</h1>
        <nav class="tabs" aria-label="Sections">
          <a href="#/" aria-current={current === 'overview' ? 'page' : undefined}>
            Overview
          </a>
          <a href="#/signups" aria-current={current === 'signups' ? 'page' : undefined}>
            Signups
          </a>
          <a href="#/pages" aria-current={current === 'pages' ? 'page' : undefined}>
            Pages
          </a>
        </nav>
        <div class="topbar-actions">
          {delivery && (
            <button
              type="button"
              class={paused ? '' : 'secondary'}
              onClick={() => (paused ? void setPaused(false) : setConfirmingPause(true))}
              disabled={busy}
            >
              {paused ? 'Resume delivery' : 'Pause delivery'}
            </button>
          )}
          <button type="button" class="secondary" onClick={refresh}>
            Refresh
          </button>
          <button type="button" class="secondary" onClick={() => onSignOut(null)}>
            Sign out
          </button>
        </div>
      </header>
      <ConfirmDialog
        open={confirmingPause}
        title="Pause delivery to Vantio?"
        confirmLabel="Pause delivery"
        onConfirm={() => void setPaused(true)}
        onCancel={() => setConfirmingPause(false)}
      >
        <p>
          Signups are still accepted and stored, but none is sent to Vantio until someone resumes: ambassadors see no new referrals
          meanwhile, and <code>/readyz</code> reports the pause.
        </p>
      </ConfirmDialog>
      <p class="sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
      {error && (
        <p class="error banner" role="alert">
          {error}
        </p>
      )}
      {route.page === 'overview' && <OverviewPage api={api} refreshKey={refreshKey} onError={onError} retry={retry} />}
      {route.page === 'signups' && (
        <SignupsPage api={api} query={route.query} sources={sources} refreshKey={refreshKey} announce={setAnnouncement} />
      )}
      {route.page === 'pages' && <PagesPage api={api} announce={setAnnouncement} onError={onError} />}
      {route.page === 'signup' && <SignupDetail api={api} id={route.id} refreshKey={refreshKey} announce={setAnnouncement} />}
    </div>
  );
}
