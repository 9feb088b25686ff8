/**
 * Signups held as suspected bots: never sent until an admin releases them (sent once) or
 * discards them (deleted). Each shows why it was held and what the bot check saw.
 */
import { useState } from 'preact/hooks';
import type { SignupView } from './api';
import { formatTime } from './format';

export interface HeldQueueProps {
  items: SignupView[];
  /** Each resolves with a message for the live region; rejects with the relay's message. */
  onRelease(id: string): Promise<string>;
  onDiscard(id: string): Promise<string>;
}

const REASONS: Record<string, string> = {
  honeypot: 'filled the hidden field people never see',
  fill_time: 'filled the form faster than RELAY_MIN_FILL_MS',
};

function HeldItem({ signup, onRelease, onDiscard }: { signup: SignupView } & Omit<HeldQueueProps, 'items'>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = [signup.first_name, signup.last_name].filter(Boolean).join(' ') || '(no name)';

  const run = async (action: (id: string) => Promise<string>) => {
    setBusy(true);
    setError(null);
    try {
      await action(signup.id);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
    setBusy(false);
  };

  return (
    <li class="problem problem-held" aria-label={`${name}, held`}>
      <div class="problem-head">
        <span class="badge s-held">held</span>
        <strong>{name}</strong>
        <span class="email">{signup.email ?? ''}</span>
      </div>
      <dl class="problem-facts">
        <div>
          <dt>Why</dt>
          <dd>{REASONS[signup.held_reason ?? ''] ?? signup.held_reason}</dd>
        </div>
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
          <dt>Signals</dt>
          <dd>
            <code>{JSON.stringify(signup.held_signals ?? {})}</code>
          </dd>
        </div>
      </dl>
      <div class="actions">
        <button type="button" onClick={() => void run(onRelease)} disabled={busy}>
          Release (send to Vantio)
        </button>
        <button type="button" class="secondary" onClick={() => void run(onDiscard)} disabled={busy}>
          Discard
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

export function HeldQueue({ items, onRelease, onDiscard }: HeldQueueProps) {
  return (
    <section class="card" aria-labelledby="held-title">
      <h2 id="held-title">Held as suspected bots</h2>
      <p class="muted">
        Kept, never sent on their own. Release a real person (sent to Vantio once); discard a bot (deleted with its data).
      </p>
      {items.length === 0 ? (
        <p class="empty">Nothing held.</p>
      ) : (
        <ul class="problems">
          {items.map((signup) => (
            <HeldItem key={signup.id} signup={signup} onRelease={onRelease} onDiscard={onDiscard} />
          ))}
        </ul>
      )}
    </section>
  );
}
