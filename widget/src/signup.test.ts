/** The whole signup bundle on a page: script-tag config, queue stub, shadow root, body on the wire. */
import { fireEvent, within } from '@testing-library/preact';
import { HONEYPOT_FIELD, TIME_TO_FILL_FIELD } from '@vantio/shared/rules';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import es from './locales/es';
import fr from './locales/fr';

// The photo chunk as the page imports it, from beside the bundle (first try: `?r=0`, mount.ts): the real module.
vi.mock('https://relay.example.edu/vantio-photo.js?r=0', () => import('./photo'));

const w = window as any;
let fetchMock: ReturnType<typeof vi.fn>;

async function loadPage(scriptAttributes: string, query: string) {
  document.body.innerHTML = `
    <h1>Robotics Club</h1>
    <div data-vantio-signup></div>
    <div id="second"></div>
    <script type="text/plain" src="https://relay.example.edu/vantio-signup.js" nonce="n0nce" ${scriptAttributes}></script>`;
  history.replaceState(null, '', '/join' + query);
  vi.resetModules();
  delete w.__vantioSignup;
  await import('./signup');
}

const shadowOf = (element: Element | null) => element!.shadowRoot!;
const form = (host = document.querySelector('[data-vantio-signup]')) => within(shadowOf(host).querySelector('.r') as HTMLElement);

beforeEach(() => {
  localStorage.clear();
  document.cookie = 'vantio_imp=;max-age=0;path=/';
  // The relay: locale files as the build writes them (vite.config.ts), and signups.
  fetchMock = vi.fn(async (url: string) => {
    const locale = /vantio-locale-(\w+)\.json$/.exec(url)?.[1];
    if (locale) return new Response(JSON.stringify({ es, fr }[locale]), { status: 200 });
    return new Response(JSON.stringify({ id: 'sgn_1', state: 'queued', created_at: 'now' }), { status: 202 });
  });
  vi.stubGlobal('fetch', fetchMock);
  // The README's queue stub, with calls made before the script arrives.
  w.VantioSignup = function (...args: unknown[]) {
    (w.VantioSignup.q = w.VantioSignup.q || []).push(args);
  };
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  delete w.VantioSignup;
});

it('captures, mounts into an open shadow root configured by data- attributes, and replays queued calls', async () => {
  const ready = vi.fn();
  w.VantioSignup('on', 'ready', ready);
  // Without the photo field here: a mount's options win over the script's. (Also, vitest's mocker
  // fails one of two concurrent imports of the same mocked URL; a browser shares the one fetch.)
  w.VantioSignup('mount', '#second', { locale: 'fr', fields: [] });
  await loadPage('data-locale="es" data-theme="dark" data-fields="profile_picture"', '?impression_id=imp_42&utm_source=poster');

  expect(location.search).toBe('?utm_source=poster');
  expect(ready).toHaveBeenCalledWith({ impression_id: 'imp_42' });
  expect(w.VantioSignup('impression')).toBe('imp_42');

  const host = document.querySelector('[data-vantio-signup]')!;
  const root = shadowOf(host).querySelector('.r')!;
  expect(root.className).toBe('r d');
  expect(root.getAttribute('lang')).toBe('es');
  // Spanish and French come from vantio-locale-<code>.json beside the bundle.
  await vi.waitFor(() => expect(form().getByLabelText('Nombre')).toBeTruthy());
  expect(fetchMock).toHaveBeenCalledWith('https://relay.example.edu/vantio-locale-es.json');
  // The photo field's chunk, imported from beside the bundle, in the page's language too.
  await vi.waitFor(() => expect((form().getByLabelText('Foto (opcional)') as HTMLInputElement).type).toBe('file'));
  await vi.waitFor(() => expect(form(document.querySelector('#second')).getByLabelText('Prénom')).toBeTruthy());
  expect(form(document.querySelector('#second')).queryByLabelText(/Photo/)).toBeNull();
  // Styles arrive as a constructable stylesheet (or a nonce'd <style>), never as style="".
  // (Two sheets: the form's, and the photo field's own, added by its chunk.)
  const styled = shadowOf(host).adoptedStyleSheets.length === 2 || shadowOf(host).querySelector('style')?.nonce === 'n0nce';
  expect(styled).toBe(true);
  expect(shadowOf(host).querySelector('[style]')).toBeNull();
});

