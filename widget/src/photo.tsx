/**
 * Entry of `vantio-photo.js`, the photo field's lazy chunk: an ES module the signup bundle
 * imports from beside itself only on a page that shows the field (mount.ts), so it costs every
 * other visitor no bytes. It holds everything only that field needs: the field itself (built
 * with the form's Preact `h`, so the chunk carries no Preact of its own), its English words,
 * and the picture that is sent: decoded by the browser (EXIF rotation applied), drawn at most
 * 1024 px on the long side and re-encoded as JPEG, which carries no EXIF or GPS, so the
 * camera's metadata never leaves the phone.
 */
import type { h as createElement, VNode } from 'preact';
import type { Entry } from './outbox';

/** The field's words in English; the locale files and `data-strings` override them like any other. */
export const PHOTO_STRINGS = {
  photo: 'Photo',
  optional: 'optional',
  photoRefused: 'This file is not a picture we can use. Choose a photo.',
  photoRemove: 'Remove photo',
  photoUnsupported: 'This browser can’t prepare a photo. You can sign up without one.',
  photoLost: 'Your photo couldn’t be kept, so your signup goes without it.',
};
export type PhotoStrings = typeof PHOTO_STRINGS;

/** The long side of what leaves the phone; the relay stores at most this too. */
export const PICTURE_MAX_SIDE = 1024;
const JPEG_QUALITY = 0.85;

export interface Size {
  width: number;
  height: number;
}

/** Scales a size down (never up) so its long side is at most `max`, keeping the aspect ratio. */
export function fitWithin({ width, height }: Size, max = PICTURE_MAX_SIDE): Size {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A decoded image as drawing needs it: createImageBitmap's answer. */
export type Decoded = Size & CanvasImageSource & { close?(): void };
/** Decodes an image file; rejects for anything the browser cannot decode (a text file named .jpg). */
export type Decoder = (file: Blob) => Promise<Decoded>;

/** Thrown where the browser lacks what preparing a photo takes (createImageBitmap, a 2D canvas): not the file's fault. */
export const UNSUPPORTED = 'unsupported';
const unsupported = () => new Error(UNSUPPORTED);

const decodeImage: Decoder = (file) =>
  typeof createImageBitmap == 'function' ? createImageBitmap(file, { imageOrientation: 'from-image' }) : Promise.reject(unsupported());

export interface Picture extends Size {
  /** The JPEG, base64: what the outbox keeps (localStorage holds strings) and uploads. */
  data: string;
  /** Paints the preview into a canvas (no `blob:` URL, so no `img-src` for the page's CSP to refuse). */
  draw(target: HTMLCanvasElement): void;
}

/**
 * The preview's bitmap: twice the 8rem it is shown at (sharp on most phones), and small enough
 * to fit the form where the field's styles could not be added.
 */
const PREVIEW_SIDE = 256;
/** The field's own styles, added to the form's shadow root beside the form's (styles.ts). */
const STYLES = 'canvas{display:block;width:8rem;margin-top:.5rem;border-radius:8px}[type=button]{margin-top:.5rem;cursor:pointer}';
let sheet: CSSStyleSheet | undefined;

function addStyles(node: Node): void {
  const root = node.getRootNode() as ShadowRoot | Document;
  try {
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(STYLES);
    if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    // No constructable stylesheets (the form fell back to a nonce'd <style>): the preview keeps its bitmap's size.
  }
}

type Surface = OffscreenCanvas | HTMLCanvasElement;

function surface({ width, height }: Size): Surface {
  if (typeof OffscreenCanvas === 'function') return new OffscreenCanvas(width, height);
  return Object.assign(document.createElement('canvas'), { width, height });
}

const encode = (canvas: Surface): Promise<Blob> =>
  'convertToBlob' in canvas
    ? canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY })
    : new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('not encoded'))), 'image/jpeg', JPEG_QUALITY));

const base64 = (blob: Blob): Promise<string> =>
  new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).slice(String(reader.result).indexOf(',') + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });

/**
 * The picture to send for a chosen file; rejects when the file is not an image the browser
 * can decode, so nothing is uploaded, and with UNSUPPORTED when the browser cannot do the work.
 */
export async function preparePicture(file: Blob, decode: Decoder = decodeImage): Promise<Picture> {
  const image = await decode(file);
  const size = fitWithin(image);
  const canvas = surface(size);
  const context = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw unsupported();
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, 0, 0, size.width, size.height);
  // A 12-megapixel decode holds ~48 MB: let it go before encoding.
  image.close?.();
  const data = await base64(await encode(canvas));
  return {
    ...size,
    data,
    draw(target) {
      const preview = fitWithin(size, PREVIEW_SIDE);
      target.width = preview.width;
      target.height = preview.height;
      target.getContext('2d')?.drawImage(canvas, 0, 0, preview.width, preview.height);
    },
  };
}

export interface PhotoField {
  view(): VNode;
  /**
   * The picture to send (base64 JPEG) once it is ready, undefined when none is chosen; rejects
   * while the chosen file is unusable (the field shows why).
   */
  picture(): Promise<string | undefined>;
  /** The relay refused the picture: the field says so, and it is not sent again. */
  refuse(): void;
  /** Said after a submission's status when its photo had to be left out (' ' + the note), else ''. */
  lost(detail: { key: string }): string;
}

