/**
 * The CORS allowlist: exact origins, `https://*.example.edu` for every subdomain, or `*`.
 * The relay's own origin is allowed too (its /demo page posts to it), but only as
 * RELAY_PUBLIC_URL names it: never from the Host header, which a DNS-rebinding page controls
 * (`Host: rebind.evil.example` with the matching Origin would otherwise be "same origin").
 *
 * An Origin header is compared as sent: browsers always serialise it in lower case, so an
 * upper-case spelling is not a browser and gets nothing. A wildcard matches only when what
 * stands for `*` is DNS labels (`a.b`), never `evil.com?`, `x@y` or `a b`.
 */
export type OriginCheck = (origin: string) => boolean;

const DNS_LABELS = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

export function createOriginCheck(allowed: readonly string[], publicUrl?: string): OriginCheck {
  const exact = new Set<string>();
  const suffixes: { scheme: string; suffix: string }[] = [];
  let any = false;
  if (publicUrl) exact.add(new URL(publicUrl).origin);
  for (const entry of allowed) {
    const origin = entry.toLowerCase();
    if (origin === '*') any = true;
    else if (origin.includes('://*.')) {
      const [scheme, rest] = origin.split('://*') as [string, string];
      suffixes.push({ scheme: `${scheme}://`, suffix: rest });
    } else exact.add(origin);
  }
  return (origin) => {
    if (any || exact.has(origin)) return true;
    return suffixes.some(({ scheme, suffix }) => {
      if (!origin.startsWith(scheme)) return false;
      const host = origin.slice(scheme.length);
      return host.endsWith(suffix) && DNS_LABELS.test(host.slice(0, -suffix.length));
    });
  };
}
