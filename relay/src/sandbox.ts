/**
 * Sandbox mode (no VANTIO_API_URL): the relay starts the Vantio emulator beside itself
 * and forwards to it, so `npm install && npm start` works with nothing configured.
 */
import type { RelayConfig } from './config';
import { startEmulator, type RunningEmulator } from './emulator/app';

export function startSandboxUpstream(config: RelayConfig): Promise<RunningEmulator> {
  return startEmulator({ secretKey: config.emulatorSecretKey, port: config.emulatorPort, host: config.host });
}

export function sandboxBanner({ relayUrl, emulatorUrl, adminToken }: { relayUrl: string; emulatorUrl: string; adminToken: string }) {
  return `
emulator listening on ${emulatorUrl}

  vantio-signup is running in SANDBOX mode: signups go to a local Vantio emulator.

  Try it:      ${relayUrl}/demo?impression_id=imp_demo_1
  Hosted page: ${relayUrl}/join/demo?impression_id=imp_demo_2
  Referrals:   ${emulatorUrl}/__emulator/referrals
  Admin token: ${adminToken}   (this run only; set RELAY_ADMIN_TOKEN to choose one)
  Health:      ${relayUrl}/readyz
  Alerts:      printed here, as they would go to RELAY_ALERT_WEBHOOK_URL / RELAY_ALERT_EMAIL

  Going to production: set VANTIO_API_URL=https://vantio.app and VANTIO_SECRET_KEY=sk_…,
  RELAY_ALLOWED_ORIGINS to your landing pages' origins and RELAY_ADMIN_TOKEN (see README).

`;
}
