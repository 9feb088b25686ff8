/**
 * The hosted pages' one stylesheet, inlined under the response's CSP nonce (no extra request
 * on a phone's first view). Light and dark follow the system; the accent only colours the
 * button, with a text colour picked for contrast.
 */
export const PAGE_CSS = `:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fff;--muted:#4a4a55;--line:#767680;--err:#b3261e;--link:#1d4ed8;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:var(--fg);background:var(--bg)}
@media (prefers-color-scheme:dark){:root{--fg:#ececf1;--bg:#1c1c21;--muted:#c4c4cf;--line:#9a9aa6;--err:#ffb4ab;--link:#a8c1ff}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:34rem;padding:1.5rem 1rem 3rem}
header img{display:block;max-height:4rem;max-width:12rem;margin-bottom:1rem}
.club{margin:0;font-size:.875rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
h1{margin:.25rem 0 1rem;font-size:1.75rem;line-height:1.2}
a{color:var(--link)}
form{display:grid;gap:1rem;margin-top:1.5rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.opt{font-weight:400;color:var(--muted)}
input{width:100%;font:inherit;padding:.625rem .75rem;border:1px solid var(--line);border-radius:.5rem;background:var(--bg);color:var(--fg)}
input[type=file]{padding:.5rem}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--link);outline-offset:2px}
input[aria-invalid=true]{border-color:var(--err);border-width:2px}
.hint{margin:.25rem 0 0;font-size:.875rem;color:var(--muted)}
.err{margin:.25rem 0 0;color:var(--err);font-weight:600}
.alert{padding:.75rem 1rem;border:2px solid var(--err);border-radius:.5rem;color:var(--err);font-weight:600}
button{font:inherit;font-weight:600;padding:.75rem 1rem;border:0;border-radius:.5rem;background:var(--accent);color:var(--on-accent);cursor:pointer;min-height:3rem}
.hp{display:none}
.small{font-size:.875rem;color:var(--muted)}
`;

/** Black or white text on `hex`, whichever has the higher WCAG contrast. */
export function textColourOn(hex: string): '#000000' | '#ffffff' {
  const channel = (i: number) => {
    const value = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000000' : '#ffffff';
}

export const DEFAULT_ACCENT = '#1d4ed8';

export function pageCss(accent = DEFAULT_ACCENT): string {
  return `${PAGE_CSS}:root{--accent:${accent};--on-accent:${textColourOn(accent)}}\n`;
}
