/**
 * What a production start prints for people (the sandbox has its own, in sandbox.ts): the
 * mode, where the relay listens and is reached, who may post, what it serves, where
 * delivery stands and where alerts go, then anything that looks wrong.
 */
import type { DeliveryStatus } from './forwarder';

export interface BannerInput {
  listenUrl: string;
  publicUrl: string | undefined;
  vantioApiUrl: string;
  allowedOrigins: string[];
  adminEnabled: boolean;
  webhookSources: Array<{ name: string; verifier: string }>;
  delivery: DeliveryStatus;
  alertChannels: string[];
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

export function productionBanner(input: BannerInput): string {
  const base = input.publicUrl ?? input.listenUrl;
  const { delivery } = input;
  const deliveryLine = delivery.paused
    ? `PAUSED (${delivery.reason}): ${delivery.message}`
    : `running, ${delivery.concurrency} at a time`;
  const rows: Array<[string, string]> = [
    ['Listening', input.listenUrl],
    ['Public URL', input.publicUrl ?? '(RELAY_PUBLIC_URL not set: links below use the listen address)'],
    ['Vantio', input.vantioApiUrl],
    ['Allowed origins', input.allowedOrigins.join(', ') || '(none: only pages served by the relay itself)'],
    ['Widget', `${base}/vantio-signup.js   (capture only: ${base}/vantio-capture.js)`],
    ['Dashboard', input.adminEnabled ? `${base}/admin` : '(off: RELAY_ADMIN_TOKEN is not set)'],
    ['Webhook sources', input.webhookSources.map((s) => `${s.name} (${s.verifier})`).join(', ') || '(none)'],
    ['Delivery', deliveryLine],
    ['Alerts', input.alertChannels.join('; ') || '(none: set RELAY_ALERT_WEBHOOK_URL or RELAY_ALERT_EMAIL)'],
    ['Health', `${base}/readyz`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const warnings = productionWarnings(input);
  return [
    '',
    `  vantio-signup is running in PRODUCTION mode: signups are forwarded to ${input.vantioApiUrl}.`,
    '',
    ...rows.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${value}`),
    ...(warnings.length ? ['', ...warnings.map((warning) => `  warning: ${warning}`)] : []),
    '',
    '',
  ].join('\n');
}

export function productionWarnings(input: Pick<BannerInput, 'vantioApiUrl' | 'allowedOrigins' | 'adminEnabled' | 'alertChannels' | 'publicUrl'>): string[] {
  const warnings: string[] = [];
  const api = new URL(input.vantioApiUrl);
  if (api.protocol === 'http:') {
    warnings.push(
      LOOPBACK.test(api.hostname)
        ? `VANTIO_API_URL is plain http to ${api.host}: fine for a local emulator, never for Vantio itself`
        : `VANTIO_API_URL is plain http to ${api.host}: the secret key would cross the network unencrypted`,
    );
  }
  if (input.allowedOrigins.includes('*')) warnings.push('RELAY_ALLOWED_ORIGINS is "*": any website can send signups');
  if (!input.adminEnabled) warnings.push('RELAY_ADMIN_TOKEN is not set: no admin API, CLI or dashboard');
  if (input.alertChannels.length === 0) warnings.push('no alert channel: nobody is told when delivery pauses or signups go dead');
  if (input.publicUrl?.startsWith('http:')) warnings.push('RELAY_PUBLIC_URL is plain http: phones send names and emails unencrypted');
  return warnings;
}
