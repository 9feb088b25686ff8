/**
 * Every word the form shows (the photo field's English is in its chunk, photo.tsx, so a page
 * without the field does not carry it). English is built in; Spanish and French (locales/*.ts) are built
 * into `vantio-locale-<code>.json` beside the bundle and fetched only by a page that uses them,
 * so they cost a visitor of an English page no bytes. Each string can be overridden
 * (data-strings, or `strings` when mounting). Rare rule failures share `invalid`.
 */
import type { PhotoStrings } from './photo';

const en = {
  first: 'First name',
  last: 'Last name',
  email: 'Email',
  submit: 'Sign up',
  sending: 'Sending…',
  required: 'This is required.',
  invalid_email: 'Enter a valid email.',
  invalid: 'Please check this.',
  fix: 'Please fix the marked fields.',
  done: 'Thanks, {name}! You’re signed up.',
  saved: 'You’re offline. Your signup is saved and will be sent automatically.',
  savedTab: 'You’re offline. Keep this page open to send it automatically.',
  error: 'Something went wrong. Please try again.',
  none: 'To sign up, scan the QR code on a club poster.',
  framed: 'Inside this page, the form can’t see which poster you scanned. Ask the club for a direct signup link.',
  noStore: 'Your browser blocks storage: sign up now, this page won’t remember you later.',
  refused: 'This page isn’t set up for signups yet. Please tell the club.',
};

/** The form's strings, and the photo field's: their English is in its chunk (photo.tsx). */
export type Strings = typeof en & Partial<PhotoStrings>;

/** The locales fetched on demand, as vite.config.ts builds them; English is built in. */
const FETCHED = ['es', 'fr'];

/** The built-in locale for a tag such as `es-MX` or the browser's language; English otherwise. */
export function localeOf(requested?: string): string {
  const code = (requested || navigator.language || '').slice(0, 2).toLowerCase();
  return FETCHED.includes(code) ? code : 'en';
}

/**
 * A non-English locale's strings from `base` (the bundle's folder); a failed fetch falls back to
 * English rather than leaving the box empty.
 */
export async function loadStrings(locale: string, base: string): Promise<Strings> {
  try {
    const response = await fetch(`${base}vantio-locale-${locale}.json`);
    if (response.ok) return { ...en, ...(await response.json()) };
  } catch {
    // Offline or blocked: English below.
  }
  return en;
}

export { en };
