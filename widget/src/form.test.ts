import { fireEvent, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emit } from './events';
import { renderForm, type FormProps } from './form';
import fr from './locales/fr';
import { en, localeOf } from './strings';
let container: HTMLElement;
let remove: () => void;
let send: ReturnType<typeof vi.fn<FormProps['send']>>;

function show(props: Partial<FormProps> = {}) {
  send = vi.fn<FormProps['send']>(() => `key-${send.mock.calls.length}`);
  remove = renderForm(container, { t: en, hasImpression: true, send, waiting: [], ...props });
}

const input = (label: RegExp) => screen.getByLabelText(label) as HTMLInputElement;
const status = () => screen.getByRole('status');
const button = () => screen.getByRole('button', { name: 'Sign up' });

function fill(first: string, last: string, email: string) {
  fireEvent.input(input(/first name/i), { target: { value: first } });
  fireEvent.input(input(/last name/i), { target: { value: last } });
  fireEvent.input(input(/email/i), { target: { value: email } });
}

beforeEach(() => {
  container = document.body.appendChild(document.createElement('div'));
});
afterEach(() => {
  remove();
  container.remove();
});

describe('fields', () => {
  it('are labelled, with autocomplete and the email keyboard for phones', () => {
    show();
    expect(input(/first name/i).autocomplete).toBe('given-name');
    expect(input(/last name/i).autocomplete).toBe('family-name');
    const email = input(/email/i);
    expect([email.type, email.autocomplete]).toEqual(['email', 'email']);
    expect(screen.queryByLabelText(/photo/i)).toBeNull();
    expect(container.querySelector('[style]')).toBeNull();
  });

  it('keeps the honeypot away from people: hidden from assistive tech and out of the tab order', () => {
    show();
    const trap = container.querySelector<HTMLInputElement>('input[name="vantio-extra"]')!;
    expect(trap.tabIndex).toBe(-1);
    expect(trap.closest('[aria-hidden="true"]')).not.toBeNull();
  });

  it('explains itself instead of showing a form that can only fail when there is no impression', () => {
    show({ hasImpression: false, t: { ...en, none: 'Scan a poster first.' } });
    expect(screen.getByText('Scan a poster first.')).toBeTruthy();
    expect(container.querySelector('form')).toBeNull();
  });
});

describe('validation with the shared rules', () => {
  it('marks every invalid field, describes the error beside it and focuses the first', () => {
    show();
    fill('', 'Lovelace', 'not-an-email');
    fireEvent.click(button());
    const first = input(/first name/i);
    const email = input(/email/i);
    expect(first.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(first.getAttribute('aria-describedby')!)!.textContent).toBe(en.required);
    expect(document.getElementById(email.getAttribute('aria-describedby')!)!.textContent).toBe(en.invalid_email);
    expect(input(/last name/i).hasAttribute('aria-invalid')).toBe(false);
    expect(document.activeElement).toBe(first);
    expect(status().textContent).toBe(en.fix);
    expect(send).not.toHaveBeenCalled();
  });

  it('clears an error as soon as the field is fixed', () => {
    show();
    fill('', 'Lovelace', 'ada@example.edu');
    fireEvent.click(button());
    fireEvent.input(input(/first name/i), { target: { value: 'Ada' } });
    expect(input(/first name/i).hasAttribute('aria-invalid')).toBe(false);
    expect(container.querySelector('.x')).toBeNull();
  });

  it('rejects control characters the relay would reject', () => {
    show();
    fill('Ada\u202e', 'Lovelace', 'ada@example.edu');
    fireEvent.click(button());
    expect(input(/first name/i).getAttribute('aria-invalid')).toBe('true');
    expect(send).not.toHaveBeenCalled();
  });
});

