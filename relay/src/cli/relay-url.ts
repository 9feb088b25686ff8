/**
 * Where the relay is: the CLI reads the same variables the relay does, so a shell (or a
 * container) set up for the relay needs nothing more. First match wins:
 *   --url, VANTIO_RELAY_URL       an explicit override
 *   RELAY_HOST / RELAY_PORT      the relay's own listen address (0.0.0.0 and :: mean this machine)
 *   RELAY_PUBLIC_URL             its public address (through the reverse proxy)
 *   http://127.0.0.1:8787        the relay's defaults
 */
import { CliError, EXIT } from './client';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8787;

export interface RelayLocation {
  url: string;
  /** Which setting it came from, for messages ("… found from RELAY_PORT"). */
  from: string;
}

const set = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

export function locateRelay(flag: string | undefined, env: Record<string, string | undefined>): RelayLocation {
  const explicit = set(flag) ?? set(env.VANTIO_RELAY_URL);
  if (explicit) {
    if (!/^https?:\/\/[^/\s]+/i.test(explicit)) throw new CliError(EXIT.usage, `--url must be an http(s) URL, got ${explicit}`);
    return { url: explicit, from: set(flag) ? '--url' : 'VANTIO_RELAY_URL' };
  }
  const host = set(env.RELAY_HOST);
  const port = set(env.RELAY_PORT);
  if (host || port) {
    const from = [host && 'RELAY_HOST', port && 'RELAY_PORT'].filter(Boolean).join(' and ');
    if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new CliError(EXIT.usage, `RELAY_PORT must be a port number, got ${port}`);
    if (port === '0') {
      throw new CliError(EXIT.usage, 'RELAY_PORT is 0 (the relay picks any free port): pass --url with the port it printed');
    }
    const name = host === undefined || WILDCARD.has(host) ? DEFAULT_HOST : host;
    const hostPart = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
    return { url: `http://${hostPart}:${port ?? DEFAULT_PORT}`, from };
  }
  const publicUrl = set(env.RELAY_PUBLIC_URL);
  if (publicUrl) {
    if (!/^https?:\/\/[^/\s]+/i.test(publicUrl)) throw new CliError(EXIT.usage, `RELAY_PUBLIC_URL must be an http(s) URL, got ${publicUrl}`);
    return { url: publicUrl, from: 'RELAY_PUBLIC_URL' };
  }
  return { url: `http://${DEFAULT_HOST}:${DEFAULT_PORT}`, from: 'the default' };
}
