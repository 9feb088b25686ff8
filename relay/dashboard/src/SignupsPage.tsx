/**
 * "Did Ana sign up?": every signup, searchable by name, email or impression, filtered by state
 * and source, a page at a time, each linking to its detail. The filters live in the URL
 * (shareable, and the back button restores them); the CSV export takes the same filters.
 */
import { useEffect, useState } from 'preact/hooks';
import { AdminApiError, type AdminApi, type SignupFilter, type SignupView } from './api';
import { formatTime } from './format';
import { signupHref, signupsHref } from './route';

const PAGE_SIZE = 25;
const STATES = ['queued', 'delivered', 'rejected', 'dead'] as const;
const SEARCH_FIELDS = { name: 'Name', email: 'Email', impression_id: 'Impression' } as const;
type SearchField = keyof typeof SEARCH_FIELDS;
const IMPRESSION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export interface SignupsPageProps {
  api: AdminApi;
  query: URLSearchParams;
  /** Sources known to the relay (stats' by_source), for the filter. */
  sources: string[];
  refreshKey: number;
  announce(message: string): void;
}

export const fullName = (signup: SignupView) => [signup.first_name, signup.last_name].filter(Boolean).join(' ') || '(personal data removed)';

function filterFrom(query: URLSearchParams): SignupFilter {
  const filter: SignupFilter = {};
  for (const key of ['state', 'source', 'name', 'email', 'impression_id'] as const) {
    const value = query.get(key);
    if (value) filter[key] = value;
  }
  return filter;
}

/** The field a filter searches (a name search when none). */
const searchFieldOf = (filter: SignupFilter): SearchField => (filter.impression_id ? 'impression_id' : filter.email ? 'email' : 'name');

/** Why a search cannot be sent as typed, or null. */
function searchProblem(field: SearchField, value: string): string | null {
  if (!value) return null;
  if (field === 'name' && value.length > 200) return 'A name search is at most 200 characters.';
  if (field === 'email' && !/^[^\s@]+@[^\s@]+$/.test(value)) return 'Enter a whole email address, e.g. ana@example.edu (matched exactly, ignoring case).';
  if (field === 'impression_id' && !IMPRESSION_ID.test(value)) return 'An impression id is 1 to 128 letters, digits or - _ . : characters, e.g. imp_123abc.';
  return null;
}

