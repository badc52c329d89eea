// mnist-cnn, end to end: prediction rows per second through a topic into a table, against
// the same decode-and-predict in a plain loop without Sluice, measured in the same run.
//   1. prepare a labelled image folder, train the CNN once with PyTorch (ONNX export);
//   2. baseline: decode N sample PNGs and classify them with onnxruntime-node in batches
//      of 64 on this thread (what a script without a pipeline would do, no table);
//   3. for each topic backend (embedded, NATS JetStream): `mnist-stream` publishes N
//      samples, then `mnist-predict` consumes them in batches of 64 and writes one row per
//      sample; rows/s = N / (the run's duration - its idle timeout).
// Run with `npm run build && node bench/mnist-predict.js [--samples N] [--json]`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importExampleCode } from './example-code.js';
import { openNatsTopics } from '../dist/index.js';

const EXAMPLE = fileURLToPath(new URL('../examples/mnist-cnn/', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const NATS_URL = process.env.SLUICE_NATS_URL ?? 'nats://127.0.0.1:4222';
const asJson = process.argv.includes('--json');
const samplesFlag = process.argv.indexOf('--samples');
const SAMPLES = samplesFlag > 0 ? Number(process.argv[samplesFlag + 1]) : 2000;
const IDLE_MS = 500;

/** @param {string} text */
function say(text) {
  if (!asJson) process.stderr.write(`${text}\n`);
}

/** `sluice ...args --json` in the example folder; its parsed output. @param {string[]} args @param {Record<string, string>} env */
function sluice(args, env) {
  const result = spawnSync(process.execPath, [BIN, ...args, '--json'], {
    cwd: EXAMPLE,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`sluice ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout);
}

/** The plain loop: decode and classify every sample the stream would publish. @param {string} data @param {string} modelDir */
async function plainLoop(data, modelDir) {
  const lib = await importExampleCode(EXAMPLE, 'mnist-predict', [
    "export { decodeImage } from './lib/images.ts';",
    "export { loadOnnxModel, argmax } from './lib/onnx-model.ts';",
    "export { pickSamples } from './steps/stream.ts';",
  ]);
  const samples = await lib.pickSamples(data, 'test', SAMPLES);
  const model = await lib.loadOnnxModel(modelDir);
  const started = performance.now();
  let correct = 0;
  for (let start = 0; start < samples.length; start += 64) {
    const batch = samples.slice(start, start + 64);
    const images = new Float32Array(batch.length * 28 * 28);
    for (const [index, sample] of batch.entries()) {
      await lib.decodeImage(await readFile(join(data, sample.path)), 28, images, index * 28 * 28);
    }
    const { classes } = lib.argmax(await model.run(images, batch.length, 28), batch.length);
    batch.forEach((/** @type {{ label: number }} */ sample, /** @type {number} */ index) => {
      if (classes[index] === sample.label) correct += 1;
    });
  }
  const seconds = (performance.now() - started) / 1000;
  return { rowsPerSecond: samples.length / seconds, accuracy: correct / samples.length };
}

async function main() {
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-mnist-'));
  try {
    const data = join(root, 'images');
    say(`preparing ${SAMPLES} test images and a training set…`);
    execFileSync(
      process.execPath,
      [join(EXAMPLE, 'scripts', 'prepare.mjs'), '--out', data, '--limit', String(Math.max(SAMPLES, 6000))],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const home = join(root, 'home');
    say('training the CNN with PyTorch (ONNX export)…');
    const trained = sluice(['run', 'train-torch.yaml', '-p', `data_dir=${data}`, '-p', 'epochs=2'], {
      SLUICE_HOME: home,
    });
    const version = sluice(['models', 'show', 'mnist-cnn@latest'], { SLUICE_HOME: home });
    const modelDir = join(root, 'model');
    sluice(['models', 'download', `mnist-cnn:${version.version}`, '-o', modelDir], { SLUICE_HOME: home });
    const baseline = await plainLoop(data, modelDir);
    say(
      `plain loop: ${baseline.rowsPerSecond.toFixed(0)} samples/s (accuracy ${baseline.accuracy.toFixed(3)})`,
    );

    const results = [];
    for (const backend of ['embedded', 'nats']) {
      /** @type {Record<string, string>} */
      const env = { SLUICE_HOME: join(root, `home-${backend}`) };
      if (backend === 'nats') {
        env.SLUICE_NATS_URL = NATS_URL;
        const topics = await openNatsTopics({ url: NATS_URL });
        for (const name of ['mnist-samples', 'mnist-samples.dlq'])
          await topics.delete(name).catch(() => undefined);
        await topics.close();
      }
      sluice(
        ['run', 'train-torch.yaml', '-p', `data_dir=${data}`, '-p', 'epochs=1', '-p', 'limit=2000'],
        env,
      );
      sluice(['run', 'stream.yaml', '-p', `data_dir=${data}`, '-p', `count=${SAMPLES}`], env);
      const run = sluice(['run', 'predict.yaml', '-p', `stream_timeout_ms=${IDLE_MS}`], env);
      const shown = sluice(['show', run.runId], env);
      const seconds =
        (new Date(shown.run.finishedAt).getTime() - new Date(shown.run.startedAt).getTime() - IDLE_MS) / 1000;
      const summary = run.outputs.summary;
      results.push({
        backend,
        rows: summary.predicted,
        seconds,
        rowsPerSecond: summary.predicted / seconds,
        accuracy: summary.accuracy,
      });
      say(`${backend}: ${summary.predicted} rows in ${seconds.toFixed(2)} s`);
    }
    const figures = {
      samples: SAMPLES,
      training: {
        testAccuracy: trained.outputs.test_accuracy,
        samplesPerSecond: trained.outputs.samples_per_second,
      },
      baseline,
      pipelines: results.map((result) => ({
        ...result,
        ratioToBaseline: result.rowsPerSecond / baseline.rowsPerSecond,
      })),
    };
    if (asJson) {
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      return;
    }
    console.log(
      `\nmnist-cnn predictions, ${SAMPLES} samples, ONNX model (PyTorch, test accuracy ${trained.outputs.test_accuracy.toFixed(3)})`,
    );
    console.log(`${'path'.padEnd(44)}${'rows/s'.padStart(10)}${'vs loop'.padStart(10)}`);
    console.log(
      `${'plain loop (decode + onnxruntime, no table)'.padEnd(44)}${baseline.rowsPerSecond.toFixed(0).padStart(10)}${'1.00'.padStart(10)}`,
    );
    for (const result of figures.pipelines) {
      const label = `topic (${result.backend}) -> predict -> table`;
      console.log(
        `${label.padEnd(44)}${result.rowsPerSecond.toFixed(0).padStart(10)}${result.ratioToBaseline.toFixed(2).padStart(10)}`,
      );
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
