/** `release`, `discard`: what to do with a signup held as a suspected bot (`list --state held`). */
import type { SignupView } from '../admin/views';
import { EXIT } from './client';
import { positional, type Command } from './command';

export const release: Command = {
  summary: 'Release a held signup (a person, not a bot): it is sent to Vantio once',
  usage: 'release <signup-id>',
  options: {},
  help: '  Held signups: list --state held. They are never sent until released.',
  async run(ctx) {
    const id = positional(ctx, 'signup-id');
    const result = await ctx.client().json<{ signup: SignupView }>('POST', `/signups/${encodeURIComponent(id)}/release`);
    if (ctx.json) ctx.printJson(result);
    else ctx.print(`${result.signup.id} is released and queued; delivery starts now.`);
    return EXIT.ok;
  },
};

export const discard: Command = {
  summary: 'Discard a held signup: it is deleted and never sent',
  usage: 'discard <signup-id>',
  options: {},
  async run(ctx) {
    const id = positional(ctx, 'signup-id');
    const result = await ctx.client().json<{ discarded: string }>('POST', `/signups/${encodeURIComponent(id)}/discard`);
    if (ctx.json) ctx.printJson(result);
    else ctx.print(`${result.discarded} is discarded (deleted with its personal data).`);
    return EXIT.ok;
  },
};
