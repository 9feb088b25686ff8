import { describe, expect, it } from 'vitest';
import { productionBanner, productionWarnings } from './banner';

const running = { paused: false, heldUntil: null, reason: null, message: null, since: null, inFlight: 0, concurrency: 4 } as const;

describe('the production start banner', () => {
  it('shows the mode, the URLs, origins, sources, delivery and alert channels', () => {
    const text = productionBanner({
      listenUrl: 'http://0.0.0.0:8787',
      publicUrl: 'https://relay.example.edu',
      vantioApiUrl: 'https://vantio.app',
      allowedOrigins: ['https://chess.example.edu', 'https://*.clubs.example.edu'],
      adminEnabled: true,
      webhookSources: [{ name: 'typeform', verifier: 'typeform' }],
      delivery: running,
      alertChannels: ['webhook hooks.slack.com', 'email to ops@example.edu via smtp.example.edu:465'],
    });
    expect(text).toContain('running in PRODUCTION mode: signups are forwarded to https://vantio.app.');
    expect(text).toMatch(/Listening: +http:\/\/0\.0\.0\.0:8787\n/);
    expect(text).toMatch(/Public URL: +https:\/\/relay\.example\.edu\n/);
    expect(text).toMatch(/Allowed origins: +https:\/\/chess\.example\.edu, https:\/\/\*\.clubs\.example\.edu\n/);
    expect(text).toMatch(/Widget: +https:\/\/relay\.example\.edu\/vantio-signup\.js/);
    expect(text).toMatch(/Dashboard: +https:\/\/relay\.example\.edu\/admin\n/);
    expect(text).toMatch(/Webhook sources: +typeform \(typeform\)\n/);
    expect(text).toMatch(/Delivery: +running, 4 at a time\n/);
    expect(text).toMatch(/Alerts: +webhook hooks\.slack\.com; email to ops@example\.edu/);
    expect(text).not.toContain('warning');
  });

  it('says when delivery starts paused and warns about what looks wrong', () => {
    const text = productionBanner({
      listenUrl: 'http://127.0.0.1:8787',
      publicUrl: undefined,
      vantioApiUrl: 'http://127.0.0.1:4010',
      allowedOrigins: [],
      adminEnabled: false,
      webhookSources: [],
      delivery: { ...running, paused: true, reason: 'admin', message: 'delivery paused by an admin', since: '2026-03-02T09:00:00Z' },
      alertChannels: [],
    });
    expect(text).toMatch(/Delivery: +PAUSED \(admin\): delivery paused by an admin\n/);
    expect(text).toMatch(/Widget: +http:\/\/127\.0\.0\.1:8787\/vantio-signup\.js/);
    expect(text).toMatch(/Dashboard: +\(off: RELAY_ADMIN_TOKEN is not set\)/);
    expect(text).toContain('warning: VANTIO_API_URL is plain http to 127.0.0.1:4010: fine for a local emulator, never for Vantio itself');
    expect(text).toContain('warning: no alert channel');
  });

  it('warns loudest about plain http to a machine that is not this one', () => {
    const warnings = productionWarnings({
      vantioApiUrl: 'http://vantio.internal:8080',
      allowedOrigins: ['*'],
      adminEnabled: true,
      alertChannels: ['console'],
      publicUrl: 'http://relay.example.edu',
    });
    expect(warnings).toEqual([
      'VANTIO_API_URL is plain http to vantio.internal:8080: the secret key would cross the network unencrypted',
      'RELAY_ALLOWED_ORIGINS is "*": any website can send signups',
      'RELAY_PUBLIC_URL is plain http: phones send names and emails unencrypted',
    ]);
  });
});
