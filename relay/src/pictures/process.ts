/**
 * Every uploaded picture is decoded and re-encoded by libvips (sharp): what is stored and
 * served is pixels the relay wrote itself — WebP, at most 1024 px on the long side, with no
 * EXIF, GPS, ICC or XMP — never the bytes a client sent. Anything libvips cannot decode as
 * one of the allowed formats is refused before anything is stored.
 */
import type { Metadata, Sharp, SharpOptions } from 'sharp';
import { ApiError } from '../http/errors';

/** A 12-megapixel phone JPEG is 3–8 MB; the widget sends ~200 KB after downscaling. */
export const PICTURE_MAX_BYTES = 12 * 1024 * 1024;
/** Decoding cost is pixels: 50 MP covers every phone camera (decompression bombs are refused). */
export const PICTURE_MAX_PIXELS = 50_000_000;
export const PICTURE_MAX_SIDE = 12_000;
export const PICTURE_MIN_SIDE = 16;
export const PICTURE_OUTPUT_MAX_SIDE = 1024;
/** Decoded by libvips; SVG (a document, not a photo) and raw formats are refused. */
const ALLOWED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'heif', 'avif', 'tiff']);

export interface ProcessedPicture {
  body: Buffer;
  width: number;
  height: number;
}

/**
 * sharp (libvips) is loaded on the first upload, not at start: a relay that never receives a
 * picture does not carry libvips in its memory. It works on libuv's thread pool; two decodes
 * at once keep a 2-core relay answering.
 */
let loading: Promise<(input: Uint8Array, options: SharpOptions) => Sharp> | undefined;
function loadSharp() {
  loading ??= import('sharp').then(({ default: sharp }) => {
    sharp.concurrency(1);
    return (input: Uint8Array, options: SharpOptions) => sharp(input, options);
  });
  return loading;
}
const MAX_PARALLEL = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * A refused picture, naming the `profile_picture` field in `issues` whatever the status, so
 * the widget marks its photo field (and never takes a refusal for a reason to retry).
 */
export const pictureRefusal = (status: 400 | 413 | 415, message: string, issue: string) =>
  new ApiError(status, message, { issues: [{ path: 'profile_picture', message: issue }] });

const notAnImage = () =>
  pictureRefusal(400, 'The file is not a picture the relay can read (JPEG, PNG, WebP, GIF, HEIF/AVIF or TIFF)', 'must be a JPEG, PNG, WebP, GIF, HEIF/AVIF or TIFF image');

export const tooManyBytes = () =>
  pictureRefusal(413, `A picture may be at most ${PICTURE_MAX_BYTES / 1024 / 1024} MB`, `must be at most ${PICTURE_MAX_BYTES / 1024 / 1024} MB`);

/** Decodes, checks and re-encodes one upload; throws a 400/413 ApiError for anything refused. */
export async function processPicture(input: Uint8Array): Promise<ProcessedPicture> {
  if (input.byteLength > PICTURE_MAX_BYTES) throw tooManyBytes();
  if (input.byteLength === 0) throw notAnImage();
  return limited(async () => {
    const sharp = await loadSharp();
    const options = { limitInputPixels: PICTURE_MAX_PIXELS, failOn: 'error', animated: false } as const;
    let metadata: Metadata;
    try {
      metadata = await sharp(input, options).metadata();
    } catch (error) {
      if (error instanceof Error && /pixel limit/i.test(error.message)) throw tooManyPixels();
      throw notAnImage();
    }
    const { format, width, height } = metadata;
    if (!format || !ALLOWED_FORMATS.has(format) || !width || !height) throw notAnImage();
    if (width * height > PICTURE_MAX_PIXELS) throw tooManyPixels();
    if (Math.max(width, height) > PICTURE_MAX_SIDE || Math.min(width, height) < PICTURE_MIN_SIDE) {
      const sides = `${PICTURE_MIN_SIDE} to ${PICTURE_MAX_SIDE} pixels`;
      throw pictureRefusal(400, `A picture's sides must be ${sides}`, `sides must be ${sides}`);
    }
    try {
      // rotate() applies the EXIF orientation to the pixels before the metadata is dropped
      // (sharp writes none unless asked: no keepMetadata/withMetadata here).
      const { data, info } = await sharp(input, options)
        .rotate()
        .resize(PICTURE_OUTPUT_MAX_SIDE, PICTURE_OUTPUT_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80, effort: 4 })
        .toBuffer({ resolveWithObject: true });
      return { body: data, width: info.width, height: info.height };
    } catch {
      // Truncated or corrupt past the header.
      throw notAnImage();
    }
  });
}

function tooManyPixels() {
  const megapixels = PICTURE_MAX_PIXELS / 1_000_000;
  return pictureRefusal(413, `A picture may have at most ${megapixels} megapixels`, `must have at most ${megapixels} megapixels`);
}
