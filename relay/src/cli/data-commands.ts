/** `export`, `backup`, `erase`: the commands that move or remove data. */
import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError, EXIT } from './client';
import {
  FILTER_HELP,
  FILTER_OPTIONS,
  filterParams,
  noPositionals,
  positional,
  queryString,
  text,
  usageError,
  type Command,
  type CommandContext,
} from './command';
import { bytes, count } from './format';
import { createProgress, CsvRecordCounter } from './progress';

type Target = { kind: 'stdout' } | { kind: 'file'; path: string };

/** `--out -` or a pipe → stdout; `--out FILE` → that file; a terminal → the server's file name here. */
function chooseTarget(ctx: CommandContext, response: Response, binary: boolean): Target {
  const out = text(ctx.values, 'out');
  if (out === '-' || (out === undefined && !ctx.io.stdout.isTTY)) {
    if (binary && ctx.io.stdout.isTTY) throw usageError('refusing to write a binary backup to the terminal; use --out FILE');
    return { kind: 'stdout' };
  }
  const suggested = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
  const path = resolve(ctx.io.cwd, out ?? basename(suggested ?? 'download').replace(/[^\w.-]/g, '_'));
  if (existsSync(path) && !ctx.values.force) throw usageError(`${path} already exists; pass --force to overwrite it`);
  return { kind: 'file', path };
}

/** Streams the body to the target (a file appears only once complete). */
async function save(response: Response, target: Target, ctx: CommandContext, onChunk: (chunk: Uint8Array) => void): Promise<number> {
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      onChunk(chunk);
      done(null, chunk);
    },
  });
  const source = Readable.fromWeb(response.body! as import('node:stream/web').ReadableStream<Uint8Array>);
  if (target.kind === 'stdout') {
    await pipeline(source, tap, ctx.io.stdout, { end: false });
    return size;
  }
  const partial = `${target.path}.partial`;
  try {
    await pipeline(source, tap, createWriteStream(partial));
    await rename(partial, target.path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return size;
}

const failedTransfer = (what: string, error: unknown) =>
  error instanceof CliError ? error : new CliError(EXIT.failed, `${what} was interrupted: ${(error as Error).message}`);

export const exportCsv: Command = {
  summary: 'Download signups as CSV (streamed; a progress bar on a terminal)',
  usage: 'export [filters] [--out FILE|-] [--force]',
  options: { ...FILTER_OPTIONS, out: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
  help: `${FILTER_HELP}\n  Without --out: stdout when piped, else the file name the relay suggests, in the current directory.`,
  async run(ctx) {
    noPositionals(ctx);
    const response = await ctx.client().download(`/export.csv${queryString(filterParams(ctx.values))}`);
    const target = chooseTarget(ctx, response, false);
    const expected = Number(response.headers.get('x-export-rows') ?? NaN);
    const progress = createProgress(ctx.io.stderr, Number.isFinite(expected) ? expected : null, 'rows');
    const counter = new CsvRecordCounter();
    try {
      await save(response, target, ctx, (chunk) => {
        counter.push(chunk);
        progress.update(Math.max(0, counter.records - 1));
      });
    } catch (error) {
      throw failedTransfer('the export', error);
    } finally {
      progress.finish();
    }
    const rows = Math.max(0, counter.records - 1);
    if (Number.isFinite(expected) && rows < expected) {
      throw new CliError(EXIT.failed, `the export ended early: ${count(rows)} of ${count(expected)} rows`);
    }
    const where = target.kind === 'file' ? target.path : 'stdout';
    if (ctx.json) ctx.io.stderr.write(`${JSON.stringify({ rows, file: target.kind === 'file' ? target.path : null })}\n`);
    else ctx.io.stderr.write(`Exported ${count(rows)} rows to ${where}.\n`);
    return EXIT.ok;
  },
};

export const backup: Command = {
  summary: 'Download a consistent copy of the relay database (safe while it runs)',
  usage: 'backup [--out FILE|-] [--force]',
  options: { out: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
  help: '  Restore by stopping the relay and putting the file at RELAY_DB.',
  async run(ctx) {
    noPositionals(ctx);
    const response = await ctx.client().download('/backup');
    const target = chooseTarget(ctx, response, true);
    const expected = Number(response.headers.get('content-length') ?? NaN);
    const progress = createProgress(ctx.io.stderr, Number.isFinite(expected) ? expected : null, 'bytes');
    let head = Buffer.alloc(0);
    let received = 0;
    let size: number;
    try {
      size = await save(response, target, ctx, (chunk) => {
        if (head.length < 16) head = Buffer.concat([head, chunk]).subarray(0, 16);
        received += chunk.length;
        progress.update(received);
      });
    } catch (error) {
      throw failedTransfer('the backup', error);
    } finally {
      progress.finish();
    }
    if (head.toString('latin1') !== 'SQLite format 3\0' || (Number.isFinite(expected) && size !== expected)) {
      if (target.kind === 'file') await rm(target.path, { force: true });
      throw new CliError(EXIT.failed, 'the relay did not send a complete SQLite database');
    }
    const summary = { file: target.kind === 'file' ? target.path : null, bytes: size };
    if (ctx.json && target.kind === 'file') ctx.printJson(summary);
    else ctx.io.stderr.write(`Backup of ${bytes(size)} written to ${summary.file ?? 'stdout'}.\n`);
    return EXIT.ok;
  },
};

export const erase: Command = {
  summary: 'Erase a person: every signup and stored webhook payload of one email',
  usage: 'erase <email> [--yes]',
  options: { yes: { type: 'boolean', short: 'y' } },
  help: '  Asks for confirmation on a terminal; scripts must pass --yes. Vantio keeps referrals it already created.',
  async run(ctx) {
    const email = positional(ctx, 'email');
    if (!ctx.values.yes) {
      if (!ctx.io.stdin.isTTY) throw usageError('erasing needs confirmation: pass --yes');
      const prompt = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr });
      const answer = await prompt.question(`Erase every signup of ${email}? This cannot be undone. Type "yes": `);
      prompt.close();
      if (answer.trim().toLowerCase() !== 'yes') throw new CliError(EXIT.failed, 'not erased');
    }
    const erased = await ctx.client().json<{
      signups: number;
      attempts: number;
      outbox: number;
      webhook_payloads: number | null;
      signup_ids: string[];
    }>('DELETE', `/people/${encodeURIComponent(email)}`);
    if (ctx.json) ctx.printJson(erased);
    else if (erased.signups === 0 && !erased.webhook_payloads) ctx.print(`Nothing stored for ${email}.`);
    else {
      const payloads = erased.webhook_payloads === null ? '' : `, ${count(erased.webhook_payloads)} webhook payloads`;
      ctx.print(
        `Erased ${count(erased.signups)} signups (${count(erased.attempts)} delivery attempts, ${count(erased.outbox)} pending deliveries${payloads}).`,
      );
    }
    return EXIT.ok;
  },
};
