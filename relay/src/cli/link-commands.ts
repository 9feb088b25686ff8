/** `links`, `link-set`, `link-delete`, `link-origins`: poster links for `GET /go/:slug`. */
import type { z } from 'zod';
import type { ZLinkList, ZLinkView } from '../webhooks/links';
import { EXIT } from './client';
import { noPositionals, positional, text, usageError, type Command } from './command';
import { fields, shortTime, table } from './format';

type LinkView = z.infer<typeof ZLinkView>;

export const links: Command = {
  summary: 'List poster links (GET /go/<slug> → a prefilled form)',
  usage: 'links [<slug>]',
  options: {},
  async run(ctx) {
    const client = ctx.client();
    if (ctx.positionals.length) {
      const link = await client.json<LinkView>('GET', `/links/${encodeURIComponent(positional(ctx, 'slug'))}`);
      if (ctx.json) ctx.printJson(link);
      else {
        ctx.print(
          fields([
            ['slug', link.slug],
            ['poster URL', `${link.url}?impression_id=<impression>`],
            ['target', link.target],
            ['impression in', link.impression_param],
            ['updated', link.updated_at],
          ]),
        );
      }
      return EXIT.ok;
    }
    const list = await client.json<z.infer<typeof ZLinkList>>('GET', '/links');
    if (ctx.json) ctx.printJson(list);
    else if (list.links.length === 0) ctx.print('No poster links. Add one with: vantio-relay link-set <slug> --target <form URL> --field entry.<n>');
    else {
      ctx.print(
        table(
          ['SLUG', 'PATH', 'IMPRESSION IN', 'TARGET', 'UPDATED'],
          list.links.map((link) => [link.slug, link.url, link.impression_param, link.target, shortTime(link.updated_at)]),
          80,
        ),
      );
    }
    return EXIT.ok;
  },
};

export const linkSet: Command = {
  summary: 'Create or replace a poster link',
  usage: 'link-set <slug> --target <https://docs.google.com/forms/…/viewform> --field <entry.N>',
  options: { target: { type: 'string' }, field: { type: 'string' } },
  help: `  --target  the form's URL (Google Forms: the "viewform" link; others must be on link-origins)
  --field   the query parameter that carries the impression (Google Forms: entry.<number>
            of a short-answer question, from the form's "Get pre-filled link")`,
  async run(ctx) {
    const slug = positional(ctx, 'slug');
    const target = text(ctx.values, 'target');
    const field = text(ctx.values, 'field');
    if (!target || !field) throw usageError('link-set needs --target and --field');
    const link = await ctx.client().json<LinkView>('PUT', `/links/${encodeURIComponent(slug)}`, { target, impression_param: field });
    if (ctx.json) ctx.printJson(link);
    else ctx.print(`Saved ${link.slug}: print ${link.url}?impression_id=<impression> on the poster (after your relay's address).`);
    return EXIT.ok;
  },
};

export const linkDelete: Command = {
  summary: 'Delete a poster link',
  usage: 'link-delete <slug>',
  options: {},
  async run(ctx) {
    const slug = positional(ctx, 'slug');
    await ctx.client().json<void>('DELETE', `/links/${encodeURIComponent(slug)}`);
    if (ctx.json) ctx.printJson({ deleted: slug });
    else ctx.print(`Deleted ${slug}.`);
    return EXIT.ok;
  },
};

export const linkOrigins: Command = {
  summary: 'Show or replace the origins poster links may point to besides Google Forms',
  usage: 'link-origins [--set <https://origin,…>]',
  options: { set: { type: 'string' } },
  help: '  --set  replaces the whole list ("" empties it), e.g. --set https://tally.so,https://club.typeform.com',
  async run(ctx) {
    noPositionals(ctx);
    const set = text(ctx.values, 'set');
    const client = ctx.client();
    const answer =
      set === undefined
        ? await client.json<{ origins: string[] }>('GET', '/link-origins')
        : await client.json<{ origins: string[] }>('PUT', '/link-origins', {
            origins: set.split(',').map((origin) => origin.trim()).filter(Boolean),
          });
    if (ctx.json) ctx.printJson(answer);
    else ctx.print(answer.origins.length ? answer.origins.join('\n') : 'Only https://docs.google.com/forms/… is allowed.');
    return EXIT.ok;
  },
};
