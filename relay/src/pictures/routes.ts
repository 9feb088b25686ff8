/**
 * `POST /v1/pictures` (the widget uploads a downscaled photo, then names its URL as the
 * signup's `profile_picture`) and `GET /pictures/:id.webp`.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../http/errors';
import type { Pictures } from './index';
import { PICTURE_MAX_BYTES, pictureRefusal, tooManyBytes } from './process';

/** The `error` of `POST /v1/pictures` on a relay with pictures off (shared with the widget by value). */
export const PICTURES_DISABLED = 'pictures_disabled';

/** Content is addressed by hash: a URL's bytes never change, so caches keep them for a year. */
export const PICTURE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** Mounted always (one documented surface); with pictures off both routes answer 404. */
export function pictureRoutes(pictures: Pictures | undefined) {
  const app = new Hono();

  app.post(
    '/v1/pictures',
    bodyLimit({
      maxSize: PICTURE_MAX_BYTES,
      onError: () => {
        throw tooManyBytes();
      },
    }),
    async (c) => {
      // Not the picture's fault: a code (no field issue) so the widget sends the signup without it.
      if (!pictures) throw new ApiError(404, 'Photo uploads are off on this relay (RELAY_PICTURES)', { error: PICTURES_DISABLED });
      const type = c.req.header('content-type') ?? '';
      if (!/^image\//i.test(type) && !/^application\/octet-stream/i.test(type)) {
        throw pictureRefusal(415, 'Send the picture bytes with an image/* Content-Type', 'must be sent with an image/* Content-Type');
      }
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const stored = await pictures.upload(bytes);
      return c.json(stored, 201);
    },
  );

  app.get('/pictures/:file', async (c) => {
    const file = c.req.param('file');
    const id = file.endsWith('.webp') ? file.slice(0, -5) : '';
    const picture = pictures ? await pictures.get(id) : undefined;
    if (!picture) throw new ApiError(404, 'No such picture');
    c.header('Content-Type', 'image/webp');
    c.header('Cache-Control', PICTURE_CACHE_CONTROL);
    c.header('X-Content-Type-Options', 'nosniff');
    // Shown by Vantio's pages and the club's: any origin may embed it.
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    c.header('Content-Security-Policy', "default-src 'none'; sandbox");
    const body = picture.body;
    return c.body(new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength), 200);
  });

  return app;
}
