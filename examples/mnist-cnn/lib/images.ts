/** Decoding the sample images a message carries into the model's input: grey, resized, 0..1. */
import sharp from 'sharp';

/**
 * Decodes a PNG or JPEG (grey or RGB, any size) into `size` x `size` grey floats in 0..1,
 * written into `into` at `offset`. Throws on bytes that are not an image.
 */
export async function decodeImage(
  bytes: Uint8Array,
  size: number,
  into: Float32Array,
  offset: number,
): Promise<void> {
  const { data, info } = await sharp(bytes)
    .toColourspace('b-w')
    .resize(size, size, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = info.channels;
  for (let pixel = 0; pixel < size * size; pixel += 1) {
    into[offset + pixel] = (data[pixel * channels] ?? 0) / 255;
  }
}
