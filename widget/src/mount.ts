/**
 * The widget instance (after Sentry's feedback widget: one object created by the script owns
 * all state, nothing lives in module globals): its capture, outbox, mounted forms and the
 * page listeners it added, so `remove()` can release every one and a later `mount` starts
 * afresh. Also what a submission carries besides the typed fields: the captured impression,
 * extra fields set through the API, automatic metadata and the bot signals.
 */
import { checkHttpUrl, HONEYPOT_FIELD, TIME_TO_FILL_FIELD, type SignupFields } from '@vantio/shared/rules';
import { impressionCommand, type Commands } from './api';
import { canKeep, capture, isFramed, type Captured } from './capture';
import type { CaptureConfig } from './config';
import { renderForm } from './form';
import { on } from './events';
import { createOutbox } from './outbox';
import { en, loadStrings, localeOf, type Strings } from './strings';
import { applyStyles } from './styles';

export interface MountOptions {
  locale?: string;
  strings?: Partial<Strings>;
  /** Optional fields to show: `profile_picture`. */
  fields?: string[];
  theme?: 'auto' | 'light' | 'dark';
  /** The next step shown after a signup (`data-success-message`), e.g. "Join our Discord". */
  successMessage?: string;
  /** Where that next step links to (`data-success-url`), http(s) only. */
  successUrl?: string;
}

export interface SignupConfig extends CaptureConfig, MountOptions {
  /** Base URL of the relay, without a trailing slash. */
  relay: string;
  /** The bundle's folder, with a trailing slash: where the locale files and the photo chunk are. */
  assets: string;
  nonce: string;
}

/** `vantio-photo.js` (photo.tsx), an ES module beside the bundle. */
export type PhotoChunk = typeof import('./photo');

export interface Extras {
  profile_picture?: string;
  metadata?: Record<string, unknown>;
}

/** The exact `POST /v1/signups` body: only keys the relay's strict schema knows (JSON leaves undefined ones out). */
export function buildBody(captured: Captured, extras: Extras, fields: SignupFields, trap: string, fillMs: number): Record<string, unknown> {
  const utm: Record<string, string> = {};
  new URLSearchParams(location.search).forEach((value, key) => {
    if (key.startsWith('utm_')) utm[key] = value.slice(0, 200);
  });
  return {
    impression_id: captured.id,
    first_name: fields.first_name.trim(),
    last_name: fields.last_name.trim(),
    email: fields.email.trim(),
    // A photo chosen in the form replaces this URL once uploaded (outbox.ts).
    profile_picture: extras.profile_picture,
    // Facts about this submission win over page-provided metadata.
    metadata: { ...extras.metadata, source: 'widget', page: location.pathname, ...utm },
    ...(trap && { [HONEYPOT_FIELD]: trap.slice(0, 1000) }),
    [TIME_TO_FILL_FIELD]: Math.min(Math.round(fillMs), 86_400_000),
  };
}

const resolveTarget = (target: Element | string | null | undefined) =>
  typeof target == 'string' ? document.querySelector(target) : target;

export type Widget = ReturnType<typeof createWidget>;

export function createWidget(config: SignupConfig) {
  // Before any rendering: the address bar loses the id as early as possible.
  const captured = capture(config);
  // A dynamic import is a script fetch from beside the bundle: `script-src` allows it where it allows the bundle.
  // A failed import stays failed for the document's life (whatwg/html#6768), so each failure
  // moves on to another URL; a successful one is kept by the browser's module map.
  let photoTries = 0;
  const loadPhoto = () =>
    (import(/* @vite-ignore */ config.assets + 'vantio-photo.js?r=' + photoTries) as Promise<PhotoChunk>).catch((error) => {
      photoTries++;
      throw error;
    });
  const outbox = createOutbox(captured, loadPhoto);
  const mounted = new Map<Element, { options: MountOptions; remove: () => void }>();
  /** The host page's `on` subscriptions, made through this instance. */
  const subscriptions: (() => void)[] = [];
  let extras: Extras = {};

  function mount(target: Element | string, options: MountOptions = {}): void {
    const host = resolveTarget(target);
    if (!host || mounted.has(host)) return;
    outbox.start();
    const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    applyStyles(shadow, config.nonce);
    // Preact owns this container, never the shadow root itself, where a fallback <style> may sit.
    const container = document.createElement('div');
    const all = { ...config, ...options, strings: { ...config.strings, ...options.strings } };
    const locale = localeOf(all.locale);
    container.className = 'r' + (all.theme == 'dark' ? ' d' : all.theme == 'light' ? ' l' : '');
    // An explicit locale names the language even when the page supplies all the strings itself.
    container.lang = all.locale || locale;
    shadow.append(container);
    let removeForm = () => {};
    const entry = { options, remove: () => (removeForm(), container.remove()) };
    mounted.set(host, entry);
    const show = (base: Strings) => {
      if (mounted.get(host) != entry) return; // unmounted while the strings loaded
      const t = { ...base, ...all.strings };
      // Framed on another origin's page: the poster's id may be in a URL we cannot read.
      if (isFramed()) t.none = t.framed;
      let successUrl = all.successUrl;
      if (successUrl && checkHttpUrl(successUrl)) {
        console.error('VantioSignup: bad success URL');
        successUrl = undefined;
      }
      removeForm = renderForm(container, {
        t,
        hasImpression: !!captured.id,
        photo: all.fields?.includes('profile_picture') ? loadPhoto : undefined,
        notice: canKeep() ? '' : t.noStore,
        success: { message: all.successMessage, url: successUrl },
        send: (fields, trap, fillMs, picture) => outbox.submit(config.relay, buildBody(captured, extras, fields, trap, fillMs), picture),
        waiting: outbox.pending().map((e) => ({ key: e.k, name: JSON.parse(e.b).first_name })),
      });
    };
    // English renders at once (no flash of an empty box); other languages once fetched.
    if (locale == 'en') show(en);
    else void loadStrings(locale, config.assets).then(show);
  }

  function unmount(target: Element | string): void {
    const host = resolveTarget(target);
    const entry = host && mounted.get(host);
    if (!entry) return;
    entry.remove();
    mounted.delete(host);
  }

  /** Removes every form and releases every listener and timer this instance added to the page. */
  function remove(): void {
    mounted.forEach((_, host) => unmount(host));
    outbox.stop();
    subscriptions.splice(0).forEach((off) => off());
  }

  const commands: Commands = {
    impression: impressionCommand(captured),
    // No argument means granted: only an explicit `false` withdraws.
    consent(granted?: boolean) {
      const before = captured.id;
      captured.consent(granted != false);
      if (granted != false) outbox.persistMemory();
      // Rendered again from scratch only when consent revealed another impression (typing is kept otherwise).
      if (captured.id != before) for (const [host, { options }] of [...mounted]) unmount(host), mount(host, options);
    },
    on(name, listener) {
      const off = on(name, listener);
      subscriptions.push(off);
      return off;
    },
    mount,
    // Without a target: the whole widget, as `remove`.
    unmount: (target?: Element | string) => (target ? unmount(target) : remove()),
    remove,
    /**
     * `VantioSignup('set', {...})`: fields the page knows and the person does not type. Metadata is
     * checked by the relay (a 400 names it in the error event); its size check would cost bytes here.
     */
    set(next: Extras) {
      if (next.profile_picture !== undefined && checkHttpUrl(next.profile_picture)) {
        return console.error('VantioSignup: bad profile_picture');
      }
      extras = { ...extras, ...next };
    },
  };

  return { captured, outbox, mount, commands };
}
