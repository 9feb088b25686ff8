import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, person, type Harness } from '../testing';
import { PICTURE_CACHE_CONTROL } from './routes';

const PUBLIC = 'https://relay.example.edu';
let h: Harness;
beforeEach(async () => {
  h = await createHarness({ pictures: true, publicUrl: PUBLIC });
});
afterEach(() => h.close());

/** A 12-megapixel JPEG with camera EXIF and a GPS position, as a phone would take it. */
export async function phoneJpeg(width = 4000, height = 3000, colour = { r: 200, g: 80, b: 40 }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'TestPhone', Model: 'Cam 12', Artist: 'Ada Lovelace' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    })
    .toBuffer();
}

const upload = (body: Uint8Array | string, type = 'image/jpeg') =>
  h.relay.app.request('/v1/pictures', { method: 'POST', headers: { 'content-type': type }, body: body as BodyInit });
const count = async (table: string) => Number((await h.relay.store.read.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);

describe('POST /v1/pictures', () => {
  it('re-encodes a 12 MP JPEG with EXIF and GPS into a ≤ 1024 px WebP without metadata', async () => {
    const jpeg = await phoneJpeg();
    const original = await sharp(jpeg).metadata();
    expect(original.exif!.includes(Buffer.from([0x88, 0x25])) || original.exif!.includes(Buffer.from([0x25, 0x88]))).toBe(true); // GPS IFD pointer
    const res = await upload(jpeg);
    expect(res.status).toBe(201);
    const stored = await res.json();
    expect(stored).toMatchObject({ width: 1024, height: 768 });
    expect(stored.url).toBe(`${PUBLIC}/pictures/${stored.id}.webp`);

    const served = await h.relay.app.request(`/pictures/${stored.id}.webp`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('cache-control')).toBe(PICTURE_CACHE_CONTROL);
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    const bytes = Buffer.from(await served.arrayBuffer());
    const metadata = await sharp(bytes).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 1024, height: 768 });
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(bytes.includes('TestPhone')).toBe(false);
    expect(bytes.includes('Ada Lovelace')).toBe(false);
  });

  it('gives the same photo the same id, and a different photo another', async () => {
    const jpeg = await phoneJpeg(800, 600);
    const first = await (await upload(jpeg)).json();
    const again = await (await upload(jpeg)).json();
    const other = await (await upload(await phoneJpeg(800, 600, { r: 10, g: 200, b: 90 }))).json();
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(first.id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await count('pictures')).toBe(2);
  });

  it('refuses a text file named like a picture, an empty body and a bad content type, storing nothing', async () => {
    const text = await upload('hello, I am not a picture at all', 'image/jpeg');
    expect(text.status).toBe(400);
    expect(await text.json()).toMatchObject({ error: 'Bad Request', issues: [{ path: 'profile_picture' }] });
    const svg = await upload('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"/>', 'image/svg+xml');
    expect(svg.status).toBe(400);
    expect((await upload(new Uint8Array(0))).status).toBe(400);
    expect((await upload(await phoneJpeg(100, 100), 'text/plain')).status).toBe(415);
    expect(await count('pictures')).toBe(0);
  });

  it('refuses pictures over the dimension and pixel limits with 400/413', async () => {
    const long = await sharp({ create: { width: 13_000, height: 20, channels: 3, background: '#888' } }).png().toBuffer();
    expect((await upload(long, 'image/png')).status).toBe(400);
    // A PNG header claiming 10000×10000 (100 MP): refused from the header, before decoding.
    const bomb = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#000' } }).png().toBuffer();
    bomb.writeUInt32BE(10_000, 16); // IHDR width
    bomb.writeUInt32BE(10_000, 20); // IHDR height
    bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29); // IHDR CRC over type + data
    expect((await upload(bomb, 'image/png')).status).toBe(413);
    expect(await count('pictures')).toBe(0);
  });

  it('names the profile_picture field in every refusal of the picture itself, so the widget marks its photo field', async () => {
    const refusals = [
      await upload('not a picture', 'image/jpeg'), // 400
      await upload(await phoneJpeg(100, 100), 'text/plain'), // 415
      await upload(new Uint8Array(12 * 1024 * 1024 + 1)), // 413, by the body limit
    ];
    expect(refusals.map((r) => r.status)).toEqual([400, 415, 413]);
    for (const refusal of refusals) {
      expect(await refusal.json()).toMatchObject({ issues: [{ path: 'profile_picture', message: expect.any(String) }] });
    }
  });

  it('with pictures off, answers 404 `pictures_disabled` with no field issue: the picture is not at fault', async () => {
    const off = await createHarness({ pictures: false, publicUrl: PUBLIC });
    try {
      const body = new Uint8Array(await phoneJpeg(100, 100));
      const refusal = await off.relay.app.request('/v1/pictures', { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body });
      expect(refusal.status).toBe(404);
      // The exact shape the widget's photo chunk recognises (widget/src/photo.tsx, photo.test.ts).
      expect(await refusal.json()).toEqual({ error: 'pictures_disabled', message: 'Photo uploads are off on this relay (RELAY_PICTURES)' });
    } finally {
      await off.close();
    }
  });

  it('answers 404 for unknown or malformed picture ids', async () => {
    expect((await h.relay.app.request(`/pictures/${'a'.repeat(32)}.webp`)).status).toBe(404);
    expect((await h.relay.app.request('/pictures/../etc.webp')).status).toBe(404);
  });
});

describe('a picture goes with its person', () => {
  it('is linked to the signup that names it and deleted when the person is erased', async () => {
    const { url, id } = await (await upload(await phoneJpeg(640, 480))).json();
    expect((await h.post(person(1, { profile_picture: url }))).status).toBe(202);
    await h.settle();
    const { referrals } = await h.referrals();
    expect(referrals[0]).toMatchObject({ profile_picture: url });
    expect(await count('picture_uses')).toBe(1);

    const erased = await h.admin('/people/person1@example.edu', { method: 'DELETE' });
    expect(erased.status).toBe(200);
    expect(await count('pictures')).toBe(0);
    expect((await h.relay.app.request(`/pictures/${id}.webp`)).status).toBe(404);
  });

  it('keeps a picture another person still uses', async () => {
    const { url } = await (await upload(await phoneJpeg(640, 480))).json();
    await h.post(person(1, { profile_picture: url }));
    await h.post(person(2, { profile_picture: url }));
    await h.admin('/people/person1@example.edu', { method: 'DELETE' });
    expect(await count('pictures')).toBe(1);
    await h.admin('/people/person2@example.edu', { method: 'DELETE' });
    expect(await count('pictures')).toBe(0);
  });

  it('is deleted by the retention purge with the rest of the personal data', async () => {
    const h2 = await createHarness({ pictures: true, publicUrl: PUBLIC, retentionDays: 30 });
    try {
      const res = await h2.relay.app.request('/v1/pictures', { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(await phoneJpeg(640, 480)) });
      const { url } = await res.json();
      await h2.post(person(1, { profile_picture: url }));
      await h2.settle();
      h2.clock.now += 31 * 86_400_000;
      expect(await h2.relay.runRetention()).toBe(1);
      expect(Number((await h2.relay.store.read.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM pictures'))!.n)).toBe(0);
    } finally {
      await h2.close();
    }
  });

  it('removes uploads no signup used after a day', async () => {
    await upload(await phoneJpeg(640, 480));
    expect(await h.relay.pictures!.sweep()).toBe(0);
    h.clock.now += 25 * 3_600_000;
    expect(await h.relay.pictures!.sweep()).toBe(1);
  });
});
