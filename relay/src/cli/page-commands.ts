/** `pages list|show|set|delete`: the hosted signup pages (/join/:slug) over /v1/admin/pages. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TPage } from '@vantio/shared';
import { EXIT } from './client';
import { text, usageError, type Command, type CommandContext } from './command';
import { table } from './format';

async function readConfig(ctx: CommandContext, file: string): Promise<unknown> {
  let raw: string;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    raw = Buffer.concat(chunks).toString('utf8');
  } else {
    raw = await readFile(resolve(ctx.io.cwd, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw usageError(`cannot read ${file}: ${error.code ?? error.message}`);
    });
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw usageError(`${file === '-' ? 'stdin' : file} is not JSON`);
  }
}

function printPage(ctx: CommandContext, page: TPage): void {
  ctx.print(`/join/${page.slug}  ${page.config.title}  (updated ${page.updated_at})`);
  ctx.print(JSON.stringify(page.config, null, 2));
}

const slugOf = (ctx: CommandContext, action: string) => {
  const [, slug, ...rest] = ctx.positionals;
  if (!slug) throw usageError(`pages ${action} needs a <slug>`);
  if (rest.length) throw usageError(`unexpected argument: ${rest[0]}`);
  return encodeURIComponent(slug);
};

export const pages: Command = {
  summary: 'Hosted signup pages (/join/<slug>): list, show, set (create or replace) and delete',
  usage: 'pages list | pages show <slug> | pages set <slug> --file <config.json|-> | pages delete <slug>',
  options: { file: { type: 'string' } },
  help:
    '  The configuration is the JSON of PUT /v1/admin/pages/<slug>, e.g. {"title": "Join Robotics", "locale": "es",\n' +
    '  "fields": ["profile_picture"]} (docs/pages.md lists every field). --file - reads it from stdin.',
  async run(ctx) {
    const [action] = ctx.positionals;
    const client = () => ctx.client();
    switch (action) {
      case 'list': {
        if (ctx.positionals.length > 1) throw usageError(`unexpected argument: ${ctx.positionals[1]}`);
        const { pages: list } = await client().json<{ pages: TPage[] }>('GET', '/pages');
        if (ctx.json) ctx.printJson({ pages: list });
        else if (!list.length) ctx.print('No pages yet: create one with "vantio-relay pages set <slug> --file page.json".');
        else ctx.print(table(['SLUG', 'TITLE', 'LOCALE', 'FIELDS', 'UPDATED'], list.map((p) => [p.slug, p.config.title, p.config.locale, p.config.fields.join(',') || '-', p.updated_at])));
        return EXIT.ok;
      }
      case 'show': {
        const page = await client().json<TPage>('GET', `/pages/${slugOf(ctx, 'show')}`);
        if (ctx.json) ctx.printJson(page);
        else printPage(ctx, page);
        return EXIT.ok;
      }
      case 'set': {
        const slug = slugOf(ctx, 'set');
        const file = text(ctx.values, 'file');
        if (!file) throw usageError('pages set needs --file <config.json> (or --file - for stdin)');
        const page = await client().json<TPage>('PUT', `/pages/${slug}`, await readConfig(ctx, file));
        if (ctx.json) ctx.printJson(page);
        else ctx.print(`Saved /join/${page.slug} (${page.config.title}).`);
        return EXIT.ok;
      }
      case 'delete': {
        const slug = slugOf(ctx, 'delete');
        const answer = await client().json<{ deleted: string }>('DELETE', `/pages/${slug}`);
        if (ctx.json) ctx.printJson(answer);
        else ctx.print(`Deleted /join/${decodeURIComponent(slug)}.`);
        return EXIT.ok;
      }
      default:
        throw usageError(action ? `unknown pages action "${action}": use list, show, set or delete` : 'pages needs an action: list, show, set or delete');
    }
  },
};
