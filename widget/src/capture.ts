/**
 * Impression capture, the first thing both bundles do: read the id from the URL, keep it
 * first-party for the attribution window, and take it out of the address bar so a shared or
 * bookmarked link does not carry someone else's poster scan.
 *
 * Every touch of cookies, storage and history goes through `guard`: in a sandboxed frame
 * (page builders' embeds) or with storage disabled each of them throws, and the widget must
 * still show its form or a message, never an empty box.
 */
import { checkImpressionId } from '@vantio/shared/rules';
import type { CaptureConfig } from './config';

const STORE_KEY = 'vantio_imp';

const isImpression = (value: unknown): value is string => typeof value === 'string' && !checkImpressionId(value);

/** Runs `action`; a browser that refuses it (SecurityError, quota, disabled cookies) yields undefined. */
export function guard<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    // refused: undefined
  }
}

/** What this page knows about the impression, owned by one widget instance. */
export interface Captured {
  /** The impression a submission carries. */
  id: string | null;
  /** Whether we may write to the device (false in consent mode until consent). */
  canStore: boolean;
  /** Consent given: read and store as usual. Withdrawn: erase the stored id and keep only this page's. */
  consent(granted: boolean): void;
}

export function capture(config: CaptureConfig): Captured {
  // The script tag's data-impression-id first: a builder that templates it knows best.
  const pageId = takeFromUrl(config.params, config.impressionId);
  const captured: Captured = {
    id: null,
    canStore: !config.consentRequired,
    consent(granted) {
      captured.canStore = granted;
      if (granted) resolve();
      else {
        writeStored(config, null);
        captured.id = pageId;
      }
    },
  };
  /** Picks the id by first or last touch and stores this page's one when allowed. */
  const resolve = () => {
    // In consent mode the device is not even read before consent.
    const kept = captured.canStore ? readStored() : null;
    captured.id = config.firstTouch ? (kept ?? pageId) : (pageId ?? kept);
    if (captured.canStore && pageId && !(config.firstTouch && kept)) writeStored(config, pageId);
  };
  resolve();
  return captured;
}

/**
 * Removes every configured parameter from the address bar, leaving the others byte for byte;
 * returns `preferred` if it is an id, else the first parameter's that is.
 */
function takeFromUrl(names: string[], preferred: string | undefined): string | null {
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
    guard(() => history.replaceState(history.state, '', url));
  }
  return [preferred, ...found].find(isImpression) ?? null;
}

/** A same-origin parent page's id (read only; its address bar is its own business). */
const idIn = (search: string | undefined, names: string[]) =>
  names.map((name) => new URLSearchParams(search).get(name)).find(isImpression) ?? null;

/** In a frame whose top page is another origin: an id in that page's URL cannot reach us. */
export const isFramed = () => top !== self && guard(() => top!.location.href) === undefined;

function readStored(): string | null {
  const stored = guard(() => JSON.parse(localStorage.getItem(STORE_KEY)!));
  // No storage, nothing stored, expired or garbage: the cookie may still have it (another subdomain).
  const id = stored?.exp > Date.now() && isImpression(stored.id) ? stored.id : /(?:^|;\s*)vantio_imp=([^;]+)/.exec(guard(() => document.cookie)!)?.[1]; // exec(undefined) reads "undefined": no match
  return isImpression(id) ? id : null;
}

/** Writes (or with null erases) the id in localStorage and a cookie that expire with the window. */
function writeStored(config: CaptureConfig, id: string | null): void {
  const seconds = id ? Math.round(config.days * 86400) : 0;
  guard(() =>
    id ? localStorage.setItem(STORE_KEY, JSON.stringify({ id, exp: Date.now() + seconds * 1000 })) : localStorage.removeItem(STORE_KEY),
  );
  // The id passed isImpression, so it needs no cookie escaping.
  guard(
    () =>
      (document.cookie =
        `${STORE_KEY}=${id ?? ''};max-age=${seconds};path=/;samesite=lax` +
        (location.protocol === 'https:' ? ';secure' : '') +
        (config.cookieDomain ? ';domain=' + config.cookieDomain : '')),
  );
}

/**
 * Whether localStorage or a cookie survives a write: a read alone does not tell (Safari's
 * private mode). The probe cookie expires by itself within seconds.
 */
export const canKeep = () =>
  !!guard(() => (localStorage.setItem('vantio_probe', '1'), localStorage.removeItem('vantio_probe'), 1)) ||
  !!guard(() => ((document.cookie = 'vantio_probe=1;max-age=5;path=/'), document.cookie.includes('vantio_probe')));

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
