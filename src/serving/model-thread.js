// A model server's worker thread: loads one TF.js or ONNX model version and runs batches
// on it, so a CPU-bound model never blocks the event loop that answers health checks and
// metrics. Plain JavaScript on purpose, so that Node (built dist/) and Vitest (src/) can both
// start it without a TS loader.
//
// workerData: { flavor: 'tfjs' | 'onnx', dir, rowShape: number[], threads: number }
// in:  { id, input: Float32Array, n }        out: { id, output: Float32Array, width } | { id, error }
// first message out: { ready: true } or { fatal: message }
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

/** @typedef {{ run(input: Float32Array, n: number): Promise<{ output: Float32Array, width: number }> }} Loaded */

/** @type {{ flavor: 'tfjs' | 'onnx', dir: string, rowShape: number[], threads: number }} */
const options = workerData;

/**
 * Loads a TF.js layers or graph model (`model.json` + weight files) on the wasm backend.
 * @returns {Promise<Loaded>}
 */
async function loadTfjs() {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  wasm.setWasmPaths(`${join(dirname(packageJson), 'dist')}/`);
  wasm.setThreadsCount?.(Math.max(1, options.threads));
  if (!(await tf.setBackend('wasm'))) throw new Error('the TF.js wasm backend failed to start');
  await tf.ready();
  const manifestFile = join(options.dir, 'model.json');
  /** @type {{ format?: string, modelTopology?: object, weightsManifest?: { paths: string[], weights: import('@tensorflow/tfjs-core').io.WeightsManifestEntry[] }[], signature?: object, userDefinedMetadata?: object }} */
  let manifest;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
  } catch (error) {
    throw new Error(
      `TF.js model file ${manifestFile} cannot be read as JSON: ${/** @type {Error} */ (error).message}`,
    );
  }
  const groups = manifest.weightsManifest ?? [];
  const buffers = [];
  for (const group of groups) {
    for (const path of group.paths) buffers.push(await readFile(join(options.dir, path)));
  }
  const weightData = new Uint8Array(Buffer.concat(buffers)).buffer;
  /** @type {import('@tensorflow/tfjs-core').io.IOHandler} */
  const handler = {
    load: async () => ({
      modelTopology: manifest.modelTopology,
      format: manifest.format,
      weightSpecs: groups.flatMap((group) => group.weights),
      weightData,
      ...(manifest.signature ? { signature: manifest.signature } : {}),
    }),
  };
  /** @type {(x: import('@tensorflow/tfjs-core').Tensor) => import('@tensorflow/tfjs-core').Tensor} */
  let predict;
  if (manifest.format === 'graph-model') {
    const converter = await import('@tensorflow/tfjs-converter');
    const graph = await converter.loadGraphModel(handler);
    predict = (x) => /** @type {import('@tensorflow/tfjs-core').Tensor} */ (graph.predict(x));
  } else {
    const layers = await import('@tensorflow/tfjs-layers');
    const model = await layers.loadLayersModel(handler, { strict: true });
    predict = (x) => /** @type {import('@tensorflow/tfjs-core').Tensor} */ (model.predict(x));
  }
  return {
    async run(input, n) {
      const output = tf.tidy(() => {
        const result = predict(tf.tensor(input, [n, ...options.rowShape], 'float32'));
        return { data: /** @type {Float32Array} */ (result.dataSync()), width: result.size / n };
      });
      return { output: output.data, width: output.width };
    },
  };
}

/**
 * Loads `model.onnx` with onnxruntime-node (its first input and first output are used).
 * @returns {Promise<Loaded>}
 */
async function loadOnnx() {
  /** @type {typeof import('onnxruntime-node')} */
  let ort;
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    throw new Error(
      `ONNX model versions need the package onnxruntime-node (npm install onnxruntime-node): ${/** @type {Error} */ (error).message}`,
    );
  }
  const session = await ort.InferenceSession.create(join(options.dir, 'model.onnx'), {
    intraOpNumThreads: Math.max(1, options.threads),
    interOpNumThreads: 1,
  });
  const inputName = session.inputNames[0] ?? 'input';
  const outputName = session.outputNames[0] ?? 'output';
  return {
    async run(input, n) {
      const results = await session.run({
        [inputName]: new ort.Tensor('float32', input, [n, ...options.rowShape]),
      });
      const data = results[outputName]?.data;
      if (!(data instanceof Float32Array))
        throw new Error(`the ONNX model's output '${outputName}' is not float32`);
      return { output: data, width: data.length / n };
    },
  };
}

const port = parentPort;
if (!port) throw new Error('model-thread.js runs as a worker thread');
try {
  const model = options.flavor === 'onnx' ? await loadOnnx() : await loadTfjs();
  port.on('message', (/** @type {{ id: number, input: Float32Array, n: number }} */ message) => {
    model.run(message.input, message.n).then(
      ({ output, width }) => {
        // NOTE: copy out of wasm/ORT-owned memory so the buffer can be transferred.
        const copy = new Float32Array(output);
        port.postMessage({ id: message.id, output: copy, width }, [copy.buffer]);
      },
      (error) => port.postMessage({ id: message.id, error: /** @type {Error} */ (error).message }),
    );
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ fatal: /** @type {Error} */ (error).message });
}