it('sends exactly the fields the relay accepts, with automatic metadata and the page’s extras', async () => {
  w.VantioSignup('set', { metadata: { club: 'robotics', source: 'ignored' }, profile_picture: 'https://cdn.example.edu/a.png' });
  await loadPage('', '?imp=imp_7&utm_campaign=fall&utm_medium=qr');
  const ui = form();
  fireEvent.input(ui.getByLabelText('First name'), { target: { value: ' Ada ' } });
  fireEvent.input(ui.getByLabelText('Last name'), { target: { value: 'Lovelace' } });
  fireEvent.input(ui.getByLabelText('Email'), { target: { value: 'ada@example.edu ' } });
  fireEvent.click(ui.getByRole('button'));
  await vi.waitFor(() => expect(ui.getByRole('status').textContent).toBe('Thanks, Ada! You’re signed up.'));

  const [url, init] = fetchMock.mock.calls[0]!;
  expect(url).toBe('https://relay.example.edu/v1/signups');
  const body = JSON.parse(init.body);
  expect(Object.keys(body).sort()).toEqual(
    ['email', 'first_name', 'impression_id', 'last_name', 'metadata', 'profile_picture', TIME_TO_FILL_FIELD].sort(),
  );
  expect(body).toMatchObject({
    impression_id: 'imp_7',
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: 'ada@example.edu',
    profile_picture: 'https://cdn.example.edu/a.png',
    metadata: { club: 'robotics', source: 'widget', page: '/join', utm_campaign: 'fall', utm_medium: 'qr' },
  });
  expect(body[HONEYPOT_FIELD]).toBeUndefined();
});

it('uses data-relay and shows the configurable message when there is no impression', async () => {
  await loadPage(`data-relay="https://relay.other.edu/" data-strings='{"none":"Scan a Robotics poster to join."}'`, '');
  expect(form().getByText('Scan a Robotics poster to join.')).toBeTruthy();
  expect(shadowOf(document.querySelector('[data-vantio-signup]')).querySelector('form')).toBeNull();
});

it('consent mode: the form appears once consent reveals an impression stored on an earlier visit', async () => {
  localStorage.setItem('vantio_imp', JSON.stringify({ id: 'imp_earlier', exp: Date.now() + 60_000 }));
  await loadPage('data-consent="required"', '');
  expect(shadowOf(document.querySelector('[data-vantio-signup]')).querySelector('form')).toBeNull();
  w.VantioSignup('consent');
  expect(w.VantioSignup('impression')).toBe('imp_earlier');
  expect(form().getByLabelText('First name')).toBeTruthy();
});

it('unmounts and mounts again on request; ignores unknown commands loudly', async () => {
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  await loadPage('', '?impression_id=imp_1');
  const host = document.querySelector('[data-vantio-signup]')!;
  w.VantioSignup('unmount', host);
  expect(shadowOf(host).querySelector('.r')).toBeNull();
  w.VantioSignup('mount', host);
  expect(shadowOf(host).querySelectorAll('.r')).toHaveLength(1);
  w.VantioSignup('explode');
  expect(error).toHaveBeenCalledWith('VantioSignup: unknown command', 'explode');
  w.VantioSignup('set', { profile_picture: 'javascript:alert(1)' });
  expect(error).toHaveBeenCalledWith('VantioSignup: bad profile_picture');
});

it('falls back to English when a locale file cannot be fetched', async () => {
  await loadPage('data-locale="fr"', '?impression_id=imp_1');
  fetchMock.mockClear();
  fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
  const host = document.querySelector('#second')!;
  w.VantioSignup('mount', host, { locale: 'es' });
  await vi.waitFor(() => expect(form(host).getByLabelText('First name')).toBeTruthy());
});

it('shows the next step from data-success-message and data-success-url after a signup', async () => {
  await loadPage('data-success-message="Join our Discord" data-success-url="https://discord.gg/robotics"', '?impression_id=imp_1');
  const ui = form();
  fireEvent.input(ui.getByLabelText('First name'), { target: { value: 'Sam' } });
  fireEvent.input(ui.getByLabelText('Last name'), { target: { value: 'Okafor' } });
  fireEvent.input(ui.getByLabelText('Email'), { target: { value: 'sam@example.edu' } });
  fireEvent.click(ui.getByRole('button'));
  await vi.waitFor(() => expect(ui.getByRole('status').textContent).toBe('Thanks, Sam! You’re signed up.'));
  expect((ui.getByRole('link', { name: 'Join our Discord' }) as HTMLAnchorElement).href).toBe('https://discord.gg/robotics');
});

