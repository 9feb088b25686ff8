/**
 * Impression capture, the first thing both bundles do: read the id from the URL, keep it
 * first-party for the attribution window, and take it out of the address bar so a shared or
 * bookmarked link does not carry someone else's poster scan.
 */
import { checkImpressionId } from '@vantio/shared/rules';
import type { CaptureConfig } from './config';

const STORE_KEY = 'vantio_imp';

const isImpression = (value: unknown): value is string => typeof value === 'string' && !checkImpressionId(value);

/** What this page knows: the impression a submission carries, and whether we may write to the device. */
export const captured = { id: null as string | null, canStore: true };

let config: CaptureConfig;
let urlId: string | null = null;

export function capture(cfg: CaptureConfig): string | null {
  config = cfg;
  captured.canStore = !cfg.consentRequired;
  urlId = takeFromUrl(cfg.params);
  resolve();
  return captured.id;
}

/**
 * Consent given: read and store as usual. Withdrawn: erase the stored id and keep only this
 * page's, which still goes with a submission made here.
 */
export function setConsent(granted: boolean): void {
  captured.canStore = granted;
  if (granted) resolve();
  else {
    write(null);
    captured.id = urlId;
  }
}

/** Picks the id by first or last touch and stores the URL's one when allowed. */
function resolve(): void {
  // In consent mode the device is not even read before consent.
  const kept = captured.canStore ? readStored() : null;
  captured.id = config.firstTouch ? (kept ?? urlId) : (urlId ?? kept);
  if (captured.canStore && urlId && !(config.firstTouch && kept)) write(urlId);
}

/** Removes every configured parameter from the address bar, leaving the others byte for byte. */
function takeFromUrl(names: string[]): string | null {
  const found: string[] = [];
  const parts = location.search.slice(1).split('&');
  const kept = parts.filter((part) => {
    const [[name, value] = []] = new URLSearchParams(part);
    const index = names.indexOf(name!);
    if (index < 0) return true;
    found[index] ??= value!;
    return false;
  });
  if (kept.length < parts.length) {
    // Absolute, so a <base href> on the page cannot point it elsewhere.
    const url = location.origin + location.pathname + (kept.length ? '?' + kept.join('&') : '') + location.hash;
    history.replaceState(history.state, '', url);
  }
  return found.find(isImpression) ?? null;
}

function readStored(): string | null {
  try {
    const stored = JSON.parse(localStorage.getItem(STORE_KEY)!);
    if (stored.exp > Date.now() && isImpression(stored.id)) return stored.id;
  } catch {
    // No storage, nothing stored or garbage: the cookie may still have it (another subdomain).
  }
  const cookie = /(?:^|;\s*)vantio_imp=([^;]+)/.exec(document.cookie)?.[1];
  return isImpression(cookie) ? cookie : null;
}

/** Writes (or with null erases) the id in localStorage and a cookie that expire with the window. */
function write(id: string | null): void {
  const seconds = id ? Math.round(config.days * 86400) : 0;
  try {
    if (id) localStorage.setItem(STORE_KEY, JSON.stringify({ id, exp: Date.now() + seconds * 1000 }));
    else localStorage.removeItem(STORE_KEY);
  } catch {
    // Storage disabled: the cookie still carries it.
  }
  // The id passed isImpression, so it needs no cookie escaping.
  document.cookie =
    `${STORE_KEY}=${id ?? ''};max-age=${seconds};path=/;samesite=lax` +
    (location.protocol === 'https:' ? ';secure' : '') +
    (config.cookieDomain ? ';domain=' + config.cookieDomain : '');
}

/**
 * Hands the id to existing signup systems (Typeform, Tally, …): a hidden input in the opted-in
 * forms and the parameter on links to the configured domains, also for content added later.
 */
export function decorate(name: string, id: string, forms: string | undefined, linkDomains: string[]): void {
  // An invalid data-forms selector throws here, with the browser's own clear message.
  const run = () => {
    if (forms) {
      document.querySelectorAll<HTMLFormElement>(forms).forEach((form) => {
        if (form.elements.namedItem(name)) return;
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = id;
        form.append(input);
      });
    }
    for (const link of linkDomains.length ? document.links : []) {
      const host = link.hostname;
      if (!linkDomains.some((domain) => host === domain || host.endsWith('.' + domain))) continue;
      const url = new URL(link.href);
      if (url.searchParams.has(name)) continue;
      url.searchParams.set(name, id);
      link.href = url.href;
    }
  };
  if (!forms && !linkDomains.length) return;
  run();
  new MutationObserver(run).observe(document.documentElement, { childList: true, subtree: true });
}
