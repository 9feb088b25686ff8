/**
 * Profile pictures: upload (`POST /v1/pictures`, and the hosted page's file field), storage
 * by content, serving at `GET /pictures/:id.webp`, and the link from a stored signup to the
 * picture it names so erase and retention take the picture with the person.
 */
import { createHmac } from 'node:crypto';
import type { Ingestor } from '../ingest';
import { ApiError } from '../http/errors';
import { storedSecret } from '../pages/secret';
import type { SqliteStore } from '../store/sqlite-store';
import { PICTURE_ID_PATTERN, PictureStore } from './picture-store';
import { processPicture } from './process';

export { PICTURE_ID_PATTERN, PictureStore } from './picture-store';
export { pictureRoutes } from './routes';

const SECRET_FLAG = 'picture_id_secret';

export interface StoredUpload {
  id: string;
  url: string;
  width: number;
  height: number;
}

export interface Pictures {
  store: PictureStore;
  /** Re-encodes and stores an upload; throws ApiError 400/413 (nothing stored) when refused. */
  upload(bytes: Uint8Array): Promise<StoredUpload>;
  /** The absolute URL of a stored picture, under RELAY_PUBLIC_URL. */
  urlOf(id: string): string;
  /** The picture id when `url` is one of this relay's picture URLs. */
  idFromUrl(url: string): string | undefined;
  /** Deletes pictures no stored signup uses any more (after an erase or a retention purge). */
  sweep(): Promise<number>;
}

export interface PicturesOptions {
  store: SqliteStore;
  now: () => number;
  /** RELAY_PUBLIC_URL without a trailing slash; a getter because sandbox mode learns it on listen. */
  publicUrl: () => string | undefined;
}

export function createPictures({ store, now, publicUrl }: PicturesOptions): Pictures {
  const pictureStore = new PictureStore(store);
  const idSecret = storedSecret(store, SECRET_FLAG);

  const base = () => {
    const url = publicUrl();
    if (!url) throw new ApiError(503, 'Pictures need RELAY_PUBLIC_URL');
    return url;
  };
  const urlOf = (id: string) => `${base()}/pictures/${id}.webp`;

  return {
    store: pictureStore,
    urlOf,
    async upload(bytes) {
      base();
      const picture = await processPicture(bytes);
      // The id hashes the re-encoded bytes (deterministic for the same input), keyed by the
      // relay's secret: the same photo → the same id; nobody can compute an id from outside.
      const id = createHmac('sha256', await idSecret()).update(picture.body).digest('base64url').slice(0, 32);
      if (!pictureStore.has(id)) await pictureStore.put({ id, ...picture }, now());
      return { id, url: urlOf(id), width: picture.width, height: picture.height };
    },
    idFromUrl(url) {
      const prefix = `${publicUrl() ?? '\u0000'}/pictures/`;
      if (!url.startsWith(prefix)) return undefined;
      const id = url.slice(prefix.length).replace(/\.webp$/, '');
      return PICTURE_ID_PATTERN.test(id) ? id : undefined;
    },
    sweep: () => pictureStore.sweep(now()),
  };
}

/**
 * Wraps the one ingest path: a stored signup whose `profile_picture` is one of this relay's
 * pictures becomes a use of it (erasing the person then erases the picture).
 */
export function withPictureUses(ingestor: Ingestor, pictures: Pictures, now: () => number): Ingestor {
  return {
    async ingest(request) {
      const result = await ingestor.ingest(request);
      const url = result.signup.profile_picture;
      const id = url ? pictures.idFromUrl(url) : undefined;
      if (id && result.kind !== 'key_conflict') await pictures.store.link(id, result.signup.id, now());
      return result;
    },
  };
}
