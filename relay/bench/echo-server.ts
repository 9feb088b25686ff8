// The benchmark's baseline: a bare Hono JSON-echo POST on the same server stack as the relay.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/echo', async (c) => c.json(await c.req.json()));

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stdout.write(`echo listening on http://127.0.0.1:${info.port}\n`);
});
