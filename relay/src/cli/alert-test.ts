/**
 * `alert-test`: sends one test alert to every channel the relay's environment configures
 * (RELAY_ALERT_WEBHOOK_URL, RELAY_ALERT_EMAIL + RELAY_SMTP_URL) and reports each outcome.
 * It reads the environment where it runs, as `check-config` does: run it where the relay
 * runs, or pass the relay's `--dotenv` file.
 */
import { AlertEngine, configuredChannels } from '../alerts';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { relayEnvironment } from './check-config';
import { CliError, EXIT } from './client';
import { noPositionals, type Command } from './command';

export const alertTest: Command = {
  summary: 'Send a test alert to every alert channel configured (webhook, email)',
  usage: 'alert-test [--dotenv FILE]',
  options: { dotenv: { type: 'string' } },
  help: `  Reads RELAY_ALERT_WEBHOOK_URL, RELAY_ALERT_EMAIL, RELAY_SMTP_URL and RELAY_PUBLIC_URL from the
  environment (over --dotenv FILE), as the relay would. Exits 1 when a channel fails, 2 when none is set.`,
  async run(ctx) {
    noPositionals(ctx);
    let config;
    try {
      config = loadConfig(relayEnvironment(ctx));
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(EXIT.usage, error.message);
      throw error;
    }
    const channels = configuredChannels(config);
    if (channels.length === 0) {
      throw new CliError(EXIT.usage, 'no alert channel is configured: set RELAY_ALERT_WEBHOOK_URL, or RELAY_ALERT_EMAIL and RELAY_SMTP_URL');
    }
    const engine = new AlertEngine({
      conditions: [],
      channels,
      logger: createLogger('silent'),
      now: Date.now,
      dashboardUrl: config.publicUrl ? `${config.publicUrl}/admin` : undefined,
    });
    const results = await engine.test();
    if (ctx.json) ctx.printJson({ results });
    else for (const { channel, error } of results) ctx.print(`${channel}: ${error === null ? 'sent' : `FAILED (${error})`}`);
    return results.some((result) => result.error !== null) ? EXIT.failed : EXIT.ok;
  },
};
