import { describe, expect, it } from 'vitest';
import { parseManifest } from './manifest.js';

const where = 'model m:1';
const image = { image: { type: 'image', width: 28, height: 28, channels: 1 } };

describe('serving manifests', () => {
  it('derives the tensor shape of a row from the input columns and the layout', () => {
    expect(parseManifest({ flavor: 'tfjs', input: image }, where)).toMatchObject({
      layout: 'NHWC',
      rowShape: [28, 28, 1],
      rowSize: 784,
    });
    expect(parseManifest({ flavor: 'onnx', input: image }, where)).toMatchObject({
      layout: 'NCHW',
      rowShape: [1, 28, 28],
    });
    const numbers = parseManifest(
      { flavor: 'kmeans', input: { a: { type: 'number' }, v: { type: 'vector', length: 3 } } },
      where,
    );
    expect(numbers).toMatchObject({ rowShape: [4], rowSize: 4 });
    expect(numbers.image).toBeUndefined();
  });

  it('names the field at fault', () => {
    const error = (json: unknown) => {
      try {
        parseManifest(json, where);
        return 'no error';
      } catch (failure) {
        return String(failure);
      }
    };
    expect(error({ flavor: 'pytorch', input: image })).toMatchInlineSnapshot(
      `"SluiceError: model m:1 sluice-model.json: flavor: Invalid option: expected one of "tfjs"|"onnx"|"kmeans"|"linear""`,
    );
    expect(
      error({ flavor: 'tfjs', input: { image: { type: 'image', width: 0, height: 2 } } }),
    ).toMatchInlineSnapshot(
      `"SluiceError: model m:1 sluice-model.json: input.image.width: Too small: expected number to be >=1"`,
    );
    expect(error({ flavor: 'tfjs', input: { ...image, extra: { type: 'number' } } })).toMatchInlineSnapshot(
      `"SluiceError: model m:1 sluice-model.json: input: an image model takes one image column, found image, extra"`,
    );
    expect(
      error({
        flavor: 'onnx',
        input: image,
        online: { alias: 'production', promote_if: 'accuracy >= previous' },
      }),
    ).toMatchInlineSnapshot(
      `"SluiceError: model m:1 sluice-model.json: online: flavor 'onnx' does not learn online (only kmeans does)"`,
    );
    expect(
      error({
        flavor: 'kmeans',
        input: { x: { type: 'number' } },
        online: { alias: 'production', promote_if: 'better' },
      }),
    ).toMatch(/online.promote_if: 'better' is not a comparison/);
    expect(error({ flavor: 'kmeans', input: {} })).toMatchInlineSnapshot(
      `"SluiceError: model m:1 sluice-model.json: input: declare at least one column"`,
    );
  });
});
