/** Hash routes (`#/signups`, `#/signups/sgn_…`): the relay serves one page at /admin, and the back button works. */
import { useEffect, useState } from 'preact/hooks';

export type Route = { page: 'overview' } | { page: 'pages' } | { page: 'signups'; query: URLSearchParams } | { page: 'signup'; id: string };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'signups' && parts[1]) return { page: 'signup', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'pages') return { page: 'pages' };
  if (parts[0] === 'signups') return { page: 'signups', query: new URLSearchParams(search) };
  return { page: 'overview' };
}

export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash);
}

export const signupsHref = (query?: URLSearchParams) => `#/signups${query && query.toString() ? `?${query.toString()}` : ''}`;
export const signupHref = (id: string) => `#/signups/${encodeURIComponent(id)}`;
