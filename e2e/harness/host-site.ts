/**
 * A campus club's own web server, on another origin than the relay: the real deployment.
 * Its pages embed the README snippet under a strict CSP that allows only the relay.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostSite {
  origin: string;
  /** The same server under another origin (127.0.0.1), which the relay's allowlist does not name. */
  unlistedOrigin: string;
  /** The relay the pages embed (known once it has started). */
  useRelay(url: string): void;
  close(): Promise<void>;
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head><body><main><h1>${title}</h1>
${body}
</main></body></html>`;

/** The README's queue stub, then calls made before the widget has loaded. */
const CLUB_JS = `window.VantioSignup = window.VantioSignup || function(){(VantioSignup.q=VantioSignup.q||[]).push(arguments)};
window.clubEvents = [];
['ready', 'submit', 'success', 'queued', 'error'].forEach(function (name) {
  VantioSignup('on', name, function (detail) { clubEvents.push([name, detail]); });
});
VantioSignup('set', { metadata: { club: 'chess', campus: 'north' } });
`;

export async function startHostSite(): Promise<HostSite> {
  let relay = '';
  const pages: Record<string, (query: URLSearchParams) => string> = {
    // The README snippet, as a club officer pastes it, after the site's own script using the
    // queue stub (in a file: this site's CSP allows no inline script).
    '/join': () =>
      page(
        'Chess Society',
        `<script src="/club.js"></script>\n<p>Sign up below.</p>\n<script async src="${relay}/vantio-signup.js"></script>\n<div data-vantio-signup></div>`,
      ),
    // The snippet with the optional photo field: its chunk comes from the relay too, under the same CSP.
    '/photo': () =>
      page(
        'Photography Club',
        `<p>Sign up below, with a photo if you like.</p>\n<script async src="${relay}/vantio-signup.js" data-fields="profile_picture"></script>\n<div data-vantio-signup></div>`,
      ),
    // How page builders such as Google Sites embed code: a sandboxed frame without
    // allow-same-origin, on a page whose URL carries the poster's id out of the frame's reach.
    // `?tag=<id>`: a builder that templates the id into the embed's script tag.
    '/framed': (query) => {
      const src = query.get('tag') ? `/embed?tag=${encodeURIComponent(query.get('tag')!)}` : '/embed';
      return page('Robotics Club', `<p>Join us below.</p>\n<iframe title="Signup" src="${src}" sandbox="allow-scripts allow-forms" width="360" height="560"></iframe>`);
    },
    '/embed': (query) => {
      const tag = query.get('tag') ? ` data-impression-id="${query.get('tag')!.replace(/[^\w.:-]/g, '')}"` : '';
      return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Embed</title></head><body>
<script async src="${relay}/vantio-signup.js"${tag}></script>\n<div data-vantio-signup></div></body></html>`;
    },
    // The capture-only bundle feeding an existing signup system (Tally here).
    '/tally': () =>
      page(
        'Climbing Club',
        `<script async src="${relay}/vantio-capture.js" data-forms="form.tally" data-link-domains="tally.so"></script>
<form class="tally" action="https://tally.so/r/abc" method="post"><label>Email <input name="email" type="email"></label></form>
<p><a id="tally" href="https://tally.so/r/abc?lang=en">Sign up on Tally</a> · <a id="other" href="https://example.org/">Elsewhere</a></p>`,
      ),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path === '/club.js') {
      return res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(CLUB_JS);
    }
    // A club site has its own icon; without one the browser logs a 404 that is not the widget's.
    if (path === '/favicon.ico') return res.writeHead(204).end();
    const render = pages[path];
    if (!render) return res.writeHead(404).end();
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'self'; script-src 'self' ${relay}; connect-src 'self' ${relay}`,
    });
    res.end(render(url.searchParams));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // A different host name than the relay's 127.0.0.1: a separate origin, as on a campus site.
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    unlistedOrigin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    useRelay: (url) => (relay = url),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