export function SignupsPage({ api, query, sources, refreshKey, announce }: SignupsPageProps) {
  const filter = filterFrom(query);
  const filterKey = JSON.stringify(filter);
  const initialField = searchFieldOf(filter);
  const [field, setField] = useState<SearchField>(initialField);
  const [term, setTerm] = useState(filter[initialField] ?? '');
  const [state, setState] = useState(filter.state ?? '');
  const [source, setSource] = useState(filter.source ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  /** Cursors of the pages before this one (the first page has none). */
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<{ items: SignupView[]; next: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  // A new filter (typed, or from the back button) starts again at the first page.
  useEffect(() => {
    setCursors([undefined]);
    const nextField = searchFieldOf(filter);
    setField(nextField);
    setTerm(filter[nextField] ?? '');
    setState(filter.state ?? '');
    setSource(filter.source ?? '');
  }, [filterKey]);

  const cursor = cursors.at(-1);
  useEffect(() => {
    let cancelled = false;
    setError(null);
    api
      .list(filter, { limit: PAGE_SIZE, cursor })
      .then((result) => !cancelled && setPage({ items: result.items, next: result.next_cursor }))
      .catch((failure: unknown) => !cancelled && setError(failure instanceof Error ? failure.message : String(failure)));
    return () => {
      cancelled = true;
    };
  }, [api, filterKey, cursor, refreshKey]);

  const submit = (event: Event) => {
    event.preventDefault();
    const value = term.trim();
    const why = searchProblem(field, value);
    setProblem(why);
    if (why) return;
    const next = new URLSearchParams();
    if (value) next.set(field, value);
    if (state) next.set('state', state);
    if (source) next.set('source', source);
    location.hash = signupsHref(next);
  };

  const exportCsv = async () => {
    setExporting(true);
    try {
      const { blob, filename, rows } = await api.exportCsv(filter);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      announce(rows === null ? `Exported the signups to ${filename}.` : `Exported ${rows} signup${rows === 1 ? '' : 's'} to ${filename}.`);
    } catch (failure) {
      setError(failure instanceof AdminApiError ? failure.message : String(failure));
    } finally {
      setExporting(false);
    }
  };

  const first = (cursors.length - 1) * PAGE_SIZE + 1;
  const described = describeFilter(filter);
  return (
    <main>
      <section class="card" aria-labelledby="signups-title">
        <h2 id="signups-title">Signups</h2>
        <form class="filters" role="search" aria-label="Find signups" onSubmit={submit} noValidate>
          <div class="filter-search">
            <label for="search-field">Search by</label>
            <select id="search-field" value={field} onChange={(event) => setField((event.target as HTMLSelectElement).value as SearchField)}>
              {Object.entries(SEARCH_FIELDS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            <label for="search-term" class="sr-only">
              {SEARCH_FIELDS[field]}
            </label>
            <input
              id="search-term"
              type={field === 'email' ? 'email' : 'text'}
              value={term}
              placeholder={field === 'email' ? 'ana@example.edu' : field === 'name' ? 'Ana Li' : 'imp_123abc'}
              autocomplete="off"
              spellcheck={false}
              onInput={(event) => setTerm((event.target as HTMLInputElement).value)}
              aria-invalid={problem !== null}
              aria-describedby={problem ? 'search-problem' : undefined}
            />
          </div>
          <div>
            <label for="filter-state">State</label>
            <select id="filter-state" value={state} onChange={(event) => setState((event.target as HTMLSelectElement).value)}>
              <option value="">Any state</option>
              {STATES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="filter-source">Source</label>
            <select id="filter-source" value={source} onChange={(event) => setSource((event.target as HTMLSelectElement).value)}>
              <option value="">Any source</option>
              {[...new Set(['widget', 'api', ...sources, ...(filter.source ? [filter.source] : [])])].map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </div>
          <div class="actions filter-actions">
            <button type="submit">Search</button>
            <a class="button secondary" href={signupsHref()}>
              Clear
            </a>
            <button type="button" class="secondary" onClick={() => void exportCsv()} disabled={exporting}>
              {exporting ? 'Exporting…' : 'Export CSV'}
            </button>
          </div>
          {problem && (
            <p class="error" id="search-problem" role="alert">
              {problem}
            </p>
          )}
        </form>
      </section>
      {error && (
        <p class="error banner" role="alert">
          {error}
        </p>
      )}
      <section class="card" aria-labelledby="results-title" aria-busy={page === null}>
        <h2 id="results-title">{described ? `Signups ${described}` : 'All signups'}</h2>
        {page === null ? (
          <p class="muted">Loading…</p>
        ) : page.items.length === 0 ? (
          <p class="empty">{cursors.length > 1 ? 'No more signups.' : `No signup ${described || 'yet'}.`}</p>
        ) : (
          <>
            <p class="muted">
              Showing {first}–{first + page.items.length - 1}, newest first.
            </p>
            <ul class="signups">
              {page.items.map((signup) => (
                <li key={signup.id} class="signup-row">
                  <div class="problem-head">
                    <span class={`badge s-${signup.state}`}>{signup.state}</span>
                    <a href={signupHref(signup.id)}>
                      <strong>{fullName(signup)}</strong>
                    </a>
                    <span class="email">{signup.email ?? ''}</span>
                  </div>
                  <p class="signup-facts">
                    <code>{signup.impression_id}</code> · {signup.source} · {formatTime(signup.created_at)}
                  </p>
                </li>
              ))}
            </ul>
          </>
        )}
        <nav class="actions pager" aria-label="Pages">
          <button type="button" class="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
          <button type="button" class="secondary" disabled={!page?.next} onClick={() => page?.next && setCursors([...cursors, page.next])}>
            Next page
          </button>
        </nav>
      </section>
    </main>
  );
}

function describeFilter(filter: SignupFilter): string {
  const parts: string[] = [];
  if (filter.name) parts.push(`named like “${filter.name}”`);
  if (filter.email) parts.push(`with email ${filter.email}`);
  if (filter.impression_id) parts.push(`on impression ${filter.impression_id}`);
  if (filter.state) parts.push(`in state ${filter.state}`);
  if (filter.source) parts.push(`from ${filter.source}`);
  return parts.join(', ');
}
