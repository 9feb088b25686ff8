/**
 * Pages refused by RELAY_ALLOWED_ORIGINS: a club embedding the widget on a page the relay
 * does not know. Each row is one config line away from working.
 */
import type { Stats } from './api';
import { formatTime } from './format';

export function RefusedOrigins({ origins }: { origins: Stats['refused_origins'] }) {
  if (origins.length === 0) return null;
  return (
    <section class="card" aria-labelledby="refused-title">
      <h2 id="refused-title">Pages refused by the origin allowlist</h2>
      <p class="muted">
        Their visitors see “this page isn’t set up for signups yet” and nothing is stored. If a page is yours, add its origin to{' '}
        <code>RELAY_ALLOWED_ORIGINS</code> and restart the relay.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Origin</th>
            <th scope="col">Requests</th>
            <th scope="col">First seen</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {origins.map((row) => (
            <tr key={row.origin}>
              <td>
                <code>{row.origin}</code>
              </td>
              <td>{row.count}</td>
              <td>{formatTime(row.first_seen)}</td>
              <td>{formatTime(row.last_seen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
