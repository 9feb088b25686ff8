/**
 * Dead and rejected signups, each with "Retry" and "Fix impression" (retry on a corrected
 * impression id: a mistyped poster code). Results are announced in a live region.
 */
import { useState } from 'preact/hooks';
import type { SignupView } from './api';
import { formatTime } from './format';

export interface ProblemsProps {
  items: SignupView[];
  /** Resolves with a message for the live region; rejects with the relay's message. */
  onRetry(id: string, impressionId?: string): Promise<string>;
}

const IMPRESSION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

function ProblemItem({ signup, onRetry }: { signup: SignupView; onRetry: ProblemsProps['onRetry'] }) {
  const [fixing, setFixing] = useState(false);
  const [impression, setImpression] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = [signup.first_name, signup.last_name].filter(Boolean).join(' ') || '(erased)';
  const inputId = `fix-${signup.id}`;

  const run = async (impressionId?: string) => {
    setBusy(true);
    setError(null);
    try {
      await onRetry(signup.id, impressionId);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
    setBusy(false);
  };

  const submitFix = (event: Event) => {
    event.preventDefault();
    const value = impression.trim();
    if (!IMPRESSION_ID.test(value)) {
      setError('An impression id is 1 to 128 letters, digits or - _ . : characters, e.g. imp_123abc');
      return;
    }
    void run(value);
  };

  return (
    <li class={`problem problem-${signup.state}`} aria-label={`${name}, ${signup.state}`}>
      <div class="problem-head">
        <span class={`badge s-${signup.state}`}>{signup.state}</span>
        <strong>{name}</strong>
        <span class="email">{signup.email ?? ''}</span>
      </div>
      <dl class="problem-facts">
        <div>
          <dt>Impression</dt>
          <dd>
            <code>{signup.impression_id}</code>
          </dd>
        </div>
        <div>
          <dt>Received</dt>
          <dd>{formatTime(signup.created_at)}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>{signup.attempts}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{signup.source}</dd>
        </div>
      </dl>
      {signup.last_error && <p class="last-error">{signup.last_error}</p>}
      <div class="actions">
        <button type="button" onClick={() => void run()} disabled={busy}>
          Retry
        </button>
        <button type="button" class="secondary" aria-expanded={fixing} aria-controls={inputId} onClick={() => setFixing(!fixing)} disabled={busy}>
          Fix impression
        </button>
      </div>
      {fixing && (
        <form class="fix" onSubmit={submitFix} noValidate>
          <label for={inputId}>Correct impression id</label>
          <div class="fix-row">
            <input
              id={inputId}
              value={impression}
              onInput={(event) => setImpression((event.target as HTMLInputElement).value)}
              placeholder={signup.impression_id}
              autocomplete="off"
              spellcheck={false}
              aria-invalid={error !== null}
              aria-describedby={error ? `${inputId}-error` : undefined}
            />
            <button type="submit" disabled={busy}>
              Retry with this impression
            </button>
          </div>
        </form>
      )}
      {error && (
        <p class="error" id={`${inputId}-error`} role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

export function Problems({ items, onRetry }: ProblemsProps) {
  return (
    <section class="card" aria-labelledby="problems-title">
      <h2 id="problems-title">Needs attention</h2>
      <p class="muted">
        Dead signups ran out of retries; rejected ones were refused by Vantio (often a mistyped impression). Retry sends one again;
        Fix impression moves it to the right impression first.
      </p>
      {items.length === 0 ? (
        <p class="empty">Nothing dead or rejected.</p>
      ) : (
        <ul class="problems">
          {items.map((signup) => (
            <ProblemItem key={signup.id} signup={signup} onRetry={onRetry} />
          ))}
        </ul>
      )}
    </section>
  );
}
