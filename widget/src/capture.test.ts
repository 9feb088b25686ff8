import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { canKeep, capture, decorate } from './capture';
import type { CaptureConfig } from './config';

const config = (overrides: Partial<CaptureConfig> = {}): CaptureConfig => ({
  params: ['impression_id', 'imp'],
  days: 30,
  firstTouch: false,
  cookieDomain: undefined,
  consentRequired: false,
  impressionId: undefined,
  ...overrides,
});

const visit = (pathAndQuery: string) => history.replaceState(null, '', pathAndQuery);
const stored = () => JSON.parse(localStorage.getItem('vantio_imp') ?? 'null');
// happy-dom may keep deleted cookies as empty values, so look for a non-empty one.
const cookie = () => /vantio_imp=([^;]+)/.exec(document.cookie)?.[1];
let cookieWrites: string[];

beforeEach(() => {
  localStorage.clear();
  document.cookie = 'vantio_imp=;max-age=0;path=/';
  document.cookie = 'vantio_imp=;max-age=0;path=/;domain=.example.edu';
  cookieWrites = [];
  let proto: object | null = document;
  while (proto && !Object.getOwnPropertyDescriptor(proto, 'cookie')) proto = Object.getPrototypeOf(proto);
  const descriptor = Object.getOwnPropertyDescriptor(proto!, 'cookie')!;
  vi.spyOn(document, 'cookie', 'set').mockImplementation((value: string) => {
    cookieWrites.push(value);
    descriptor.set!.call(document, value);
  });
});
afterEach(() => vi.restoreAllMocks());

describe('reading the URL', () => {
  it('takes the id and removes only its parameter from the address bar, with history.replaceState', () => {
    visit('/join?utm_source=poster&impression_id=imp_123&q=a%20b+c#form');
    const replace = vi.spyOn(history, 'replaceState');
    expect(capture(config()).id).toBe('imp_123');
    expect(location.pathname + location.search + location.hash).toBe('/join?utm_source=poster&q=a%20b+c#form');
    expect(replace).toHaveBeenCalledTimes(1);
  });

  it('accepts the short `imp` name, prefers the first configured name, and drops an empty query', () => {
    visit('/join?imp=imp_short&impression_id=imp_long');
    expect(capture(config()).id).toBe('imp_long');
    expect(location.search).toBe('');
  });

  it('honours custom parameter names', () => {
    visit('/join?ref=imp_9&impression_id=other');
    expect(capture(config({ params: ['ref'] })).id).toBe('imp_9');
    expect(location.search).toBe('?impression_id=other');
  });

  it('ignores (but still removes) a value that is not an impression id', () => {
    visit('/join?impression_id=%3Cscript%3E');
    expect(capture(config()).id).toBeNull();
    expect(location.search).toBe('');
  });

  it('leaves the address bar alone when there is nothing to take', () => {
    visit('/join?x=1');
    const replace = vi.spyOn(history, 'replaceState');
    capture(config());
    expect(replace).not.toHaveBeenCalled();
  });
});

describe('keeping it first-party', () => {
  it('stores the id in localStorage and a Lax, Secure cookie expiring with the window', () => {
    visit('/join?impression_id=imp_1');
    capture(config({ days: 7, cookieDomain: '.example.edu' }));
    expect(stored().id).toBe('imp_1');
    expect(stored().exp).toBeGreaterThan(Date.now() + 6.9 * 86_400_000);
    expect(cookieWrites.at(-1)).toBe(`vantio_imp=imp_1;max-age=${7 * 86400};path=/;samesite=lax;secure;domain=.example.edu`);
  });

  it('finds the id again after a reload without the parameter', () => {
    visit('/join?impression_id=imp_1');
    capture(config());
    visit('/join');
    expect(capture(config()).id).toBe('imp_1');
  });

  it('falls back to the cookie (e.g. set on a sibling subdomain)', () => {
    document.cookie = 'vantio_imp=imp_cookie;path=/';
    visit('/join');
    expect(capture(config()).id).toBe('imp_cookie');
  });

  it('forgets an id whose window has passed', () => {
    localStorage.setItem('vantio_imp', JSON.stringify({ id: 'imp_old', exp: Date.now() - 1 }));
    visit('/join');
    expect(capture(config()).id).toBeNull();
  });

  it('last touch (default) takes the newest id; first touch keeps the first', () => {
    visit('/join?impression_id=imp_a');
    capture(config());
    visit('/join?impression_id=imp_b');
    expect(capture(config()).id).toBe('imp_b');
    visit('/join?impression_id=imp_c');
    expect(capture(config({ firstTouch: true })).id).toBe('imp_b');
    expect(stored().id).toBe('imp_b');
  });
});

