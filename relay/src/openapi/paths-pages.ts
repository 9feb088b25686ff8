/** Hosted signup pages, their admin API and profile pictures, for the OpenAPI document. */
import type { RouteDoc } from './document';

const slug = { slug: 'The page address, /join/{slug}: lowercase letters, digits and inner hyphens' };
const html = (description: string) => ({ description, contentType: 'text/html' });

export const PAGE_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/join',
    tag: 'Pages',
    summary: 'No page named',
    responses: { 404: html('The HTML "page not found" page') },
  },
  {
    method: 'get',
    path: '/join/:slug',
    tag: 'Pages',
    summary: 'A hosted signup page',
    description:
      'With `?impression_id=…` (what the poster QR redirects to): sets a first-party `HttpOnly; Secure; SameSite=Lax` cookie for the page’s ' +
      'attribution window and answers 303 to the same URL without the parameter. Then, with the cookie, the server-rendered form; ' +
      'with neither, a "scan the poster" page. Inside a frame (Sec-Fetch-Dest: iframe) the impression stays in the form instead of a cookie.',
    params: slug,
    responses: {
      200: html('The form, or the "scan the poster" page'),
      303: { description: 'The impression is in the cookie now; go to the clean URL', headers: { Location: 'The URL without impression_id' } },
      404: html('No page with this slug'),
    },
  },
  {
    method: 'post',
    path: '/join/:slug',
    tag: 'Pages',
    summary: 'Send the hosted form (a native form post)',
    description:
      'application/x-www-form-urlencoded, or multipart/form-data with a `profile_picture` file: the same validation, bot checks and idempotency ' +
      'as POST /v1/signups, through the same ingest path. The form’s signed `form_token` is its idempotency key, so a resubmitted form never makes ' +
      'a second referral. Field errors re-render the form with the values kept.',
    params: slug,
    responses: {
      303: { description: 'Stored (or a replay, or a duplicate): go to the thank-you page', headers: { Location: '/join/{slug}/thanks' } },
      400: html('Field errors, an expired form, a refused picture, or no impression'),
      404: html('No page with this slug'),
      413: html('The picture is too large'),
      415: { description: 'Not a form content type', schema: 'ErrorBody' },
      422: html('This form was already sent with other details'),
      429: html('Too many posts from this network'),
    },
  },
  {
    method: 'get',
    path: '/join/:slug/thanks',
    tag: 'Pages',
    summary: 'The thank-you page',
    params: slug,
    responses: { 200: html('The page’s success message and follow-up link'), 404: html('No page with this slug') },
  },
  {
    method: 'get',
    path: '/v1/admin/pages',
    tag: 'Pages',
    summary: 'List hosted pages',
    auth: 'adminToken',
    responses: { 200: { description: 'Every page, by slug', schema: 'PageList' } },
  },
  {
    method: 'get',
    path: '/v1/admin/pages/:slug',
    tag: 'Pages',
    summary: 'Show one hosted page',
    auth: 'adminToken',
    params: slug,
    responses: { 200: { description: 'The page', schema: 'Page' }, 400: { description: 'Bad slug', schema: 'ErrorBody' }, 404: { description: 'No such page', schema: 'ErrorBody' } },
  },
  {
    method: 'put',
    path: '/v1/admin/pages/:slug',
    tag: 'Pages',
    summary: 'Create or replace a hosted page',
    auth: 'adminToken',
    params: slug,
    body: { schema: 'PageConfig' },
    responses: { 200: { description: 'Replaced', schema: 'Page' }, 201: { description: 'Created', schema: 'Page' } },
  },
  {
    method: 'delete',
    path: '/v1/admin/pages/:slug',
    tag: 'Pages',
    summary: 'Delete a hosted page',
    auth: 'adminToken',
    params: slug,
    responses: { 200: { description: 'Deleted: `{ "deleted": slug }`', contentType: 'application/json' }, 400: { description: 'Bad slug', schema: 'ErrorBody' }, 404: { description: 'No such page', schema: 'ErrorBody' } },
  },
  {
    method: 'post',
    path: '/v1/pictures',
    tag: 'Pages',
    summary: 'Upload a profile picture',
    description:
      'The picture’s bytes with an image/* Content-Type (at most 12 MB, 50 megapixels, 12000 px a side). The relay decodes and re-encodes it ' +
      '(WebP, ≤ 1024 px, no metadata) and answers its absolute URL under RELAY_PUBLIC_URL, to send as a signup’s `profile_picture`. ' +
      'The same photo gets the same id. Only when RELAY_PICTURES is on; CORS and rate limit as POST /v1/signups.',
    responses: {
      201: { description: 'Stored', schema: 'StoredPicture' },
      400: { description: 'Not a picture the relay can read, or sides out of range; nothing stored', schema: 'ErrorBody' },
      413: { description: 'Too many bytes or pixels; nothing stored', schema: 'ErrorBody' },
      415: { description: 'Not an image/* Content-Type', schema: 'ErrorBody' },
      404: { description: 'RELAY_PICTURES is off: `error` is `pictures_disabled` (no field issue; send the signup without a picture)', schema: 'ErrorBody' },
    },
  },
  {
    method: 'get',
    path: '/pictures/:file',
    tag: 'Pages',
    summary: 'A stored picture',
    description: '`/pictures/{id}.webp`; immutable (a year of caching), `nosniff`. Deleted when its person is erased or purged.',
    params: { file: 'The picture id with .webp' },
    responses: { 200: { description: 'The picture', contentType: 'image/webp' }, 404: { description: 'No such picture', schema: 'ErrorBody' } },
  },
];
