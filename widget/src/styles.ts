/**
 * The form's styles. Colours are CSS custom properties: the host page themes the widget by
 * setting `--vantio-*` on the mount element (they inherit into the shadow root, and apply to
 * both schemes); the defaults follow `prefers-color-scheme` unless `data-theme` pins light
 * (`.l`) or dark (`.d`).
 * Sizes favour phones: 16px inputs (no iOS zoom on focus) and 44px+ touch targets.
 */
const DARK =
  '--t:var(--vantio-text,#ececf1);--b:var(--vantio-bg,#1c1c21);--l:var(--vantio-border,#9b9ba6);' +
  '--a:var(--vantio-accent,#a8c1ff);--o:var(--vantio-on-accent,#0b1020);--e:var(--vantio-error,#ffb4a9)';

export const CSS =
  `.r{--t:var(--vantio-text,#1b1b1f);--b:var(--vantio-bg,#fff);--l:var(--vantio-border,#767676);` +
  `--a:var(--vantio-accent,#1d4ed8);--o:var(--vantio-on-accent,#fff);--e:var(--vantio-error,#b42318);` +
  `color:var(--t);background:var(--b);padding:1rem;max-width:32rem;` +
  `font:16px/1.5 var(--vantio-font,system-ui,sans-serif);border-radius:var(--vantio-radius,12px)}` +
  `@media(prefers-color-scheme:dark){.r:not(.l){${DARK}}}.d{${DARK}}` +
  `*{box-sizing:border-box}form{display:grid;gap:1rem}p{margin:0}label{display:block;font-weight:600;margin-bottom:4px}` +
  `input,button,.n{display:block;width:100%;min-height:2.75rem;font:inherit;border-radius:8px}` +
  `input{padding:.5rem .75rem;color:inherit;background:inherit;border:1px solid var(--l)}` +
  `[aria-invalid]{border:2px solid var(--e)}.x{color:var(--e)}` +
  `button,.n{font-weight:600;border:0;cursor:pointer;color:var(--o);background:var(--a)}[aria-disabled]{cursor:progress}` +
  `:focus-visible{outline:3px solid var(--a);outline-offset:2px}.s:not(:empty){margin-top:1rem}` +
  // The confirmation: a round check, the thanks as a title, the next step as a button-like link.
  `.t,.t~*{text-align:center}.t{font-size:1.25rem;font-weight:600}.n{margin-top:1rem;padding:.5rem;text-decoration:none}` +
  `.t:before{content:"✓";display:block;margin:auto;width:3rem;line-height:3rem;border-radius:50%;color:var(--o);background:var(--a)}` +
  // The honeypot: off-screen for people, still in the DOM for form-filling bots.
  `.h{position:absolute;left:-9999px}`;

/**
 * Constructable stylesheets are not `style-src` inline content, so they work under a strict CSP;
 * older browsers get a `<style>` carrying the nonce of our own script tag.
 */
export function applyStyles(root: ShadowRoot, nonce: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement('style');
    style.nonce = nonce;
    style.textContent = CSS;
    root.prepend(style);
  }
}
