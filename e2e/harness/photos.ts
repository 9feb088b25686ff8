/** Photos as phones take them, made with sharp (libvips), for the photo tests. */
import sharp from 'sharp';

/**
 * A 12-megapixel JPEG with camera EXIF and a GPS position. With `orientation` 6 the pixels are
 * stored landscape with "rotate 90° to show" in the EXIF: what a phone held upright writes.
 */
export function phoneJpeg(orientation?: number): Promise<Buffer> {
  const photo = sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 30, g: 120, b: 200 } } }).jpeg({ quality: 90 });
  return (orientation ? photo.withMetadata({ orientation }) : photo)
    .withExif({
      IFD0: { Make: 'TestPhone', Model: 'Cam 12', Artist: 'Ada Lovelace' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    })
    .toBuffer();
}

/** A text file a person might pick, named like a photo. */
export const textAsJpeg = { name: 'me.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('I am text, not a JPEG.\n') };
