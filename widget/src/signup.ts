/**
 * Entry of `vantio-signup.js`: capture, then the form in every `[data-vantio-signup]`
 * element, the `VantioSignup` API and the outbox. Handing the id to other signup systems'
 * forms and links is the capture bundle's job, kept out of this one's byte budget.
 */
import { captureCommands, installApi } from './api';
import { capture, captured } from './capture';
import { list, ownScript, readCaptureConfig, whenParsed } from './config';
import { emit } from './events';
import { configureMount, mount, remountAll, setExtras, unmount, type MountOptions } from './mount';
import { persistMemory, startOutbox } from './outbox';

function start(): void {
  const script = ownScript();
  const data = script?.dataset ?? {};
  let strings = {};
  try {
    strings = JSON.parse(data.strings || '{}');
  } catch {
    console.error('VantioSignup: bad data-strings JSON');
  }
  const config = {
    ...readCaptureConfig(script),
    // By default the relay is wherever the script came from: its folder, which is the origin
    // when the relay serves it at the root.
    relay: (data.relay || (script?.src ? new URL('.', script.src).href : location.origin)).replace(/\/+$/, ''),
    locale: data.locale,
    fields: list(data.fields),
    strings,
    theme: data.theme as MountOptions['theme'],
    nonce: script?.nonce ?? '',
  };
  configureMount(config);
  // Before any rendering: the address bar loses the id as early as possible.
  capture(config);
  whenParsed(() => {
    installApi({
      ...captureCommands,
      consent(granted = true) {
        const before = captured.id;
        captureCommands.consent!(granted);
        if (granted !== false) persistMemory();
        if (captured.id !== before) remountAll();
      },
      mount,
      unmount,
      set: setExtras,
    });
    document.querySelectorAll('[data-vantio-signup]').forEach((element) => mount(element));
    startOutbox();
    emit('ready', { impression_id: captured.id });
  });
}

// Pasted twice, loaded once.
if (!(window as any).__vantioSignup) {
  (window as any).__vantioSignup = 1;
  start();
}
