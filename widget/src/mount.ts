/**
 * Mounting the form into an element's open shadow root, and what a submission carries
 * besides the typed fields: the captured impression, extra fields set through the API,
 * automatic metadata and the bot signals.
 */
import { checkHttpUrl, HONEYPOT_FIELD, TIME_TO_FILL_FIELD, type SignupFields } from '@vantio/shared/rules';
import { captured } from './capture';
import type { CaptureConfig } from './config';
import { renderForm } from './form';
import { pending, submit } from './outbox';
import { localeOf, stringsFor, type Strings } from './strings';
import { applyStyles } from './styles';

export interface MountOptions {
  locale?: string;
  strings?: Partial<Strings>;
  /** Optional fields to show: `profile_picture`. */
  fields?: string[];
  theme?: 'auto' | 'light' | 'dark';
}

export interface SignupConfig extends CaptureConfig, MountOptions {
  /** Base URL of the relay, without a trailing slash. */
  relay: string;
  nonce: string;
}

export interface Extras {
  profile_picture?: string;
  metadata?: Record<string, unknown>;
}

let config: SignupConfig;
let extras: Extras = {};
const mounted = new Map<Element, { container: HTMLElement; options: MountOptions; remove: () => void }>();

export function configureMount(cfg: SignupConfig): void {
  config = cfg;
}

/**
 * `VantioSignup('set', {...})`: fields the page knows and the person does not type. Metadata is
 * checked by the relay (a 400 names it in the error event); its size check would cost bytes here.
 */
export function setExtras(next: Extras): void {
  if (next.profile_picture !== undefined && checkHttpUrl(next.profile_picture)) {
    return console.error('VantioSignup: bad profile_picture');
  }
  extras = { ...extras, ...next };
}

/** The exact `POST /v1/signups` body: only keys the relay's strict schema knows. */
export function buildBody(fields: SignupFields, trap: string, fillMs: number): Record<string, unknown> {
  const utm: Record<string, string> = {};
  new URLSearchParams(location.search).forEach((value, key) => {
    if (key.startsWith('utm_')) utm[key] = value.slice(0, 200);
  });
  const picture = fields.profile_picture?.trim() || extras.profile_picture;
  return {
    impression_id: captured.id,
    first_name: fields.first_name.trim(),
    last_name: fields.last_name.trim(),
    email: fields.email.trim(),
    ...(picture && { profile_picture: picture }),
    // Facts about this submission win over page-provided metadata.
    metadata: { ...extras.metadata, source: 'widget', page: location.pathname, ...utm },
    ...(trap && { [HONEYPOT_FIELD]: trap.slice(0, 1000) }),
    [TIME_TO_FILL_FIELD]: Math.min(Math.round(fillMs), 86_400_000),
  };
}

const resolveTarget = (target: Element | string | null | undefined) =>
  typeof target === 'string' ? document.querySelector(target) : target;

export function mount(target: Element | string, options: MountOptions = {}): void {
  const host = resolveTarget(target);
  if (!host || mounted.has(host)) return;
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  applyStyles(shadow, config.nonce);
  // Preact owns this container, never the shadow root itself, where a fallback <style> may sit.
  const container = document.createElement('div');
  const all = { ...config, ...options, strings: { ...config.strings, ...options.strings } };
  const locale = localeOf(all.locale);
  const t = stringsFor(locale, all.strings);
  container.className = 'r' + (all.theme === 'dark' ? ' d' : all.theme === 'light' ? ' l' : '');
  // An explicit locale names the language even when the page supplies all the strings itself.
  container.lang = all.locale || locale;
  shadow.append(container);
  const remove = renderForm(container, {
    t,
    hasImpression: !!captured.id,
    photo: !!all.fields?.includes('profile_picture'),
    send: (fields, trap, fillMs) => submit(config.relay, buildBody(fields, trap, fillMs)),
    waiting: pending().map((entry) => ({ key: entry.k, name: JSON.parse(entry.b).first_name })),
  });
  mounted.set(host, { container, options, remove });
}

export function unmount(target: Element | string): void {
  const host = resolveTarget(target);
  const entry = host && mounted.get(host);
  if (!entry) return;
  entry.remove();
  entry.container.remove();
  mounted.delete(host);
}

/** Renders every mounted form again from scratch, e.g. once consent reveals a stored impression. */
export function remountAll(): void {
  for (const [host, { options }] of [...mounted]) {
    unmount(host);
    mount(host, options);
  }
}