describe('consent mode', () => {
  it('stores nothing before consent, yet the id goes with a submission made on this page', () => {
    visit('/join?impression_id=imp_1');
    const captured = capture(config({ consentRequired: true }));
    expect(captured.id).toBe('imp_1');
    expect(localStorage.length).toBe(0);
    expect(cookieWrites).toEqual([]);
    expect(captured.canStore).toBe(false);
  });

  it('does not even read the device before consent', () => {
    localStorage.setItem('vantio_imp', JSON.stringify({ id: 'imp_old', exp: Date.now() + 1000 }));
    visit('/join');
    const captured = capture(config({ consentRequired: true }));
    expect(captured.id).toBeNull();
    captured.consent(true);
    expect(captured.id).toBe('imp_old');
  });

  it('stores on consent and erases on withdrawal', () => {
    visit('/join?impression_id=imp_1');
    const captured = capture(config({ consentRequired: true }));
    captured.consent(true);
    expect(stored().id).toBe('imp_1');
    expect(cookie()).toBe('imp_1');
    captured.consent(false);
    expect(stored()).toBeNull();
    expect(cookie()).toBeUndefined();
    expect(cookieWrites.at(-1)).toContain('vantio_imp=;max-age=0');
    expect(captured.id).toBe('imp_1');
  });
});

describe('hosts that refuse storage, cookies or history (sandboxed frames, blocked storage)', () => {
  const refuse = () => {
    throw new DOMException('The document is sandboxed and lacks the allow-same-origin flag.', 'SecurityError');
  };
  // Own properties shadowing the prototype's, as a sandboxed document behaves; removed after each test.
  const refuseCookies = () => Object.defineProperty(document, 'cookie', { configurable: true, get: refuse, set: refuse });
  afterEach(() => {
    delete (document as { cookie?: string }).cookie;
  });

  it('still takes the id from the URL and throws nothing when every device API throws', () => {
    visit('/join?impression_id=imp_sandboxed');
    vi.spyOn(window, 'localStorage', 'get').mockImplementation(refuse);
    refuseCookies();
    vi.spyOn(history, 'replaceState').mockImplementation(refuse);
    const captured = capture(config());
    expect(captured.id).toBe('imp_sandboxed');
    expect(canKeep()).toBe(false);
    expect(() => captured.consent(false)).not.toThrow();
  });

  it('keeps the id in a cookie when only localStorage is refused', () => {
    vi.spyOn(window, 'localStorage', 'get').mockImplementation(refuse);
    visit('/join?impression_id=imp_cookie_only');
    capture(config());
    expect(cookie()).toBe('imp_cookie_only');
    expect(canKeep()).toBe(true);
    visit('/join');
    expect(capture(config()).id).toBe('imp_cookie_only');
  });

  it('can keep things on an ordinary page', () => {
    expect(canKeep()).toBe(true);
  });
});

describe('data-impression-id', () => {
  it('wins over the URL (a builder templated it into the tag), and the URL parameter still leaves', () => {
    visit('/join?impression_id=imp_url');
    expect(capture(config({ impressionId: 'imp_tag' })).id).toBe('imp_tag');
    expect(location.search).toBe('');
  });

  it('is ignored when it is not an impression id (an untemplated placeholder)', () => {
    visit('/join?impression_id=imp_url');
    expect(capture(config({ impressionId: '{{impression_id}}' })).id).toBe('imp_url');
  });
});

describe('decorating other signup systems (capture bundle)', () => {
  beforeEach(() => {
    document.body.innerHTML = `
      <form class="tally"><input name="email"></form>
      <form class="other"></form>
      <a id="t" href="https://tally.so/r/abc?x=1">Tally</a>
      <a id="s" href="https://forms.typeform.com/to/xyz">Typeform</a>
      <a id="o" href="https://elsewhere.example/">Other</a>`;
  });

  it('adds a hidden input to opted-in forms and the parameter to links towards configured domains', async () => {
    decorate('impression_id', 'imp_7', 'form.tally', ['tally.so', 'typeform.com']);
    const hidden = document.querySelector<HTMLInputElement>('form.tally input[name="impression_id"]')!;
    expect([hidden.type, hidden.value]).toEqual(['hidden', 'imp_7']);
    expect(document.querySelector('form.other input')).toBeNull();
    expect(document.querySelector<HTMLAnchorElement>('#t')!.href).toBe('https://tally.so/r/abc?x=1&impression_id=imp_7');
    expect(document.querySelector<HTMLAnchorElement>('#s')!.href).toBe('https://forms.typeform.com/to/xyz?impression_id=imp_7');
    expect(document.querySelector<HTMLAnchorElement>('#o')!.href).toBe('https://elsewhere.example/');

    // Content added later (an embed, a single-page app) is decorated too, once.
    document.body.insertAdjacentHTML('beforeend', '<form class="tally" id="late"></form>');
    await new Promise((resolve) => setTimeout(resolve));
    expect(document.querySelectorAll('#late input[name="impression_id"]').length).toBe(1);
  });
});
