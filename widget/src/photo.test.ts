/**
 * The photo field's chunk: the downscale's fitting math, and the field in the real form. happy-dom
 * decodes no images and has no canvas, so the tests hand the field its `prepare` step: a decoder
 * that refuses as createImageBitmap does for a text file, or a prepared picture. The real decode,
 * downscale and re-encode run in Chromium (e2e/tests/photo.spec.ts).
 */
import { fireEvent, screen } from '@testing-library/preact';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emit } from './events';
import { renderForm, type FormProps } from './form';
import es from './locales/es';
import * as chunk from './photo';
import { createPhotoField, fitWithin, PHOTO_STRINGS, preparePicture, UNSUPPORTED, uploadPicture, type Decoded, type Picture } from './photo';
import { en } from './strings';

describe('fitWithin', () => {
  it('scales a phone photo to 1024 px on the long side, either way round', () => {
    expect(fitWithin({ width: 4000, height: 3000 })).toEqual({ width: 1024, height: 768 });
    expect(fitWithin({ width: 3000, height: 4000 })).toEqual({ width: 768, height: 1024 });
    expect(fitWithin({ width: 4032, height: 4032 })).toEqual({ width: 1024, height: 1024 });
  });

  it('never scales up, and never to nothing', () => {
    expect(fitWithin({ width: 800, height: 600 })).toEqual({ width: 800, height: 600 });
    expect(fitWithin({ width: 1024, height: 10 })).toEqual({ width: 1024, height: 10 });
    expect(fitWithin({ width: 20_000, height: 10 })).toEqual({ width: 1024, height: 1 });
  });

  it('keeps the long side within the limit and the aspect ratio within a pixel, for any size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 16, max: 4096 }), (width, height, max) => {
        const fitted = fitWithin({ width, height }, max);
        expect(Math.max(fitted.width, fitted.height)).toBeLessThanOrEqual(Math.max(max, 1));
        expect(fitted.width).toBeLessThanOrEqual(width);
        expect(fitted.height).toBeLessThanOrEqual(height);
        expect(Math.min(fitted.width, fitted.height)).toBeGreaterThanOrEqual(1);
        // Rounding moves each side by at most half a pixel (a side clamped to 1 px may move more).
        if (Math.min(fitted.width, fitted.height) > 1) {
          const scale = Math.min(1, max / Math.max(width, height));
          expect(Math.abs(fitted.width - width * scale)).toBeLessThanOrEqual(0.5);
          expect(Math.abs(fitted.height - height * scale)).toBeLessThanOrEqual(0.5);
        }
      }),
    );
  });
});

/** What Chromium's createImageBitmap does with bytes that are no image. */
const refusingDecoder = () => Promise.reject(new DOMException('The source image could not be decoded.', 'InvalidStateError'));
const textFile = new File(['I am text, not a JPEG.\n'], 'me.jpg', { type: 'image/jpeg' });

