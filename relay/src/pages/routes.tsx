/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * The hosted signup pages: `GET /join/:slug` (the form, or "scan the poster"),
 * `POST /join/:slug` (the native form post: validated like POST /v1/signups, through the
 * same ingest path, then 303 to the thank-you page) and `GET /join/:slug/thanks`.
 *
 * The impression arrives as `?impression_id=…` from the poster's QR redirect. It is moved
 * into a first-party HttpOnly cookie (script-set storage is erased by Safari after 7 days;
 * a server-set cookie is not) and the address bar is cleaned with a 303 to the bare URL.
 */
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { checkImpressionId, ZPageSlug, ZSignupRequest, type TPageConfig } from '@vantio/shared';
import { clientIp } from '../http/client-ip';
import { ApiError } from '../http/errors';
import { botVerdict } from '../routes/signups';
import { rateLimit } from '../http/rate-limit';
import type { Ingestor } from '../ingest';
import type { Pictures } from '../pictures';
import { PICTURE_MAX_BYTES } from '../pictures/process';
import { chooseEncoding } from '../static-routes';
import type { Store } from '../store/types';
import { issueFormToken, readFormToken } from './form-token';
import type { StoredPage } from '../store/repos/pages';
import { FormPage, MessagePage, renderDocument, ThanksPage, type FormState } from './render';
import { storedSecret } from './secret';
import { localeFromHeader, PAGE_STRINGS } from './strings';

export const IMPRESSION_COOKIE = 'vantio_impression';
const TEXT_BODY_LIMIT = 64 * 1024;

export interface PageRouteDeps {
  ingestor: Ingestor;
  store: Store;
  /** Present when RELAY_PICTURES is on; the photo field shows only then. */
  pictures?: Pictures | undefined;
  now: () => number;
  minFillMs: number;
  rateLimitPerMinute: number;
  trustProxy: boolean;
  /** RELAY_PUBLIC_URL (og:url; none when unset). */
  publicUrl: string | undefined;
  onBot?: (() => void) | undefined;
}

/** `default-src 'none'`: the page has no script at all; its one style block carries the nonce. */
export function pageCsp(nonce: string, frameAncestors: string[]): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' https: data:",
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

