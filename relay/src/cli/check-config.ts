/**
 * `check-config`: validates the relay's environment (the very `loadConfig` the relay
 * runs) and its webhook sources file, without starting anything or opening the database.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, loadConfig, type RelayConfig } from '../config';
import { describeSources, loadSourcesFile } from '../webhooks';
import { EXIT } from './client';
import { noPositionals, text, usageError, type Command, type CommandContext } from './command';
import { fields } from './format';
import { probeVantio, type ProbeResult } from './probe';

/** The closest existing directory on the way to `path` must be writable for the relay to create its DB. */
function databaseProblem(dbPath: string, cwd: string): string | null {
  if (dbPath === ':memory:') return null;
  let dir = dirname(resolve(cwd, dbPath));
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(existsSync(resolve(cwd, dbPath)) ? resolve(cwd, dbPath) : dir, constants.W_OK);
    return null;
  } catch {
    return `RELAY_DB: ${resolve(cwd, dbPath)} is not writable by this user`;
  }
}

function warningsFor(config: RelayConfig): string[] {
  const warnings: string[] = [];
  if (!config.vantioApiUrl) warnings.push('VANTIO_API_URL is not set: the relay runs in sandbox mode against the built-in emulator');
  if (!config.adminToken) warnings.push('RELAY_ADMIN_TOKEN is not set: the admin API and this CLI are disabled');
  if (config.allowedOrigins.length === 0) {
    const own = config.publicUrl ? `only pages on ${config.publicUrl}` : 'no page at all (RELAY_PUBLIC_URL is not set either)';
    warnings.push(`RELAY_ALLOWED_ORIGINS is empty: ${own} can send widget signups`);
  }
  if (config.allowedOrigins.includes('*')) warnings.push('RELAY_ALLOWED_ORIGINS is "*": any website can send signups');
  return warnings;
}

/** The relay's environment as the CLI sees it: the process environment over `--dotenv FILE`. */
export function relayEnvironment(ctx: CommandContext): Record<string, string | undefined> {
  const envFile = text(ctx.values, 'dotenv');
  let fileEnv: Record<string, string> = {};
  if (envFile) {
    try {
      fileEnv = parseEnv(readFileSync(resolve(ctx.io.cwd, envFile), 'utf8')) as Record<string, string>;
    } catch (error) {
      throw usageError(`cannot read --dotenv ${envFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return { ...fileEnv, ...ctx.io.env };
}

export const checkConfig: Command = {
  summary: 'Validate the relay environment and webhook sources file without starting',
  usage: 'check-config [--dotenv FILE] [--probe]',
  options: { dotenv: { type: 'string' }, probe: { type: 'boolean' } },
  help: `  --dotenv reads variables from a .env file (the process environment wins).
  --probe  also asks the configured Vantio whether it accepts VANTIO_SECRET_KEY, creating nothing
           (an empty create-referral body: 401/403 = wrong key, 400 = key accepted).
Exits 2 on any configuration problem (a refused key included), 3 when Vantio cannot be reached,
1 when Vantio answers something else (5xx, 429).`,
  async run(ctx) {
    noPositionals(ctx);
    const env = relayEnvironment(ctx);
    const problems: string[] = [];
    let config: RelayConfig | undefined;
    let sources: ReturnType<typeof describeSources> = [];
    try {
      config = loadConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
    if (config?.sourcesFile) {
      try {
        sources = describeSources(loadSourcesFile(resolve(ctx.io.cwd, config.sourcesFile)));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
      }
    }
    const dbProblem = config ? databaseProblem(config.dbPath, ctx.io.cwd) : null;
    if (dbProblem) problems.push(dbProblem);
    const warnings = config ? warningsFor(config) : [];
    let probe: ProbeResult | null = null;
    if (ctx.values.probe && config) {
      if (config.vantioApiUrl && config.vantioSecretKey) {
        probe = await probeVantio(config.vantioApiUrl, config.vantioSecretKey, config.upstreamTimeoutMs);
        if (probe.verdict === 'key_refused' || probe.verdict === 'redirected' || probe.verdict === 'not_found') problems.push(`probe: ${probe.message}`);
      } else warnings.push('--probe: nothing to probe in sandbox mode (VANTIO_API_URL is not set)');
    }
    const summary = config && {
      mode: config.vantioApiUrl ? 'forwarding' : 'sandbox',
      vantio_api_url: config.vantioApiUrl ?? null,
      listen: `${config.host}:${config.port}`,
      database: resolve(ctx.io.cwd, config.dbPath),
      admin_api: config.adminToken ? 'enabled' : 'disabled',
      allowed_origins: config.allowedOrigins,
      retention_days: config.retentionDays,
      webhook_sources: sources,
    };

    const exitCode = problems.length ? EXIT.usage : probe && !probe.ok ? probe.exitCode : EXIT.ok;
    if (ctx.json) ctx.printJson({ ok: exitCode === EXIT.ok, problems, warnings, config: summary ?? null, probe });
    else {
      if (problems.length) {
        ctx.io.stderr.write(`Configuration problems:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
      } else {
        ctx.print('Configuration is valid.');
      }
      if (probe?.ok) ctx.print(`Probe: ${probe.message}.`);
      else if (probe && !problems.length) ctx.io.stderr.write(`Probe failed: ${probe.message}\n`);
      if (summary) {
        ctx.print(
          fields([
            ['mode', summary.mode === 'forwarding' ? `forwarding to ${summary.vantio_api_url}` : 'sandbox (emulator)'],
            ['listen', summary.listen],
            ['database', summary.database],
            ['admin API', summary.admin_api],
            ['allowed origins', summary.allowed_origins.join(', ') || '(none)'],
            ['retention', summary.retention_days ? `${summary.retention_days} days after delivery` : 'off'],
            ['webhook sources', sources.map((s) => `${s.name} (${s.verifier})`).join(', ') || '(none)'],
          ]),
        );
      }
      for (const warning of warnings) ctx.io.stderr.write(`warning: ${warning}\n`);
    }
    return exitCode;
  },
};
