/**
 * Profile pictures: upload (`POST /v1/pictures`, and the hosted page's file field), storage
 * by content, serving at `GET /pictures/:id.webp`, and the link from a stored signup to the
 * picture it names so erase and retention take the picture with the person.
 */
import { createHmac } from 'node:crypto';
import { ApiError } from '../http/errors';
import type { Ingestor } from '../ingest';
import { storedSecret } from '../pages/secret';
import type { StoredPicture } from '../store/repos/pictures';
import type { Store } from '../store/types';
import { processPicture } from './process';

export { pictureRoutes } from './routes';

/** 32 base64url characters: 192 bits of an HMAC, unguessable without the relay's secret. */
export const PICTURE_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;
const SECRET_KEY = 'picture_id_secret';

export interface StoredUpload {
  id: string;
  url: string;
  width: number;
  height: number;
}

export interface Pictures {
  /** Re-encodes and stores an upload; throws ApiError 400/413 (nothing stored) when refused. */
  upload(bytes: Uint8Array): Promise<StoredUpload>;
  get(id: string): Promise<StoredPicture | undefined>;
  /** The absolute URL of a stored picture, under RELAY_PUBLIC_URL. */
  urlOf(id: string): string;
  /** The picture id when `url` is one of this relay's picture URLs. */
  idFromUrl(url: string): string | undefined;
  /** Deletes pictures no stored signup uses any more (after an erase or a retention purge). */
  sweep(): Promise<number>;
}

export interface PicturesOptions {
  store: Store;
  now: () => number;
  /** RELAY_PUBLIC_URL (an origin); sandbox mode uses where it listens. */
  publicUrl: string | undefined;
}

export function createPictures({ store, now, publicUrl }: PicturesOptions): Pictures {
  const idSecret = storedSecret(store, SECRET_KEY);
  const base = () => {
    if (!publicUrl) throw new ApiError(503, 'Pictures need RELAY_PUBLIC_URL');
    return publicUrl;
  };
  const urlOf = (id: string) => `${base()}/pictures/${id}.webp`;

  return {
    urlOf,
    get: (id) => (PICTURE_ID_PATTERN.test(id) ? store.read.pictures.get(id) : Promise.resolve(undefined)),
    async upload(bytes) {
      base();
      const picture = await processPicture(bytes);
      // The id hashes the re-encoded bytes (deterministic for the same input), keyed by the
      // relay's secret: the same photo → the same id; nobody can compute an id from outside.
      const id = createHmac('sha256', await idSecret()).update(picture.body).digest('base64url').slice(0, 32);
      await store.transaction((tx) => tx.pictures.put({ id, ...picture }, now()));
      return { id, url: urlOf(id), width: picture.width, height: picture.height };
    },
    idFromUrl(url) {
      if (!publicUrl) return undefined;
      const prefix = `${publicUrl}/pictures/`;
      if (!url.startsWith(prefix) || !url.endsWith('.webp')) return undefined;
      const id = url.slice(prefix.length, -'.webp'.length);
      return PICTURE_ID_PATTERN.test(id) ? id : undefined;
    },
    sweep: () => store.transaction((tx) => tx.pictures.sweep(now())),
  };
}

/**
 * Wraps the one ingest path: a stored signup whose `profile_picture` is one of this relay's
 * pictures becomes a use of it, in the same unit of work (erasing the person erases the picture).
 */
export function withPictureUses(ingestor: Ingestor, pictures: Pictures, now: () => number): Ingestor {
  return {
    ingest(request, also) {
      const url = request.signup.profile_picture;
      const id = url ? pictures.idFromUrl(url) : undefined;
      if (!id) return ingestor.ingest(request, also);
      return ingestor.ingest(request, async (tx, result) => {
        if (also) await also(tx, result);
        if (result.kind !== 'key_conflict') await tx.pictures.link(id, result.signup.id, now());
      });
    },
  };
}
