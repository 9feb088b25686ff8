/**
 * Entry of `vantio-capture.js`, for pages that keep their own signup system: capture the
 * impression and hand it to that system's forms and links. No form, no Preact.
 */
import { captureCommands, installApi } from './api';
import { capture, decorate } from './capture';
import { list, ownScript, readCaptureConfig, whenParsed } from './config';
import { emit } from './events';

const script = ownScript();
const config = readCaptureConfig(script);
const captured = capture(config);
whenParsed(() => {
  // A page keeps this bundle for its lifetime: nothing to release, so no `remove` here.
  installApi(captureCommands(captured));
  emit('ready', { impression_id: captured.id });
  // data-forms: opt-in selector of forms that get a hidden input; data-link-domains: links to
  // these domains (and their subdomains) get the parameter.
  const data = script?.dataset ?? {};
  if (captured.id) decorate(config.params[0]!, captured.id, data.forms, list(data.linkDomains));
});
