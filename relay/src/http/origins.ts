/**
 * The CORS allowlist: exact origins, `https://*.example.edu` for every subdomain, or `*`.
 * The relay's own origin is always allowed (its /demo page posts to it).
 */
export type OriginCheck = (origin: string, selfOrigin: string) => boolean;

export function createOriginCheck(allowed: readonly string[]): OriginCheck {
  const exact = new Set<string>();
  const suffixes: { scheme: string; suffix: string }[] = [];
  let any = false;
  for (const entry of allowed) {
    const origin = entry.toLowerCase();
    if (origin === '*') any = true;
    else if (origin.includes('://*.')) {
      const [scheme, rest] = origin.split('://*') as [string, string];
      suffixes.push({ scheme: `${scheme}://`, suffix: rest });
    } else exact.add(origin);
  }
  return (origin, selfOrigin) => {
    const o = origin.toLowerCase();
    if (any || o === selfOrigin.toLowerCase() || exact.has(o)) return true;
    return suffixes.some(({ scheme, suffix }) => {
      if (!o.startsWith(scheme)) return false;
      const host = o.slice(scheme.length);
      return host.endsWith(suffix) && host.length > suffix.length && !host.slice(0, -suffix.length).includes('/');
    });
  };
}