export function pageRoutes(deps: PageRouteDeps) {
  const { ingestor, store, pictures, now } = deps;
  const tokenSecret = storedSecret(store, 'page_form_secret');
  const app = new Hono();
  const limiter = rateLimit({ perMinute: deps.rateLimitPerMinute, now, key: (c) => clientIp(c, deps.trustProxy) });

  const html = (c: Context, status: ContentfulStatusCode, config: TPageConfig | undefined, title: string, body: preact.ComponentChildren, slug?: string) => {
    const nonce = randomBytes(16).toString('base64');
    c.header('Content-Security-Policy', pageCsp(nonce, config?.frame_ancestors ?? []));
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    // RELAY_PUBLIC_URL is the relay's only source of its own origin (never the Host header).
    const origin = deps.publicUrl;
    const document = renderDocument(
        {
          locale: config?.locale ?? localeFromHeader(c.req.header('accept-language')),
          title,
          description: config?.description?.split('\n')[0],
          url: slug && origin ? `${origin}/join/${slug}` : undefined,
          image: config?.logo_url,
          accent: config?.accent_color,
          nonce,
        },
        body,
      );
    // Compressed here (not by a middleware that would re-stream every answer): a phone on
    // campus Wi-Fi gets the whole first view in one small response.
    c.header('Vary', 'Accept-Encoding');
    c.header('Content-Type', 'text/html; charset=UTF-8');
    const encoding = chooseEncoding(c.req.header('accept-encoding'));
    if (encoding === 'identity') return c.body(document, status);
    c.header('Content-Encoding', encoding);
    const packed =
      encoding === 'br' ? brotliCompressSync(document, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }) : gzipSync(document);
    return c.body(new Uint8Array(packed.buffer as ArrayBuffer, packed.byteOffset, packed.byteLength), status);
  };

  const notFound = (c: Context) => {
    const t = PAGE_STRINGS[localeFromHeader(c.req.header('accept-language'))];
    return html(c, 404, undefined, t.notFoundTitle, <MessagePage heading={t.notFoundTitle} message={t.notFound} />);
  };
  const findPage = async (c: Context): Promise<StoredPage | undefined> => {
    const slug = c.req.param('slug') ?? '';
    return ZPageSlug.safeParse(slug).success ? store.read.pages.get(slug) : undefined;
  };
  const scanPage = (c: Context, page: StoredPage, status: ContentfulStatusCode) => {
    const t = PAGE_STRINGS[page.config.locale];
    return html(c, status, page.config, `${t.scanTitle} · ${page.config.title}`, <MessagePage config={page.config} heading={t.scanTitle} message={t.scan} />, page.slug);
  };
  const formPage = async (c: Context, page: StoredPage, status: ContentfulStatusCode, state: FormState, impressionId?: string, token?: string) =>
    html(
      c,
      status,
      page.config,
      page.config.title,
      <FormPage
        config={{ ...page.config, fields: pictures ? page.config.fields : [] }}
        action={`/join/${page.slug}`}
        token={token ?? issueFormToken(await tokenSecret(), page.slug, now())}
        impressionId={impressionId}
        state={state}
      />,
      page.slug,
    );
  // A page framed by another site gets no first-party cookie (SameSite=Lax): keep the impression in the form.
  const framed = (c: Context) => c.req.header('sec-fetch-dest') === 'iframe';
  const validImpression = (value: unknown) => (typeof value === 'string' && !checkImpressionId(value) ? value : undefined);

  app.get('/join', notFound);
  app.get('/join/:slug', async (c) => {
    const page = await findPage(c);
    if (!page) return notFound(c);
    const fromUrl = validImpression(c.req.query('impression_id'));
    if (fromUrl && !framed(c)) {
      setCookie(c, IMPRESSION_COOKIE, fromUrl, {
        path: `/join/${page.slug}`,
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
        maxAge: page.config.attribution_days * 86_400,
      });
      const clean = new URL(c.req.url);
      clean.searchParams.delete('impression_id');
      c.header('Cache-Control', 'no-store');
      return c.redirect(`${clean.pathname}${clean.search}`, 303);
    }
    const impression = fromUrl ?? validImpression(getCookie(c, IMPRESSION_COOKIE));
    if (!impression) return scanPage(c, page, 200);
    return formPage(c, page, 200, { values: {}, errors: {} }, framed(c) ? impression : undefined);
  });

  app.get('/join/:slug/thanks', async (c) => {
    const page = await findPage(c);
    if (!page) return notFound(c);
    const t = PAGE_STRINGS[page.config.locale];
    return html(c, 200, page.config, `${t.thanksTitle} · ${page.config.title}`, <ThanksPage config={page.config} duplicate={c.req.query('already') === '1'} />, page.slug);
  });

  app.post(
    '/join/:slug',
    async (c, next) => {
      try {
        await limiter(c, next);
      } catch (error) {
        const page = await findPage(c);
        if (!(error instanceof ApiError) || error.status !== 429 || !page) throw error;
        c.header('Retry-After', error.extra.headers?.['Retry-After'] ?? '60');
        const t = PAGE_STRINGS[page.config.locale];
        return html(c, 429, page.config, page.config.title, <MessagePage config={page.config} heading={page.config.title} message={t.tooMany} />, page.slug);
      }
    },
    bodyLimit({
      maxSize: (pictures ? PICTURE_MAX_BYTES : 0) + TEXT_BODY_LIMIT,
      onError: async (c) => {
        const page = await findPage(c);
        if (!page) return notFound(c);
        const t = PAGE_STRINGS[page.config.locale];
        return html(c, 413, page.config, page.config.title, <MessagePage config={page.config} heading={page.config.title} message={t.photoTooBig} />, page.slug);
      },
    }),
    async (c) => {
      const page = await findPage(c);
      if (!page) return notFound(c);
      const t = PAGE_STRINGS[page.config.locale];
      const type = c.req.header('content-type') ?? '';
      if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
        throw new ApiError(415, 'Send the form as application/x-www-form-urlencoded or multipart/form-data');
      }
      let body: Record<string, string | File>;
      try {
        body = await c.req.parseBody();
      } catch {
        throw new ApiError(400, 'The form body could not be read');
      }
      const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
      const values = { first_name: field('first_name'), last_name: field('last_name'), email: field('email') };

      const impression = validImpression(body.impression_id) ?? validImpression(getCookie(c, IMPRESSION_COOKIE));
      if (!impression) return scanPage(c, page, 400);
      const keepImpression = typeof body.impression_id === 'string' ? impression : undefined;
      const token = readFormToken(await tokenSecret(), page.slug, field('form_token'), now());
      if (!token) return formPage(c, page, 400, { values, errors: {}, alert: t.expired }, keepImpression);
      const sameToken = field('form_token');

      const parsed = ZSignupRequest.safeParse({ impression_id: impression, ...values, idempotency_key: token.key });
      if (!parsed.success) {
        const errors: FormState['errors'] = {};
        for (const issue of parsed.error.issues) {
          const name = issue.path[0];
          if (name !== 'first_name' && name !== 'last_name' && name !== 'email') continue;
          errors[name] ??= !values[name].trim() ? t.required : name === 'email' ? t.invalid_email : t.invalid;
        }
        return formPage(c, page, 400, { values, errors }, keepImpression, sameToken);
      }

      let profilePicture: string | undefined;
      const file = body.profile_picture;
      if (pictures && page.config.fields.includes('profile_picture') && file instanceof File && file.size > 0) {
        try {
          profilePicture = (await pictures.upload(new Uint8Array(await file.arrayBuffer()))).url;
        } catch (error) {
          if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 413)) throw error;
          const message = error.status === 413 ? t.photoTooBig : t.photoRefused;
          return formPage(c, page, error.status, { values, errors: { profile_picture: message } }, keepImpression, sameToken);
        }
      }

      // A suspected bot is stored held for review (never dropped, never forwarded on its own)
      // and answered exactly like a person, as POST /v1/signups does.
      const hold = botVerdict(field('honeypot'), now() - token.renderedAt, deps.minFillMs);
      if (hold) deps.onBot?.();
      const result = await ingestor.ingest(
        {
          signup: { ...parsed.data, ...(profilePicture ? { profile_picture: profilePicture } : {}) },
          source: `page:${page.slug}`,
          clientKey: token.key,
          hold,
        },
        hold ? async (tx, accepted) => void (accepted.kind === 'created' && (await tx.meta.addToCounter('bots'))) : undefined,
      );
      switch (result.kind) {
        case 'created':
        case 'replayed':
          return c.redirect(`/join/${page.slug}/thanks`, 303);
        case 'duplicate':
          return c.redirect(`/join/${page.slug}/thanks?already=1`, 303);
        case 'key_conflict':
          return formPage(c, page, 422, { values, errors: {}, alert: t.conflict }, keepImpression);
      }
    },
  );

  return app;
}
