/**
 * The relay process: reads the environment, opens the database, starts delivery and
 * serves HTTP. Without VANTIO_API_URL it runs in sandbox mode, with the Vantio emulator.
 */
import { serve } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type RelayConfig } from './config';
import { createLogger } from './logger';
import { seedDemoPage } from './pages';
import { createRelay } from './relay';
import { sandboxBanner, startSandboxUpstream } from './sandbox';
import { createStaticRoutes } from './static-routes';
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

  // Sandbox mode on port 0 learns its address on listen; production names it (RELAY_PUBLIC_URL).
  let publicUrl = config.publicUrl;
  const relay = createRelay({
    ...config,
    publicUrl: () => publicUrl,
    adminToken,
    vantioApiUrl: upstream?.url ?? config.vantioApiUrl!,
    vantioSecretKey: upstream ? config.emulatorSecretKey : config.vantioSecretKey!,
    logger,
    processMetrics: true,
    webhookSources,
    // The widget bundles, and in sandbox mode the demo page.
    extraRoutes: [createStaticRoutes({ widgetDir: fileURLToPath(new URL('../../widget/dist', import.meta.url)), demo: sandbox })],
  });
  relay.start();
  if (sandbox) await seedDemoPage(relay.pages, Date.now());

  const server = serve({ fetch: relay.app.fetch, hostname: config.host, port: config.port }, (info: AddressInfo) => {
    const url = `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
    publicUrl ??= url;
    // Plain lines on stdout: the sandbox banner for people, and a stable line for scripts.
    process.stdout.write(`relay listening on ${url}\n`);
    if (upstream) process.stdout.write(sandboxBanner({ relayUrl: url, emulatorUrl: upstream.url, adminToken: adminToken! }));
    logger.info(
      { url, sandbox, concurrency: config.forwardConcurrency, webhook_sources: describeSources(webhookSources) },
      'relay started',
    );
  }) as Server;
  // A client trickling its request must not hold a connection (or a shutdown) for Node's 5 minutes.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.on('error', (error: NodeJS.ErrnoException) => {
    // E.g. EADDRINUSE: say it plainly, stop what started, exit non-zero.
    process.stderr.write(`relay cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}\n`);
    logger.fatal({ err: error }, 'listen failed');
    void relay
      .stop(1_000)
      .then(() => upstream?.close())
      .finally(() => logger.flush(() => process.exit(1)));
  });

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      // A second signal: stop now. Everything acknowledged is on disk; undelivered rows go out next start.
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing deliveries');
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive sockets would hold close() open; in-flight requests still finish,
      // up to the shutdown timeout.
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs).unref();
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

main().catch((error: unknown) => {
  process.stderr.write(`relay failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
