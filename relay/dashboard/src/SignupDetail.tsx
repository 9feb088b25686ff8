/** One signup: what was received, where it stands, every delivery attempt, and "Retry". */
import { useEffect, useState } from 'preact/hooks';
import { AdminApiError, type AdminApi, type SignupView } from './api';
import { formatTime } from './format';
import { signupsHref } from './route';
import { fullName } from './SignupsPage';

const RETRYABLE = new Set(['dead', 'rejected', 'queued']);

export function SignupDetail({ api, id, refreshKey, announce }: { api: AdminApi; id: string; refreshKey: number; announce(message: string): void }) {
  const [signup, setSignup] = useState<SignupView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setError(null);
    api
      .signup(id)
      .then((found) => !cancelled && setSignup(found))
      .catch((failure: unknown) => {
        if (cancelled) return;
        setSignup(null);
        setError(failure instanceof AdminApiError && failure.status === 404 ? 'No signup with that id.' : String((failure as Error).message ?? failure));
      });
    return () => {
      cancelled = true;
    };
  }, [api, id, refreshKey, reload]);

  const retry = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.retry(id);
      announce(`Signup of ${signup?.first_name ?? id} is queued for delivery again.`);
      setReload((n) => n + 1);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  const history = signup?.attempt_history ?? [];
  return (
    <main>
      <p>
        <a href={signupsHref()}>← All signups</a>
      </p>
      {error && (
        <p class="error banner" role="alert">
          {error}
        </p>
      )}
      {signup && (
        <>
          <section class="card" aria-labelledby="signup-title">
            <div class="problem-head">
              <span class={`badge s-${signup.state}`}>{signup.state}</span>
              <h2 id="signup-title">{fullName(signup)}</h2>
            </div>
            <dl class="facts detail-facts">
              <Fact label="Email">{signup.email ?? '(removed)'}</Fact>
              <Fact label="Impression">
                <code>{signup.impression_id}</code>
              </Fact>
              <Fact label="Source">{signup.source}</Fact>
              <Fact label="Received">{formatTime(signup.created_at)}</Fact>
              <Fact label="Delivered">{formatTime(signup.delivered_at)}</Fact>
              <Fact label="Ambassador">{signup.student_id ?? '—'}</Fact>
              <Fact label="Referral">{signup.referral_id ? <code>{signup.referral_id}</code> : '—'}</Fact>
              <Fact label="Attempts">
                {signup.attempts} ({signup.failures} counted against the retry schedule)
              </Fact>
              <Fact label="Signup id">
                <code>{signup.id}</code>
              </Fact>
            </dl>
            {signup.last_error && <p class="last-error">{signup.last_error}</p>}
            {RETRYABLE.has(signup.state) && (
              <div class="actions">
                <button type="button" onClick={() => void retry()} disabled={busy}>
                  {signup.state === 'queued' ? 'Send now' : 'Retry'}
                </button>
              </div>
            )}
          </section>
          <section class="card" aria-labelledby="attempts-title">
            <h2 id="attempts-title">Delivery attempts</h2>
            {history.length === 0 ? (
              <p class="empty">No attempt yet.</p>
            ) : (
              <div class="table-wrap">
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Outcome</th>
                      <th scope="col" class="num">HTTP</th>
                      <th scope="col">Error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {history.map((attempt) => (
                      <tr key={attempt.started_at}>
                        <td>{formatTime(attempt.started_at)}</td>
                        <td>{attempt.outcome}</td>
                        <td class="num">{attempt.http_status ?? '—'}</td>
                        <td class="wrap">{attempt.error ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
      {!signup && !error && <p class="muted">Loading…</p>}
    </main>
  );
}

function Fact({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
