/**
 * The serving manifest: `sluice-model.json` beside a model version's files declares how the
 * version is served — its flavour (which runtime loads it), the columns a request row must
 * have, how an image becomes a tensor, what the output means, and, for models that learn
 * online, which alias a trained version may move to and under which metric rule.
 *
 * @example
 * // sluice-model.json of an mnist TF.js version
 * { "flavor": "tfjs",
 *   "input": { "image": { "type": "image", "width": 28, "height": 28, "channels": 1 } },
 *   "output": { "classes": ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] } }
 */
import { z } from 'zod';
import { SluiceError } from '../core/index.js';
import { parsePromoteRule, type PromoteRule } from './promote-rule.js';

/** The file that declares how a version is served. */
export const MANIFEST_FILE = 'sluice-model.json';

/** Runtimes a version can be served with. */
export const FLAVORS = ['tfjs', 'onnx', 'kmeans', 'linear'] as const;
export type Flavor = (typeof FLAVORS)[number];

const ImageColumn = z
  .object({
    type: z.literal('image'),
    width: z.number().int().min(1).max(4096),
    height: z.number().int().min(1).max(4096),
    channels: z.union([z.literal(1), z.literal(3)]).default(1),
  })
  .strict();
const NumberColumn = z.object({ type: z.literal('number') }).strict();
const VectorColumn = z.object({ type: z.literal('vector'), length: z.number().int().min(1) }).strict();
const Column = z.discriminatedUnion('type', [ImageColumn, NumberColumn, VectorColumn]);

const ManifestSchema = z
  .object({
    flavor: z.enum(FLAVORS),
    input: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a column name'), Column),
    layout: z.enum(['NHWC', 'NCHW']).optional(),
    output: z
      .object({ classes: z.array(z.string()).min(2).optional() })
      .strict()
      .default({}),
    online: z
      .object({
        alias: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'an alias name'),
        promote_if: z.string().min(1),
        learning_rate: z.number().positive().max(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** An input column of a request row. */
export type InputColumn = z.infer<typeof Column>;
export type ImageInput = z.infer<typeof ImageColumn>;

/** A checked manifest, with the tensor shape one row becomes. */
export interface ModelManifest {
  flavor: Flavor;
  input: Record<string, InputColumn>;
  layout: 'NHWC' | 'NCHW';
  output: { classes?: string[] };
  online?: { alias: string; promoteIf: PromoteRule; learningRate?: number };
  /** The shape of one row's tensor, without the batch axis. */
  rowShape: number[];
  /** Values per row (the product of `rowShape`). */
  rowSize: number;
  /** The image column, when the model takes an image. */
  image?: { column: string; spec: ImageInput };
}

/**
 * Checks a parsed `sluice-model.json`; `where` names the version for messages.
 *
 * @throws SluiceError `MODEL_MANIFEST` naming the field and what is allowed.
 */
export function parseManifest(json: unknown, where: string): ModelManifest {
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || '(root)';
    throw new SluiceError(
      'MODEL_MANIFEST',
      `${where} ${MANIFEST_FILE}: ${field}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const raw = parsed.data;
  const fail = (message: string): never => {
    throw new SluiceError('MODEL_MANIFEST', `${where} ${MANIFEST_FILE}: ${message}`);
  };
  const columns = Object.entries(raw.input);
  if (columns.length === 0) fail('input: declare at least one column');
  const images = columns.filter(([, spec]) => spec.type === 'image');
  if (images.length > 0 && columns.length > 1) {
    fail(`input: an image model takes one image column, found ${columns.map(([name]) => name).join(', ')}`);
  }
  if ((raw.flavor === 'kmeans' || raw.flavor === 'linear') && images.length > 0) {
    fail(`input: flavor '${raw.flavor}' takes number and vector columns, not images`);
  }
  if (raw.online && raw.flavor !== 'kmeans') {
    fail(`online: flavor '${raw.flavor}' does not learn online (only kmeans does)`);
  }
  const layout = raw.layout ?? (raw.flavor === 'onnx' ? 'NCHW' : 'NHWC');
  const imageEntry = images[0];
  let rowShape: number[];
  let image: ModelManifest['image'];
  if (imageEntry) {
    const spec = imageEntry[1] as ImageInput;
    image = { column: imageEntry[0], spec };
    rowShape =
      layout === 'NCHW' ? [spec.channels, spec.height, spec.width] : [spec.height, spec.width, spec.channels];
  } else {
    rowShape = [columns.reduce((sum, [, spec]) => sum + (spec.type === 'vector' ? spec.length : 1), 0)];
  }
  let online: ModelManifest['online'];
  if (raw.online) {
    const rule = parsePromoteRule(raw.online.promote_if);
    if ('error' in rule) fail(`online.promote_if: ${rule.error}`);
    online = {
      alias: raw.online.alias,
      promoteIf: rule as PromoteRule,
      ...(raw.online.learning_rate === undefined ? {} : { learningRate: raw.online.learning_rate }),
    };
  }
  return {
    flavor: raw.flavor,
    input: raw.input,
    layout,
    output: raw.output,
    ...(online ? { online } : {}),
    rowShape,
    rowSize: rowShape.reduce((product, size) => product * size, 1),
    ...(image ? { image } : {}),
  };
}