const ID = 'profile_picture';

/**
 * The optional photo field: a labelled file input (`accept="image/*"`: a phone offers camera
 * or gallery), the preview, a remove button and the field's error, marked up like the form's
 * other fields. `repaint` re-renders the form after a change.
 */
export function createPhotoField(
  h: typeof createElement,
  strings: Partial<PhotoStrings>,
  repaint: () => void,
  prepare: (file: Blob) => Promise<Picture> = preparePicture,
): PhotoField {
  const t = { ...PHOTO_STRINGS, ...strings };
  /** The chosen file's picture: none, being prepared, ready, or rejected (unusable). */
  let chosen: Promise<Picture | undefined> = Promise.resolve(undefined);
  let shown: Picture | undefined;
  let refused = false;
  /** This browser cannot prepare photos: the field says so, and the signup goes without one. */
  let cannot = false;
  let picked = false;
  let input: HTMLInputElement | null = null;

  const choose = (next: Promise<Picture | undefined>, file: boolean) => {
    chosen = next;
    shown = undefined;
    refused = cannot = false;
    picked = file;
    // Only the latest choice counts: a slow decode of an earlier file changes nothing.
    next.then(
      (picture) => chosen === next && ((shown = picture), repaint()),
      (error) => {
        if (chosen !== next) return;
        if (error?.message == UNSUPPORTED) (cannot = true), (chosen = Promise.resolve(undefined));
        else refused = true;
        repaint();
      },
    );
  };

  const onChange = () => {
    const file = input?.files?.[0];
    choose(file ? prepare(file) : Promise.resolve(undefined), !!file);
    repaint();
  };

  const remove = () => {
    input!.value = '';
    choose(Promise.resolve(undefined), false);
    repaint();
    input!.focus();
  };

  return {
    view: () => (
      <div
        ref={(div) => {
          if (div) addStyles(div);
        }}
      >
        <label for={ID}>
          {t.photo} ({t.optional})
        </label>
        <input
          ref={(element) => {
            input = element;
          }}
          id={ID}
          name={ID}
          type="file"
          accept="image/*"
          onChange={onChange}
          aria-invalid={refused ? 'true' : undefined}
          aria-describedby={refused || cannot ? ID + '-error' : undefined}
        />
        {(refused || cannot) && (
          <p id={ID + '-error'} class="x">
            {refused ? t.photoRefused : t.photoUnsupported}
          </p>
        )}
        {shown && (
          <canvas
            role="img"
            aria-label={t.photo}
            ref={(canvas) => {
              if (canvas) shown?.draw(canvas);
            }}
          />
        )}
        {/* An input, so it takes the inputs' outlined look, not the primary button's. */}
        {picked && <input type="button" value={t.photoRemove} onClick={remove} />}
      </div>
    ),
    picture: () => chosen.then((picture) => picture?.data),
    refuse() {
      choose(Promise.reject(new Error('refused by the relay')), true);
      refused = true; // at once, so the form can focus the marked field
      repaint();
    },
    lost: ({ key }) => (dropped.has(key) ? ' ' + t.photoLost : ''),
  };
}

/** The relay's `error` for uploads while RELAY_PICTURES is off (relay/src/pictures/routes.ts). */
const PICTURES_DISABLED = 'pictures_disabled';
/** The submissions whose photo was left out on this page, so the form can say so (and warn once). */
const dropped = new Set<string>();

/**
 * Uploads an outbox entry's photo (`POST /v1/pictures`). Taken: the entry's body now names
 * the picture's URL and the photo leaves it, saved at once, so every later attempt sends that
 * same body with the same key (resolves undefined). Not taken: the relay's answer (a refusal
 * names the field in `issues`). A relay with pictures off: the photo leaves the entry just the
 * same (noted in `dropped`), and the signup goes without it. The relay names pictures by their content, so a re-upload
 * after a lost answer gets the same URL.
 */
export async function uploadPicture(entry: Entry, save: (entry: Entry) => void): Promise<Response | undefined> {
  const response = await fetch(entry.r + '/v1/pictures', {
    method: 'POST',
    headers: { 'Content-Type': 'image/jpeg' },
    body: Uint8Array.from(atob(entry.p!), (char) => char.charCodeAt(0)),
    signal: AbortSignal.timeout?.(20_000),
  });
  let url: string | undefined;
  if (response.ok) url = (await response.json()).url;
  else if (response.status != 404 || (await response.clone().json().catch(() => ({}))).error != PICTURES_DISABLED) return response;
  else {
    // Pictures are off on this relay: the signup goes without its photo, and the person is told.
    if (!dropped.size) console.warn('VantioSignup: this relay takes no photos (RELAY_PICTURES is off); signups are sent without them');
    dropped.add(entry.k);
  }
  // A page-set URL stays when the photo could not go.
  if (url) entry.b = JSON.stringify({ ...JSON.parse(entry.b), profile_picture: url });
  delete entry.p;
  save(entry);
}
