/**
 * `vantio-relay`: the admin CLI over the relay's admin API. Plain `node:util` parseArgs —
 * a dozen flat commands need no framework. Human tables by default, `--json` for scripts.
 * Exit codes: 0 ok, 1 operation failed or not found, 2 usage or configuration error,
 * 3 relay unreachable or token refused.
 */
import { parseArgs } from 'node:util';
import { alertTest } from './alert-test';
import { checkConfig } from './check-config';
import { AdminClient, CliError, EXIT, type ExitCode } from './client';
import { type Command, type CommandContext, type Io } from './command';
import { backup, erase, exportCsv } from './data-commands';
import { discard, release } from './held-commands';
import { linkDelete, linkOrigins, links, linkSet } from './link-commands';
import { migrateToPostgres } from './migrate-command';
import { pause, resume, stats } from './overview-commands';
import { pages } from './page-commands';
import { locateRelay } from './relay-url';
import { list, replay, retry, show } from './signup-commands';

export const COMMANDS: Record<string, Command> = {
  stats,
  list,
  show,
  retry,
  replay,
  release,
  discard,
  export: exportCsv,
  erase,
  backup,
  pages,
  pause,
  resume,
  'check-config': checkConfig,
  links,
  'link-set': linkSet,
  'link-delete': linkDelete,
  'link-origins': linkOrigins,
  'alert-test': alertTest,
  'migrate-to-postgres': migrateToPostgres,
};

const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GLOBAL_HELP = `Global options:
  --url <url>      the relay; without it, the first of: VANTIO_RELAY_URL,
                   RELAY_HOST/RELAY_PORT (as the relay listens; 0.0.0.0 means this machine),
                   RELAY_PUBLIC_URL, http://127.0.0.1:8787
  --token <token>  the admin token (env RELAY_ADMIN_TOKEN; prefer the env: flags show in ps)
  --json           machine-readable output on stdout
  -h, --help       help for a command`;

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return `vantio-relay — manage a Vantio signup relay

Usage: vantio-relay <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
  .join('\n')}

${GLOBAL_HELP}

Exit codes: 0 ok, 1 failed or not found, 2 usage or configuration error, 3 relay unreachable or token refused.
Run "vantio-relay <command> --help" for a command's options.`;
}

function commandHelp(name: string, command: Command): string {
  return `vantio-relay ${command.usage}\n\n${command.summary}.${command.help ? `\n\n${command.help}` : ''}\n\n${GLOBAL_HELP}`;
}

/** The command's position: the first bare word that is not the value of --url or --token. */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--url' || arg === '--token') i++;
    else if (arg === '--') return -1;
    else if (!arg.startsWith('-')) return i;
  }
  return -1;
}

export async function run(argv: string[], io: Io): Promise<ExitCode> {
  const print = (text: string) => void io.stdout.write(`${text}\n`);
  const at = commandIndex(argv);
  const name = at === -1 ? undefined : argv[at];
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    if (name === undefined && (argv.includes('--help') || argv.includes('-h'))) {
      print(overview());
      return EXIT.ok;
    }
    io.stderr.write(`${name === undefined ? 'missing command' : `unknown command: ${name}`}\n\n${overview()}\n`);
    return EXIT.usage;
  }
  try {
    const { values, positionals } = parseArgs({
      args: argv.filter((_, index) => index !== at),
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      print(commandHelp(name!, command));
      return EXIT.ok;
    }
    const json = values.json === true;
    const ctx: CommandContext = {
      values,
      positionals,
      json,
      io,
      print,
      printJson: (value) => print(JSON.stringify(value, null, 2)),
      client() {
        const token = (values.token as string | undefined) ?? io.env.RELAY_ADMIN_TOKEN;
        if (!token) throw new CliError(EXIT.usage, 'no admin token: set RELAY_ADMIN_TOKEN or pass --token');
        const { url, from } = locateRelay(values.url as string | undefined, io.env);
        return new AdminClient({ url, token, from });
      },
    };
    return await command.run(ctx);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`vantio-relay ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`vantio-relay ${name}: ${error.message}\n\n${commandHelp(name!, command)}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`vantio-relay ${name}: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

/** Exits once stdout has drained (a piped export must not be cut short). */
export async function main(): Promise<void> {
  const code = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  });
  if (process.stdout.writableNeedDrain) await new Promise((resolve) => process.stdout.once('drain', resolve));
  // Exit now: idle keep-alive sockets to the relay must not hold the process open.
  process.exit(code);
}