it('refuses a success URL that is not http(s), loudly', async () => {
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  await loadPage('data-success-url="javascript:alert(1)"', '?impression_id=imp_1');
  expect(error).toHaveBeenCalledWith('VantioSignup: bad success URL');
});

it('remove() releases every listener and timer it added; mounting again afterwards works', async () => {
  vi.useFakeTimers();
  const active = new Map<EventTarget, Set<unknown>>();
  for (const target of [window, document] as EventTarget[]) {
    const listeners = new Set<unknown>();
    active.set(target, listeners);
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    vi.spyOn(target, 'addEventListener').mockImplementation((type, listener, options) => {
      listeners.add(listener);
      add(type, listener, options);
    });
    vi.spyOn(target, 'removeEventListener').mockImplementation((type, listener, options) => {
      listeners.delete(listener);
      remove(type, listener, options);
    });
  }
  const live = () => [...active.values()].reduce((sum, set) => sum + set.size, 0);
  // With the photo field: its chunk adds nothing to the page that would outlive the form.
  await loadPage('data-fields="profile_picture"', '?impression_id=imp_1');
  await vi.waitFor(() => expect(form().getByLabelText('Photo (optional)')).toBeTruthy());
  w.VantioSignup('on', 'success', () => {});
  // An unreachable relay leaves a retry timer behind.
  fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
  const ui = form();
  fireEvent.input(ui.getByLabelText('First name'), { target: { value: 'Ada' } });
  fireEvent.input(ui.getByLabelText('Last name'), { target: { value: 'Lovelace' } });
  fireEvent.input(ui.getByLabelText('Email'), { target: { value: 'ada@example.edu' } });
  fireEvent.click(ui.getByRole('button'));
  await vi.advanceTimersByTimeAsync(0);
  expect(live()).toBeGreaterThan(0);
  expect(vi.getTimerCount()).toBe(1);

  w.VantioSignup('unmount');
  expect(live()).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
  const host = document.querySelector('[data-vantio-signup]')!;
  expect(shadowOf(host).querySelector('.r')).toBeNull();

  // Mounting again starts afresh, and the kept submission goes out once the relay answers.
  fetchMock.mockResolvedValue(new Response(JSON.stringify({ id: 'sgn_1', state: 'queued', created_at: 'now' }), { status: 202 }));
  w.VantioSignup('mount', host);
  expect(shadowOf(host).querySelectorAll('.r')).toHaveLength(1);
  // The kept submission's backoff (at most 1 s) runs out, and it goes out.
  await vi.advanceTimersByTimeAsync(1_500);
  expect(form().getByRole('status').textContent).toBe('Thanks, Ada! You’re signed up.');
  w.VantioSignup('remove');
  expect(live()).toBe(0);
  vi.useRealTimers();
});

it('works where every device API throws (a sandboxed frame): the form, a notice, and the signup goes out', async () => {
  const refuse = () => {
    throw new DOMException('sandboxed', 'SecurityError');
  };
  vi.spyOn(window, 'localStorage', 'get').mockImplementation(refuse);
  vi.spyOn(window, 'sessionStorage', 'get').mockImplementation(refuse);
  Object.defineProperty(document, 'cookie', { configurable: true, get: refuse, set: refuse });
  try {
    await loadPage('data-impression-id="imp_tag"', '');
    const ui = form();
    expect(ui.getByText(/blocks storage/)).toBeTruthy();
    fireEvent.input(ui.getByLabelText('First name'), { target: { value: 'Ada' } });
    fireEvent.input(ui.getByLabelText('Last name'), { target: { value: 'Lovelace' } });
    fireEvent.input(ui.getByLabelText('Email'), { target: { value: 'ada@example.edu' } });
    fireEvent.click(ui.getByRole('button'));
    await vi.waitFor(() => expect(ui.getByRole('status').textContent).toBe('Thanks, Ada! You’re signed up.'));
    expect(JSON.parse(fetchMock.mock.calls.at(-1)![1].body).impression_id).toBe('imp_tag');
  } finally {
    delete (document as { cookie?: string }).cookie;
  }
});
