/**
 * The relay process: reads the environment, opens the database, starts delivery and
 * serves HTTP. Without VANTIO_API_URL it runs in sandbox mode, with the Vantio emulator.
 */
import { serve, type HttpBindings } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configuredChannels, createAlerting } from './alerts';
import { relayAlertSources } from './alerts/sources';
import { productionBanner } from './banner';
import { ConfigError, loadConfig, type RelayConfig } from './config';
import { guardConnections, httpServerOptions } from './http/connections';
import { errorBody } from './http/errors';
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

  // Listen first: in sandbox mode (often port 0) the public URL is only known once bound,
  // and the relay writes it into /demo and trusts it for CORS. Until the relay is built
  // (milliseconds), requests get a 503; scripts wait for the "relay listening" line anyway.
  let handle: (request: Request, env: HttpBindings) => Response | Promise<Response> = () =>
    Response.json(errorBody(503, 'The relay is starting; try again in a moment'), { status: 503, headers: { 'Retry-After': '1' } });
  const server = serve({
    fetch: (request, env) => handle(request, env as HttpBindings),
    hostname: config.host,
    port: config.port,
    serverOptions: httpServerOptions(config.server),
  }) as Server;
  // Slow, silent or too many clients must not hold the relay's file descriptors (http/connections.ts).
  guardConnections(server, config.server);
  const info = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('listening', () => resolve(server.address() as AddressInfo));
    server.once('error', reject);
  }).catch(async (error: NodeJS.ErrnoException) => {
    // E.g. EADDRINUSE: say it plainly, stop what started, exit non-zero.
    process.stderr.write(`relay cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}\n`);
    logger.fatal({ err: error }, 'listen failed');
    await upstream?.close();
    return logger.flush(() => process.exit(1));
  });
  if (!info) return;
  const listenUrl = `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
  // The only source of the relay's own origin; in sandbox mode, where it listens.
  const publicUrl = config.publicUrl ?? (sandbox ? listenUrl : undefined);

  const relay = await createRelay({
    ...config,
    publicUrl,
    adminToken,
    vantioApiUrl: upstream?.url ?? config.vantioApiUrl!,
    vantioSecretKey: upstream ? config.emulatorSecretKey : config.vantioSecretKey!,
    logger,
    processMetrics: true,
    webhookSources,
    // The widget bundles, and in sandbox mode the demo page.
    extraRoutes: [
      createStaticRoutes({ widgetDir: fileURLToPath(new URL('../../widget/dist', import.meta.url)), demo: sandbox, publicUrl }),
    ],
  });
  relay.start();
  if (sandbox) await seedDemoPage(relay.store, Date.now());
  handle = relay.app.fetch;
  // Alerts read the relay and send on their own: a failing channel never holds up delivery.
  const alerting = createAlerting({
    config: { ...config, publicUrl },
    sources: relayAlertSources(relay, Date.now),
    logger,
    now: Date.now,
    sandbox,
  });

  // Plain lines on stdout: the banner for people, and a stable line for scripts.
  process.stdout.write(`relay listening on ${listenUrl}\n`);
  if (upstream) process.stdout.write(sandboxBanner({ relayUrl: publicUrl!, emulatorUrl: upstream.url, adminToken: adminToken! }));
  else {
    process.stdout.write(
      productionBanner({
        listenUrl,
        publicUrl: config.publicUrl,
        vantioApiUrl: config.vantioApiUrl!,
        allowedOrigins: config.allowedOrigins,
        adminEnabled: adminToken !== undefined,
        webhookSources: describeSources(webhookSources),
        delivery: relay.forwarder.status(),
        alertChannels: configuredChannels(config).map((channel) => channel.name),
      }),
    );
  }
  alerting.start();
  logger.info(
    { url: listenUrl, public_url: publicUrl ?? null, sandbox, concurrency: config.forwardConcurrency, webhook_sources: describeSources(webhookSources) },
    'relay started',
  );

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
    await alerting.stop();
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