describe('preparePicture', () => {
  it('rejects a file the browser cannot decode, before any drawing or encoding', async () => {
    const createElement = vi.spyOn(document, 'createElement');
    await expect(preparePicture(textFile, refusingDecoder)).rejects.toThrow('could not be decoded');
    expect(createElement).not.toHaveBeenCalledWith('canvas');
  });

  it('decodes with createImageBitmap, EXIF rotation applied (a browser without it: unusable)', async () => {
    const decode = vi.fn(refusingDecoder);
    vi.stubGlobal('createImageBitmap', decode);
    try {
      await expect(preparePicture(textFile)).rejects.toThrow();
      expect(decode).toHaveBeenCalledWith(textFile, { imageOrientation: 'from-image' });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('a browser that cannot prepare a photo', () => {
  /** What a decode hands over; happy-dom has no 2D canvas (and no OffscreenCanvas) to draw it on. */
  const bitmap = { width: 4000, height: 3000, close: vi.fn() } as unknown as Decoded;

  it('without createImageBitmap: rejects with UNSUPPORTED, not as an unusable file', async () => {
    vi.stubGlobal('createImageBitmap', undefined);
    try {
      await expect(preparePicture(textFile)).rejects.toMatchObject({ message: UNSUPPORTED });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('without a 2D canvas (OffscreenCanvas or <canvas>): rejects with UNSUPPORTED once the photo is decoded', async () => {
    // happy-dom's canvases draw nothing: getContext('2d') is null, as in such a browser.
    expect(new OffscreenCanvas(1, 1).getContext('2d')).toBeNull();
    await expect(preparePicture(textFile, async () => bitmap)).rejects.toMatchObject({ message: UNSUPPORTED });
    vi.stubGlobal('OffscreenCanvas', undefined);
    try {
      expect(document.createElement('canvas').getContext('2d')).toBeNull();
      await expect(preparePicture(textFile, async () => bitmap)).rejects.toMatchObject({ message: UNSUPPORTED });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('the photo field in the form', () => {
  let container: HTMLElement;
  let remove: () => void;
  let send: ReturnType<typeof vi.fn<FormProps['send']>>;
  let prepare: (file: Blob) => Promise<Picture>;

  /** A picture as preparePicture makes it (the canvas work is Chromium's, see above). */
  const prepared = (data: string): Picture => ({ width: 1024, height: 768, data, draw: vi.fn() });

  let label: RegExp | string;

  async function show(props: Partial<FormProps> = {}, photoLabel: RegExp | string = /^Photo \(optional\)$/) {
    label = photoLabel;
    send = vi.fn<FormProps['send']>(() => `key-${send.mock.calls.length}`);
    // The real chunk, with its prepare step handed in.
    const photo = async () => ({ ...chunk, createPhotoField: (...args: Parameters<typeof createPhotoField>) => createPhotoField(args[0], args[1], args[2], prepare) });
    remove = renderForm(container, { t: en, hasImpression: true, send, waiting: [], photo, ...props });
    await vi.waitFor(() => expect(photoInput()).toBeTruthy());
  }

  const photoInput = () => screen.getByLabelText(label) as HTMLInputElement;
  const choose = (file: File | null) => {
    Object.defineProperty(photoInput(), 'files', { configurable: true, value: file ? [file] : [] });
    fireEvent.change(photoInput());
  };
  const fill = () => {
    fireEvent.input(screen.getByLabelText('First name'), { target: { value: 'Ada' } });
    fireEvent.input(screen.getByLabelText('Last name'), { target: { value: 'Lovelace' } });
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'ada@example.edu' } });
  };
  const submit = () => fireEvent.click(screen.getByRole('button', { name: 'Sign up' }));
  const errorOf = (input: HTMLInputElement) => document.getElementById(input.getAttribute('aria-describedby') ?? '')?.textContent;

  beforeEach(() => {
    container = document.body.appendChild(document.createElement('div'));
    prepare = (file) => preparePicture(file, refusingDecoder);
  });
  afterEach(() => {
    remove();
    container.remove();
  });

  it('is a labelled, optional file input for images: a phone offers camera or gallery', async () => {
    await show();
    const input = photoInput();
    expect([input.type, input.accept, input.name, input.required]).toEqual(['file', 'image/*', 'profile_picture', false]);
    expect(input.hasAttribute('aria-invalid')).toBe(false);
    expect(screen.queryByRole('button', { name: PHOTO_STRINGS.photoRemove })).toBeNull();
  });

  it('is absent without the chunk loader, and the form works without it when the chunk cannot load', async () => {
    remove = renderForm(container, { t: en, hasImpression: true, send: vi.fn(() => 'k'), waiting: [] });
    expect(screen.queryByLabelText(/Photo/)).toBeNull();
    remove();
    const offline = vi.fn(() => Promise.reject(new TypeError('Failed to fetch dynamically imported module')));
    remove = renderForm(container, { t: en, hasImpression: true, send: vi.fn(() => 'k'), waiting: [], photo: offline });
    await Promise.resolve();
    expect(offline).toHaveBeenCalledOnce();
    expect(screen.queryByLabelText(/Photo/)).toBeNull();
    expect(screen.getByLabelText('First name')).toBeTruthy();
  });

  it('marks a file that is no picture, sends nothing while it is chosen, and lets the person remove it', async () => {
    await show();
    fill();
    choose(textFile);
    await vi.waitFor(() => expect(photoInput().getAttribute('aria-invalid')).toBe('true'));
    expect(errorOf(photoInput())).toBe(PHOTO_STRINGS.photoRefused);

    submit();
    await vi.waitFor(() => expect(screen.getByRole('status').textContent).toBe(en.fix));
    expect(send).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(photoInput());

    fireEvent.click(screen.getByRole('button', { name: PHOTO_STRINGS.photoRemove }));
    expect(photoInput().hasAttribute('aria-invalid')).toBe(false);
    expect(document.activeElement).toBe(photoInput());
    submit();
    await vi.waitFor(() => expect(send).toHaveBeenCalledOnce());
    expect(send.mock.calls[0]![3]).toBeUndefined();
  });

  it('previews a usable photo and sends it with the submission', async () => {
    const picture = prepared('/9j/4AAQ');
    prepare = async () => picture;
    await show();
    fill();
    choose(new File(['jpeg'], 'IMG_0001.jpg', { type: 'image/jpeg' }));
    await vi.waitFor(() => expect(screen.getByRole('img', { name: 'Photo' }).tagName).toBe('CANVAS'));
    expect(picture.draw).toHaveBeenCalledWith(screen.getByRole('img', { name: 'Photo' }));
    submit();
    await vi.waitFor(() => expect(send).toHaveBeenCalledOnce());
    expect(send.mock.calls[0]!.slice(1, 4)).toEqual(['', expect.any(Number), '/9j/4AAQ']);
  });

  it('waits for a photo still being prepared (a 12 MP decode takes a moment), sending once', async () => {
    let ready!: (picture: Picture) => void;
    prepare = () => new Promise((resolve) => (ready = resolve));
    await show();
    fill();
    choose(new File(['jpeg'], 'IMG_0002.jpg', { type: 'image/jpeg' }));
    submit();
    submit();
    expect(screen.getByRole('status').textContent).toBe(en.sending);
    expect(send).not.toHaveBeenCalled();
    ready(prepared('/9j/later'));
    await vi.waitFor(() => expect(send).toHaveBeenCalledOnce());
    expect(send.mock.calls[0]![3]).toBe('/9j/later');
  });

  it('keeps only the latest choice: a slow decode of an earlier file changes nothing', async () => {
    const pending: Array<(picture: Picture) => void> = [];
    prepare = () => new Promise((resolve) => pending.push(resolve));
    await show();
    choose(new File(['a'], 'first.jpg', { type: 'image/jpeg' }));
    choose(new File(['b'], 'second.jpg', { type: 'image/jpeg' }));
    pending[1]!(prepared('second'));
    pending[0]!(prepared('first'));
    fill();
    submit();
    await vi.waitFor(() => expect(send).toHaveBeenCalledOnce());
    expect(send.mock.calls[0]![3]).toBe('second');
  });

  it('marks the field when the relay refuses the picture, and does not send that photo again', async () => {
    prepare = async () => prepared('/9j/refused');
    await show();
    fill();
    choose(new File(['jpeg'], 'IMG_0003.jpg', { type: 'image/jpeg' }));
    await vi.waitFor(() => expect(screen.getByRole('img', { name: 'Photo' })).toBeTruthy());
    submit();
    await vi.waitFor(() => expect(send).toHaveBeenCalledOnce());
    emit('error', { key: 'key-1', status: 400, issues: [{ path: 'profile_picture', message: 'must be a JPEG…' }] });
    expect(photoInput().getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(photoInput())).toBe(PHOTO_STRINGS.photoRefused);
    expect(document.activeElement).toBe(photoInput());
    expect(screen.queryByRole('img', { name: 'Photo' })).toBeNull();
    submit();
    await vi.waitFor(() => expect(screen.getByRole('status').textContent).toBe(en.fix));
    expect(send).toHaveBeenCalledOnce();
  });

  it('says so when this browser cannot prepare a photo, and sends the signup without one', async () => {
    // The real preparePicture with a decode that works: happy-dom then has no 2D canvas, as such a browser.
    prepare = (file) => preparePicture(file, async () => ({ width: 800, height: 600 }) as unknown as Decoded);
    await show();
    fill();
    choose(new File(['jpeg'], 'IMG_0004.jpg', { type: 'image/jpeg' }));
    await vi.waitFor(() => expect(errorOf(photoInput())).toBe(PHOTO_STRINGS.photoUnsupported));
    expect(errorOf(photoInput())).not.toBe(PHOTO_STRINGS.photoRefused);
    // Not the person's mistake: the field is not marked invalid.
    expect(photoInput().getAttribute('aria-invalid')).toBeNull();
    submit();
    await vi.waitFor(() => expect(send).toHaveBeenCalledOnce());
    expect(send.mock.calls[0]![3]).toBeUndefined();
  });

  it('sends nothing when the form is removed while its photo is still being prepared', async () => {
    let ready!: (picture: Picture) => void;
    prepare = () => new Promise((resolve) => (ready = resolve));
    await show();
    fill();
    choose(new File(['jpeg'], 'IMG_0005.jpg', { type: 'image/jpeg' }));
    submit();
    remove();
    ready(prepared('/9j/too-late'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(send).not.toHaveBeenCalled();
  });

  it('after a signup whose photo the relay could not take (pictures off), thanks the person and says the photo did not go', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    prepare = async () => prepared('/9j/4AAQ');
    await show();
    // Its own key: the chunk remembers the keys whose photo it left out, for the page's life.
    send.mockImplementation(() => 'key-pictures-off');
    fill();
    choose(new File(['jpeg'], 'IMG_0006.jpg', { type: 'image/jpeg' }));
    await vi.waitFor(() => expect(screen.getByRole('img', { name: 'Photo' })).toBeTruthy());
    submit();
    await vi.waitFor(() => expect(send).toHaveBeenCalledOnce());
    // The outbox's upload step (the chunk's) meets the relay's answer with pictures off.
    vi.stubGlobal('fetch', async () =>
      new Response(JSON.stringify({ error: 'pictures_disabled', message: 'Photo uploads are off on this relay (RELAY_PICTURES)' }), { status: 404 }),
    );
    const entry = { k: 'key-pictures-off', b: JSON.stringify({ first_name: 'Ada' }), r: 'https://relay.example.edu', t: 0, n: 0, at: 0, p: 'AAAA' };
    const save = vi.fn();
    try {
      expect(await uploadPicture(entry, save)).toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(save).toHaveBeenCalledWith(expect.not.objectContaining({ p: expect.anything() }));
    emit('success', { key: 'key-pictures-off' });
    expect(screen.getByRole('status').textContent).toBe(`${en.done.replace('{name}', 'Ada')} ${PHOTO_STRINGS.photoLost}`);
    expect(console.warn).toHaveBeenCalledOnce();
  });

  it('says nothing of the photo after a signup whose photo went', async () => {
    await show();
    fill();
    submit();
    await vi.waitFor(() => expect(send).toHaveBeenCalledOnce());
    emit('success', { key: 'key-1' });
    expect(screen.getByRole('status').textContent).toBe(en.done.replace('{name}', 'Ada'));
  });

  it('speaks the page’s language, and takes overrides like every string', async () => {
    await show({ t: { ...en, ...es, photoRemove: 'Borrar' } }, 'Foto (opcional)');
    choose(textFile);
    await vi.waitFor(() => expect(errorOf(photoInput())).toBe(es.photoRefused));
    expect(screen.getByRole('button', { name: 'Borrar' })).toBeTruthy();
  });
});
