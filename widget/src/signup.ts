/**
 * Entry of `vantio-signup.js`: one widget instance (mount.ts) with the form in every
 * `[data-vantio-signup]` element, the `VantioSignup` API and the outbox. Handing the id to
 * other signup systems' forms and links is the capture bundle's job, kept out of this one's
 * byte budget.
 */
import { installApi } from './api';
import { list, ownScript, readCaptureConfig, whenParsed } from './config';
import { emit } from './events';
import { createWidget, type MountOptions } from './mount';

function start() {
  const script = ownScript();
  const data = script?.dataset ?? {};
  let strings = {};
  try {
    strings = JSON.parse(data.strings || '{}');
  } catch {
    console.error('VantioSignup: bad data-strings JSON');
  }
  // The bundle's folder: by default the relay is there (its root when it serves the bundle).
  const assets = script?.src ? new URL('.', script.src).href : location.origin + '/';
  const widget = createWidget({
    // data-locale, data-theme, data-success-message and data-success-url as they are (shorter
    // than naming each: the bundle is at its budget); the rest read and checked below.
    ...(data as Pick<MountOptions, 'locale' | 'theme' | 'successMessage' | 'successUrl'>),
    ...readCaptureConfig(script),
    relay: (data.relay || assets).replace(/\/+$/, ''),
    assets,
    fields: list(data.fields),
    strings,
    nonce: script?.nonce ?? '',
  });
  whenParsed(() => {
    installApi(widget.commands);
    document.querySelectorAll('[data-vantio-signup]').forEach((element) => widget.mount(element));
    // Sends what earlier visits left behind even on a page with no form mounted yet.
    widget.outbox.start();
    emit('ready', { impression_id: widget.captured.id });
  });
  return widget;
}

// Pasted twice, loaded once.
(window as any).__vantioSignup ??= start();
