/**
 * Signups per day, stacked by state, as plain SVG drawn at the container's real width
 * (so labels stay legible on a phone). Colours come from CSS classes, never inline styles.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Stats } from './api';
import { formatCount, formatDay } from './format';

export const STATES = ['delivered', 'queued', 'rejected', 'dead'] as const;
type Day = Stats['per_day'][number];

const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 26, left: 36 };

/** A round axis maximum (1, 2, 5 × 10^n) at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 2.5, 5, 10].map((step) => step * power).find((value) => value >= max)!;
}

function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry!.contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

export function DayChart({ days }: { days: Day[] }) {
  const [ref, width] = useWidth();
  const total = days.reduce((sum, day) => sum + day.total, 0);
  const max = niceMax(Math.max(0, ...days.map((day) => day.total)));
  const plotWidth = Math.max(0, width - PAD.left - PAD.right);
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = days.length > 0 ? plotWidth / days.length : 0;
  const barWidth = Math.max(1, slot * 0.72);
  const y = (value: number) => PAD.top + plotHeight - (value / max) * plotHeight;
  // As many date labels as fit, counted back from the latest day (whose label ends at its
  // bar, so the next one needs ~1.5 label widths of room).
  const labelEvery = Math.max(1, Math.ceil(66 / Math.max(slot, 1)));
  const lastIndex = days.length - 1;
  const first = days[0]?.day;
  const last = days.at(-1)?.day;
  const summary = `${formatCount(total)} signups from ${first ? formatDay(first) : ''} to ${last ? formatDay(last) : ''}`;

  return (
    <div class="chart" ref={ref}>
      {width > 0 && (
        <svg width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label={`Signups per day by state: ${summary}`}>
          {[0, max / 2, max].map((tick) => (
            <g key={tick} class="axis">
              <line x1={PAD.left} x2={width - PAD.right} y1={y(tick)} y2={y(tick)} />
              <text x={PAD.left - 6} y={y(tick) + 4} text-anchor="end">
                {formatCount(tick)}
              </text>
            </g>
          ))}
          {days.map((day, index) => {
            const x = PAD.left + index * slot + (slot - barWidth) / 2;
            let base = 0;
            return (
              <g key={day.day} data-day={day.day}>
                {STATES.map((state) => {
                  const value = day[state];
                  if (value === 0) return null;
                  const top = y(base + value);
                  const height = y(base) - top;
                  base += value;
                  return (
                    <rect key={state} class={`bar s-${state}`} x={x} y={top} width={barWidth} height={Math.max(height, 1)}>
                      <title>{`${formatDay(day.day)}: ${value} ${state}`}</title>
                    </rect>
                  );
                })}
                {(lastIndex - index) % labelEvery === 0 && (
                  <text
                    class="axis-label"
                    x={index === lastIndex ? x + barWidth : x + barWidth / 2}
                    y={HEIGHT - 8}
                    text-anchor={index === lastIndex ? 'end' : 'middle'}
                  >
                    {formatDay(day.day)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      )}
      <ul class="legend" aria-label="Legend">
        {STATES.map((state) => (
          <li key={state}>
            <span class={`swatch s-${state}`} aria-hidden="true" />
            {state}
          </li>
        ))}
      </ul>
      <details>
        <summary>Show as a table</summary>
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Day</th>
              {STATES.map((state) => (
                <th scope="col" key={state}>
                  {state}
                </th>
              ))}
              <th scope="col">total</th>
            </tr>
          </thead>
          <tbody>
            {days
              .filter((day) => day.total > 0)
              .map((day) => (
                <tr key={day.day}>
                  <th scope="row">{day.day}</th>
                  {STATES.map((state) => (
                    <td key={state}>{day[state]}</td>
                  ))}
                  <td>{day.total}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
