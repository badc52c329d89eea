/**
 * `mnist-stream`: publishes labelled sample images from the image folder to the
 * `mnist-samples` topic, one message each: `{ id, label, image }` (image: a base64 PNG,
 * grey as stored or converted to RGB). Ids are idempotent within a run, so a retried
 * attempt publishes nothing twice.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { StepContext } from 'sluice';

type Params = {
  data_dir: string;
  count: number;
  split: string;
  rgb: boolean;
};

/** Up to `count` images of the folder's `split` (file names `<split>-<n>.png`), spread over the labels. */
export async function pickSamples(
  dir: string,
  split: string,
  count: number,
): Promise<{ path: string; label: number }[]> {
  const labels = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && /^\d$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  if (labels.length === 0)
    throw new Error(`data_dir ${dir} holds no <label>/ folders; run scripts/prepare.mjs first`);
  const perLabel = await Promise.all(
    labels.map(async (label) =>
      (await readdir(join(dir, label)))
        .filter((name) => name.startsWith(`${split}-`) && /\.(png|jpe?g)$/i.test(name))
        .sort()
        .map((name) => ({ path: `${label}/${name}`, label: Number(label) })),
    ),
  );
  // Round-robin over the labels, so any count holds every digit.
  const picked: { path: string; label: number }[] = [];
  for (let index = 0; picked.length < count; index += 1) {
    let added = false;
    for (const files of perLabel) {
      const file = files[index];
      if (file && picked.length < count) {
        picked.push(file);
        added = true;
      }
    }
    if (!added) break;
  }
  return picked;
}

export default async function stream(ctx: StepContext<Params>) {
  const { data_dir: dataDir, count, split, rgb } = ctx.inputs;
  const dir = resolve(ctx.pipelineDir, dataDir);
  const samples = await pickSamples(dir, split, count);
  const messages = await Promise.all(
    samples.map(async (sample) => {
      let bytes: Buffer = await readFile(join(dir, sample.path));
      if (rgb) bytes = await sharp(bytes).toColourspace('srgb').png().toBuffer();
      return {
        key: sample.path,
        id: `${ctx.runId}:${sample.path}`,
        value: { id: sample.path, label: sample.label, image: bytes.toString('base64') },
      };
    }),
  );
  ctx.publish('mnist-samples', messages);
  ctx.log.info(
    `publishing ${messages.length} ${rgb ? 'RGB' : 'grey'} samples of split '${split}' to mnist-samples`,
  );
  return { published: messages.length };
}