describe('sending', () => {
  it('measures the time to fill from the first input, so autofill and a quick tap is not a bot', () => {
    vi.useFakeTimers();
    try {
      show();
      vi.advanceTimersByTime(5_000); // the form has been on screen a while
      fill('Ada', 'Lovelace', 'ada@example.edu'); // autofill: every field in one step
      vi.advanceTimersByTime(300);
      fireEvent.click(button());
      expect(send.mock.calls[0]![2]).toBe(300);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends once, with the fields, the honeypot and the time to fill; the button is disabled meanwhile', () => {
    show();
    fill(' Ada ', 'Lovelace', 'ada@example.edu');
    fireEvent.click(button());
    fireEvent.click(button()); // a second Enter while sending
    expect(send).toHaveBeenCalledTimes(1);
    const [fields, trap, fillMs] = send.mock.calls[0]!;
    expect(fields).toMatchObject({ first_name: ' Ada ', last_name: 'Lovelace', email: 'ada@example.edu' });
    expect(trap).toBe('');
    expect(fillMs).toBeGreaterThanOrEqual(0);
    expect(button().getAttribute('aria-disabled')).toBe('true');
    expect(status().textContent).toBe(en.sending);
  });

  it('passes on what a bot typed into the honeypot', () => {
    show();
    fill('Ada', 'Lovelace', 'ada@example.edu');
    fireEvent.input(container.querySelector('input[name="vantio-extra"]')!, { target: { value: 'http://spam' } });
    fireEvent.click(button());
    expect(send.mock.calls[0]![1]).toBe('http://spam');
  });

  function submitted() {
    show();
    fill('Ada', 'Lovelace', 'ada@example.edu');
    fireEvent.click(button());
    return send.mock.results[0]!.value as string;
  }

  it('thanks the person on success and moves focus to the message', () => {
    const key = submitted();
    emit('success', { key: 'someone-else' });
    expect(container.querySelector('form')).not.toBeNull();
    emit('success', { key, id: 'sgn_1', state: 'queued' });
    expect(container.querySelector('form')).toBeNull();
    expect(status().textContent).toBe('Thanks, Ada! You’re signed up.');
    expect(document.activeElement).toBe(status());
  });

  it('tells the person a submission is saved when the relay is unreachable', () => {
    const key = submitted();
    emit('queued', { key, reason: 'unreachable', stored: true });
    expect(container.querySelector('form')).toBeNull();
    expect(status().textContent).toBe(en.saved);
  });

  it('says to keep the page open when the submission could only be kept in memory (consent mode)', () => {
    const key = submitted();
    emit('queued', { key, reason: 'unreachable', stored: false });
    expect(status().textContent).toBe(en.savedTab);
  });

  it('keeps sending quietly while rate limited', () => {
    const key = submitted();
    emit('queued', { key, reason: 'rate_limited', stored: true });
    expect(button().getAttribute('aria-disabled')).toBe('true');
    expect(status().textContent).toBe(en.sending);
  });

  it('maps the relay’s 400 issues to field errors and allows a corrected, new submission', () => {
    const key = submitted();
    emit('error', { key, status: 400, error: 'Bad Request', message: '…', issues: [{ path: 'email', message: 'must be a valid email address' }] });
    const email = input(/email/i);
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(email.getAttribute('aria-describedby')!)!.textContent).toBe(en.invalid);
    expect(document.activeElement).toBe(email);
    expect(button().hasAttribute('aria-disabled')).toBe(false);
    fireEvent.input(email, { target: { value: 'ada@example.org' } });
    fireEvent.click(button());
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('reports other refusals (403, 422, …) in the live region and lets the person retry', () => {
    const key = submitted();
    emit('error', { key, status: 422, error: 'Unprocessable Entity', message: 'key reused' });
    expect(status().textContent).toBe(en.error);
    expect(button().hasAttribute('aria-disabled')).toBe(false);
  });
});

describe('the finished state', () => {
  it('is a confirmation with a check, the name, and the club’s next step as a link', () => {
    show({ success: { message: 'Join our Discord', url: 'https://discord.gg/robotics' } });
    fill('Ada', 'Lovelace', 'ada@example.edu');
    fireEvent.click(button());
    emit('success', { key: 'key-1', id: 'sgn_1', state: 'queued' });
    expect(status().textContent).toBe('Thanks, Ada! You’re signed up.');
    // The check is the title's ::before (styles.ts); the title class carries it.
    expect(status().className).toBe('s t');
    const next = screen.getByRole('link', { name: 'Join our Discord' }) as HTMLAnchorElement;
    expect(next.href).toBe('https://discord.gg/robotics');
    expect(container.querySelector('form')).toBeNull();
  });

  it('shows a next-step message without a link, or the bare link without a message', () => {
    show({ success: { message: 'See you Tuesday at 18:00, Engineering Hall 101.' } });
    fill('Ada', 'Lovelace', 'ada@example.edu');
    fireEvent.click(button());
    emit('success', { key: 'key-1' });
    expect(screen.getByText('See you Tuesday at 18:00, Engineering Hall 101.')).toBeTruthy();
    expect(screen.queryByRole('link')).toBeNull();
    remove();
    show({ success: { url: 'https://club.example.edu/welcome' } });
    fill('Ada', 'Lovelace', 'ada@example.edu');
    fireEvent.click(button());
    emit('success', { key: 'key-1' });
    expect(screen.getByRole('link', { name: 'https://club.example.edu/welcome' })).toBeTruthy();
  });
});

describe('pages the relay refuses, and browsers that keep nothing', () => {
  it('says the page is not set up yet on a 403, never "saved" or "offline"', () => {
    show();
    fill('Ada', 'Lovelace', 'ada@example.edu');
    fireEvent.click(button());
    emit('error', { key: 'key-1', status: 403, error: 'Forbidden', message: 'Origin https://x.example is not allowed' });
    expect(status().textContent).toBe(en.refused);
    expect(status().textContent).not.toMatch(/saved|offline/i);
  });

  it('tells the person up front when nothing can be kept for a later visit', () => {
    show({ notice: en.noStore });
    expect(screen.getByText(en.noStore)).toBeTruthy();
    expect(button()).toBeTruthy();
  });
});

describe('after a reload', () => {
  it('shows a submission still waiting in the outbox, then its success', () => {
    show({ waiting: [{ key: 'old', name: 'Grace' }] });
    expect(container.querySelector('form')).toBeNull();
    expect(status().textContent).toBe(en.saved);
    emit('success', { key: 'old' });
    expect(status().textContent).toBe('Thanks, Grace! You’re signed up.');
    // Nobody pressed anything on this page: focus stays where the person is.
    expect(document.activeElement).not.toBe(status());
  });
});

describe('strings', () => {
  it('knows Spanish and French (fetched, see signup.test), falls back to English, and takes overrides', () => {
    expect(localeOf('es-MX')).toBe('es');
    expect(localeOf('fr')).toBe('fr');
    expect(localeOf('de')).toBe('en');
    show({ t: { ...fr, submit: 'Rejoindre' } });
    expect(screen.getByRole('button', { name: 'Rejoindre' })).toBeTruthy();
    expect(screen.getByLabelText('Prénom')).toBeTruthy();
  });
});
