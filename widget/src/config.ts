/**
 * Configuration from the `data-` attributes of the widget's own `<script>` tag, so a club
 * officer configures everything in the two lines they paste. Shared by both bundles.
 */
export interface CaptureConfig {
  /** URL parameter names that carry the impression id, in order of preference. */
  params: string[];
  /** Attribution window: how long a captured id is kept. */
  days: number;
  /** First touch keeps the first id seen in the window; last touch (default) keeps the newest. */
  firstTouch: boolean;
  cookieDomain: string | undefined;
  /** Consent mode: nothing is written to the device until `VantioSignup('consent')`. */
  consentRequired: boolean;
  /** `data-impression-id`: for page builders that can template the id into the tag but not the URL. */
  impressionId: string | undefined;
}

export const list = (value: string | undefined, fallback: string[] = []): string[] =>
  value ? value.split(',').map((item) => item.trim()).filter(Boolean) : fallback;

/** The `<script>` that loaded us: `currentScript` while it runs, else a lookup by file name. */
export function ownScript(): HTMLScriptElement | null {
  return (document.currentScript as HTMLScriptElement | null) ?? document.querySelector('script[src*="vantio-"]');
}

export function readCaptureConfig(script: HTMLScriptElement | null): CaptureConfig {
  const data = script?.dataset ?? {};
  const days = Number(data.windowDays);
  return {
    params: list(data.params, ['impression_id', 'imp']),
    days: days > 0 ? days : 30,
    firstTouch: data.touch == 'first',
    cookieDomain: data.cookieDomain,
    consentRequired: data.consent == 'required',
    impressionId: data.impressionId,
  };
}

/** Runs `start` once the document is parsed, so auto-mount and queued commands find their elements. */
export function whenParsed(start: () => void): void {
  if (document.readyState == 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
