/**
 * The relay process: reads the environment, opens the database, starts delivery and
 * serves HTTP. Without VANTIO_API_URL it runs in sandbox mode, with the Vantio emulator.
 */
import { serve } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type RelayConfig } from './config';
import { createLogger } from './logger';
import { createRelay } from './relay';
import { sandboxBanner, startSandboxUpstream } from './sandbox';
import { describeSources, loadSourcesFile, type WebhookSources } from './webhooks';

async function main(): Promise<void> {
  let config: RelayConfig;
  let webhookSources: WebhookSources;
  try {
    config = loadConfig();
    webhookSources = config.sourcesFile ? loadSourcesFile(config.sourcesFile) : new Map();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const sandbox = config.vantioApiUrl === undefined;
  const upstream = sandbox ? await startSandboxUpstream(config) : undefined;
  const adminToken = config.adminToken ?? (sandbox ? `sandbox_${randomBytes(12).toString('hex')}` : undefined);

  const relay = createRelay({
    ...config,
    adminToken,
    vantioApiUrl: upstream?.url ?? config.vantioApiUrl!,
    vantioSecretKey: upstream ? config.emulatorSecretKey : config.vantioSecretKey!,
    logger,
    processMetrics: true,
    webhookSources,
    extraRoutes: await loadStaticRoutes(sandbox),
  });
  relay.start();

  const server = serve({ fetch: relay.app.fetch, hostname: config.host, port: config.port }, (info: AddressInfo) => {
    const url = `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
    // Plain lines on stdout: the sandbox banner for people, and a stable line for scripts.
    process.stdout.write(`relay listening on ${url}\n`);
    if (upstream) process.stdout.write(sandboxBanner({ relayUrl: url, emulatorUrl: upstream.url, adminToken: adminToken! }));
    logger.info(
      { url, sandbox, concurrency: config.forwardConcurrency, webhook_sources: describeSources(webhookSources) },
      'relay started',
    );
  });

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing deliveries');
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    });
    await relay.stop(config.shutdownTimeoutMs);
    await upstream?.close();
    logger.info('stopped');
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** The widget bundles and (in sandbox mode) the demo page, when that module is present. */
async function loadStaticRoutes(demo: boolean) {
  const { createStaticRoutes } = await import('./static-routes');
  const widgetDir = fileURLToPath(new URL('../../widget/dist', import.meta.url));
  return [createStaticRoutes({ widgetDir, demo })];
}

main().catch((error: unknown) => {
  process.stderr.write(`relay failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
