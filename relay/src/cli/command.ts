/** What every CLI command gets, and the shape each one has. */
import type { ParseArgsConfig } from 'node:util';
import { AdminClient, CliError, EXIT, type ExitCode } from './client';

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  json: boolean;
  io: Io;
  /** The admin API client (a usage error when no token is configured). */
  client(): AdminClient;
  /** A line on stdout. */
  print(text: string): void;
  /** A JSON document on stdout (the `--json` output). */
  printJson(value: unknown): void;
}

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Extra help lines under the usage. */
  help?: string;
  run(ctx: CommandContext): Promise<ExitCode>;
}

export function usageError(message: string): CliError {
  return new CliError(EXIT.usage, message);
}

/** The one positional a command needs, or a usage error naming it. */
export function positional(ctx: CommandContext, name: string): string {
  const [value, ...rest] = ctx.positionals;
  if (value === undefined) throw usageError(`missing <${name}>`);
  if (rest.length) throw usageError(`unexpected argument: ${rest[0]}`);
  return value;
}

export function noPositionals(ctx: CommandContext): void {
  if (ctx.positionals.length) throw usageError(`unexpected argument: ${ctx.positionals[0]}`);
}

export const text = (values: OptionValues, name: string) => values[name] as string | undefined;

/** Signup filter options shared by list, export and replay. */
export const FILTER_OPTIONS = {
  state: { type: 'string' },
  source: { type: 'string' },
  impression: { type: 'string' },
  email: { type: 'string' },
  name: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

export const FILTER_HELP = `Filters:
  --state <queued|delivered|rejected|dead>   --source <widget|api|name>
  --impression <id>   --email <address>   --name <part of a name, any case>
  --from <date>  --to <date>   dates like 2026-01-15 (UTC, --to includes the day) or ISO date-times`;

/** A query string from CLI options (`--impression` → `impression_id`); undefined values left out. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const encoded = search.toString();
  return encoded ? `?${encoded}` : '';
}

export function filterParams(values: OptionValues) {
  return {
    state: text(values, 'state'),
    source: text(values, 'source'),
    impression_id: text(values, 'impression'),
    email: text(values, 'email'),
    name: text(values, 'name'),
    from: text(values, 'from'),
    to: text(values, 'to'),
  };
}
