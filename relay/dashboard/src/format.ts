/** Small formatting helpers for figures, ages and dates (UTC, as the relay counts days). */

const number = new Intl.NumberFormat('en');
export const formatCount = (value: number) => number.format(value);

/** 42 s, 7 min, 3 h 5 min, 2 d 4 h. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

export const formatMs = (ms: number | null) => (ms === null ? '—' : ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms / 1000));

const dayFormat = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
/** `2026-01-15` → `Jan 15`. */
export const formatDay = (day: string) => dayFormat.format(new Date(`${day}T00:00:00Z`));

const timeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
export const formatTime = (iso: string | null) => (iso ? `${timeFormat.format(new Date(iso))} UTC` : '—');

/**
 * Groups error messages that differ only by ids (`imp_…`, `sgn_…`), so "impression
 * imp_a not found" and "impression imp_b not found" count as one reason.
 */
export function failureReasons(messages: Array<string | null>): Array<{ reason: string; count: number }> {
  const counts = new Map<string, number>();
  for (const message of messages) {
    const reason = (message ?? 'no error recorded').replace(/\b(imp|sgn|ref|prog|user)_[A-Za-z0-9_.:-]+/g, '$1_…');
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
