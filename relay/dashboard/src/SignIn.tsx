/** Asks for the admin token and checks it against the relay before keeping it (sessionStorage only). */
import { useState } from 'preact/hooks';
import { AdminApiError, createApi } from './api';

export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn(token: string): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) {
      setError('Enter the admin token (RELAY_ADMIN_TOKEN).');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await createApi(candidate).stats(1);
      onSignedIn(candidate);
    } catch (failure) {
      if (failure instanceof AdminApiError && failure.status === 401) setError('The relay did not accept that token.');
      else setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="card" onSubmit={submit} noValidate>
        <h1>Vantio relay admin</h1>
        <p class="muted">
          Enter the relay's admin token (<code>RELAY_ADMIN_TOKEN</code>; in sandbox mode it is printed when the relay starts). It is kept in
          this tab only and forgotten when the tab closes.
        </p>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <label for="token">Admin token</label>
        <input
          id="token"
          type="password"
          autocomplete="current-password"
          value={token}
          onInput={(event) => setToken((event.target as HTMLInputElement).value)}
          aria-invalid={error !== null}
          aria-describedby={error ? 'token-error' : undefined}
        />
        {error && (
          <p class="error" id="token-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
