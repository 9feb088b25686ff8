/** The whole signup bundle on a page: script-tag config, queue stub, shadow root, body on the wire. */
import { fireEvent, within } from '@testing-library/preact';
import { HONEYPOT_FIELD, TIME_TO_FILL_FIELD } from '@vantio/shared/rules';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

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
  fetchMock = vi.fn(async () => new Response(JSON.stringify({ id: 'sgn_1', state: 'queued', created_at: 'now' }), { status: 202 }));
  vi.stubGlobal('fetch', fetchMock);
  // The README's queue stub, with calls made before the script arrives.
  w.VantioSignup = function (...args: unknown[]) {
    (w.VantioSignup.q = w.VantioSignup.q || []).push(args);
  };
});
afterEach(() => {
  vi.unstubAllGlobals();
  delete w.VantioSignup;
});

it('captures, mounts into an open shadow root configured by data- attributes, and replays queued calls', async () => {
  const ready = vi.fn();
  w.VantioSignup('on', 'ready', ready);
  w.VantioSignup('mount', '#second', { locale: 'fr' });
  await loadPage('data-locale="es" data-theme="dark" data-fields="profile_picture"', '?impression_id=imp_42&utm_source=poster');

  expect(location.search).toBe('?utm_source=poster');
  expect(ready).toHaveBeenCalledWith({ impression_id: 'imp_42' });
  expect(w.VantioSignup('impression')).toBe('imp_42');

  const host = document.querySelector('[data-vantio-signup]')!;
  const root = shadowOf(host).querySelector('.r')!;
  expect(root.className).toBe('r d');
  expect(root.getAttribute('lang')).toBe('es');
  expect(form().getByLabelText('Nombre')).toBeTruthy();
  expect(form().getByLabelText(/URL de la foto/)).toBeTruthy();
  expect(form(document.querySelector('#second')).getByLabelText('Prénom')).toBeTruthy();
  // Styles arrive as a constructable stylesheet (or a nonce'd <style>), never as style="".
  const styled = shadowOf(host).adoptedStyleSheets.length === 1 || shadowOf(host).querySelector('style')?.nonce === 'n0nce';
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
