/**
 * `mnist-predict`: one datum is a batch of sample messages from the topic. Each message's
 * image (grey or RGB PNG) is decoded, classified with the model version the run resolved
 * (TF.js or ONNX, by its `flavor`), and written to the `digit_predictions` table with its label.
 * A malformed message is logged and counted, never a crash.
 */
import type { StepContext } from 'sluice';
import { decodeImage } from '../lib/images.js';
import { argmax, loadOnnxModel, type OnnxModel } from '../lib/onnx-model.js';

/** A model version as a step receives it. */
type ModelVersion = Awaited<ReturnType<StepContext['registry']['load']>>;

/** The value of a stream datum. */
export interface SampleBatch {
  topic: string;
  messages: { seq: number; key: string | null; time: string; value: unknown }[];
}

/** A prediction row of the `digit_predictions` table. */
export interface PredictionRow {
  id: string;
  image: string;
  prediction: number;
  label: number | null;
  probability: number;
  predicted_at: string;
}

interface Classifier {
  size: number;
  /** Class probabilities, 10 per image. */
  probabilities(images: Float32Array, n: number): Promise<Float32Array>;
}

// NOTE: a worker thread runs many datums: a model is loaded once per worker and version.
const loaded = new Map<string, Promise<Classifier>>();

/** The classifier of a model version, by its `flavor` param (`tfjs` or `onnx`). */
export function classifierFor(model: ModelVersion): Promise<Classifier> {
  const key = `${model.name}:${model.version}:${model.dir}`;
  let classifier = loaded.get(key);
  if (!classifier) {
    classifier = load(model);
    loaded.set(key, classifier);
  }
  return classifier;
}

async function load(model: ModelVersion): Promise<Classifier> {
  const size = Number(model.params.image_size ?? 28);
  const flavor = model.params.flavor;
  if (flavor === 'onnx') {
    const onnx: OnnxModel = await loadOnnxModel(model.dir);
    return { size, probabilities: (images, n) => onnx.run(images, n, size) };
  }
  if (flavor === 'tfjs') {
    const tfjs = await import('../lib/tfjs-model.js');
    const network = await tfjs.loadTfjsModel(model.dir);
    return {
      size,
      probabilities: async (images, n) => tfjs.predictTfjs(network, images, n, size).probabilities,
    };
  }
  throw new Error(
    `model ${model.name}:${model.version} has flavor ${JSON.stringify(flavor)}; expected 'tfjs' or 'onnx'`,
  );
}

/** What a message value that is no JSON object is, for a problem line. */
function kindOf(value: unknown): string {
  if (ArrayBuffer.isView(value)) return `${value.byteLength} bytes that are not JSON`;
  if (typeof value === 'string') return 'text that is not JSON';
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `a ${typeof value}`;
}

/** Why a message cannot be predicted, or its id, label and image bytes. */
export function readSample(
  value: unknown,
): { id: string; label: number | null; image: string } | { problem: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    return { problem: `not a JSON object with id, label and image (found ${kindOf(value)})` };
  }
  const { id, label, image } = value as Record<string, unknown>;
  if (typeof image !== 'string' || image.length === 0)
    return { problem: "no 'image' (a base64 PNG or JPEG)" };
  if (
    label !== undefined &&
    label !== null &&
    !(Number.isInteger(label) && Number(label) >= 0 && Number(label) <= 9)
  ) {
    return { problem: `'label' must be an integer 0-9, found ${JSON.stringify(label)}` };
  }
  return {
    id: typeof id === 'string' && id !== '' ? id : '',
    label: typeof label === 'number' ? label : null,
    image,
  };
}

/** Predicts a batch: rows for the good messages, a problem line for each bad one. */
export async function predictBatch(
  batch: SampleBatch,
  classifier: Classifier,
  now = new Date(),
): Promise<{ rows: PredictionRow[]; problems: string[] }> {
  const { size } = classifier;
  const problems: string[] = [];
  const good: { id: string; label: number | null; image: string }[] = [];
  const images = new Float32Array(batch.messages.length * size * size);
  for (const message of batch.messages) {
    const sample = readSample(message.value);
    const where = `message ${message.seq}${message.key ? ` (${message.key})` : ''}`;
    if ('problem' in sample) {
      problems.push(`${where}: ${sample.problem}`);
      continue;
    }
    try {
      await decodeImage(Buffer.from(sample.image, 'base64'), size, images, good.length * size * size);
    } catch (error) {
      problems.push(`${where}: the image cannot be decoded (${(error as Error).message})`);
      continue;
    }
    good.push({ ...sample, id: sample.id || `${batch.topic}:${message.seq}` });
  }
  if (good.length === 0) return { rows: [], problems };
  const probabilities = await classifier.probabilities(
    images.subarray(0, good.length * size * size),
    good.length,
  );
  const { classes, best } = argmax(probabilities, good.length);
  const at = now.toISOString();
  const rows = good.map((sample, index) => ({
    id: sample.id,
    image: sample.image,
    prediction: classes[index] ?? 0,
    label: sample.label,
    probability: best[index] ?? 0,
    predicted_at: at,
  }));
  return { rows, problems };
}

export default async function predict(ctx: StepContext<{ samples: SampleBatch; model: ModelVersion }>) {
  const classifier = await classifierFor(ctx.inputs.model);
  const { rows, problems } = await predictBatch(ctx.inputs.samples, classifier);
  for (const problem of problems) ctx.log.warn(`skipped ${problem}`);
  ctx.table('digit_predictions').insert(rows as unknown as Record<string, unknown>[]);
  const correct = rows.filter((row) => row.label === row.prediction).length;
  ctx.metric('batch_accuracy', rows.length > 0 ? correct / rows.length : 0);
  return { predicted: rows.length, correct, skipped: problems.length };
}
