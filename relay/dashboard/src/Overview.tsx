/** The figures: totals, delivery health (queue, age, latency, failure reasons) and top lists. */
import type { SignupView, Stats } from './api';
import { failureReasons, formatCount, formatDuration, formatMs } from './format';

export function Totals({ stats }: { stats: Stats }) {
  const { by_state: states } = stats;
  const tiles: Array<[string, number, string]> = [
    ['Signups', states.queued + states.delivered + states.rejected + states.dead, 'all'],
    ['Delivered', states.delivered, 'delivered'],
    ['Queued', states.queued, 'queued'],
    ['Rejected', states.rejected, 'rejected'],
    ['Dead', states.dead, 'dead'],
    ['Bots stopped', stats.bots, 'bots'],
  ];
  return (
    <dl class="tiles">
      {tiles.map(([label, value, kind]) => (
        <div key={kind} class={`tile tile-${kind}`}>
          <dt>{label}</dt>
          <dd>{formatCount(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function DeliveryHealth({ stats, problems }: { stats: Stats; problems: SignupView[] }) {
  const { delivery, delivery_latency_ms: latency } = stats;
  const reasons = failureReasons(problems.map((signup) => signup.last_error)).slice(0, 6);
  return (
    <section class="card" aria-labelledby="health-title">
      <h2 id="health-title">Delivery health</h2>
      <dl class="facts">
        <div>
          <dt>Delivery</dt>
          <dd class={delivery.paused || delivery.heldUntil ? 'bad' : 'good'}>
            {delivery.paused
              ? `Paused — ${delivery.message ?? delivery.reason}`
              : delivery.heldUntil
                ? `Held until ${new Date(delivery.heldUntil).toLocaleTimeString()} (Vantio asked to slow down)`
                : 'Running'}
          </dd>
        </div>
        <div>
          <dt>Queued now</dt>
          <dd>{formatCount(stats.by_state.queued)}</dd>
        </div>
        <div>
          <dt>Oldest queued</dt>
          <dd class={(stats.oldest_queued_age_s ?? 0) > 3600 ? 'bad' : ''}>{formatDuration(stats.oldest_queued_age_s)}</dd>
        </div>
        <div>
          <dt>In flight</dt>
          <dd>
            {delivery.inFlight} of {delivery.concurrency}
          </dd>
        </div>
        <div>
          <dt>Time to deliver (p50 / p90)</dt>
          <dd>
            {formatMs(latency.p50)} / {formatMs(latency.p90)}
          </dd>
        </div>
      </dl>
      <h3>Failure reasons</h3>
      {reasons.length === 0 ? (
        <p class="muted">No dead or rejected signups.</p>
      ) : (
        <ul class="reasons">
          {reasons.map(({ reason, count }) => (
            <li key={reason}>
              <span class="count">{count}</span> <span class="reason">{reason}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function TopLists({ stats }: { stats: Stats }) {
  return (
    <div class="columns">
      <section class="card" aria-labelledby="impressions-title">
        <h2 id="impressions-title">Top impressions</h2>
        {stats.top_impressions.length === 0 ? (
          <p class="muted">No signups in this window.</p>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">Impression (ambassador)</th>
                  <th scope="col" class="num">Signups</th>
                  <th scope="col" class="num">Delivered</th>
                </tr>
              </thead>
              <tbody>
                {stats.top_impressions.map((row) => (
                  <tr key={row.impression_id}>
                    <td>
                      <code>{row.impression_id}</code>
                      <span class="sub">{row.student_id ?? 'no ambassador yet'}</span>
                    </td>
                    <td class="num">{row.count}</td>
                    <td class="num">{row.delivered}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="ambassadors-title">
        <h2 id="ambassadors-title">Top ambassadors</h2>
        {stats.top_students.length === 0 ? (
          <p class="muted">No delivered referrals in this window.</p>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">Ambassador</th>
                  <th scope="col" class="num">Referrals</th>
                </tr>
              </thead>
              <tbody>
                {stats.top_students.map((row) => (
                  <tr key={row.student_id}>
                    <td>
                      <code>{row.student_id}</code>
                      <span class="sub">
                        from {row.impressions} impression{row.impressions === 1 ? '' : 's'}
                      </span>
                    </td>
                    <td class="num">{row.delivered}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
