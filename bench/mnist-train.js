// mnist-cnn training: samples/s and test accuracy of each trainer, through Sluice.
//   1. a labelled image folder (`--data DIR`, else written by scripts/prepare.mjs into a
//      temp folder: 2,000 + 2,000 images, or all 70,000 with `--full`);
//   2. the kernel: TF.js training samples/s on the wasm backend (with Sluice's
//      Conv2DBackpropFilter) against the pure-JS CPU backend, on the same few batches;
//   3. each trainer in TRAINERS runs its pipeline (`sluice run`) on the folder: samples/s
//      and test accuracy from the run's outputs, wall time, ratios to the first trainer.
//      `--full` trains on 60,000 and tests on 10,000 images (validation_split 0).
// Run with `npm run build && node bench/mnist-train.js [--full] [--epochs N] [--data DIR] [--json]`;
// SLUICE_DIST=/path/to/a/build uses that build of Sluice instead of ../dist.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importExampleCode } from './example-code.js';

const EXAMPLE = fileURLToPath(new URL('../examples/mnist-cnn/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = resolve(process.env.SLUICE_DIST ?? join(ROOT, 'dist'));
const args = process.argv.slice(2);
const flag = (/** @type {string} */ name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const FULL = args.includes('--full');
const asJson = args.includes('--json');
const EPOCHS = Number(flag('--epochs') ?? (FULL ? 2 : 1));
/** Images of each MNIST split the prepared folder holds. */
const PREPARE_LIMIT = FULL ? 0 : 2000;
/** Batches of 64 the kernel comparison trains on each backend (after one warm-up batch). */
const KERNEL_BATCHES = 4;

/**
 * The trainers compared: each is a pipeline of examples/mnist-cnn whose run outputs
 * `test_accuracy` and `samples_per_second`, with the params it needs besides the shared ones.
 * @type {{ name: string; pipeline: string; params: Record<string, string> }[]}
 */
const TRAINERS = [
  { name: 'TF.js wasm (mnist-train)', pipeline: 'train.yaml', params: {} },
  // NOTE: Debian's python3-torch on this machine's 2 cores, the same network and split.
  { name: 'PyTorch command step (mnist-train-torch)', pipeline: 'train-torch.yaml', params: {} },
];

/** @param {string} text */
function say(text) {
  if (!asJson) process.stderr.write(`${text}\n`);
}

/**
 * `sluice ...args --json` in the example folder with the chosen build; its parsed output.
 * @param {string} runner a module running the CLI of that build
 * @param {string[]} cli
 * @param {Record<string, string>} env
 */
function sluice(runner, cli, env) {
  const result = spawnSync(process.execPath, [runner, ...cli, '--json'], {
    cwd: EXAMPLE,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0)
    throw new Error(`sluice ${cli.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout);
}

/** Writes a module that runs the CLI of the build in DIST (bin/sluice.js always uses ../dist). @param {string} dir */
async function cliRunner(dir) {
  const runner = join(dir, 'sluice.mjs');
  const main = pathToFileURL(join(DIST, 'cli', 'main.js')).href;
  await writeFile(
    runner,
    `import { main } from ${JSON.stringify(main)};\nprocess.exitCode = await main(process.argv.slice(2));\n`,
  );
  return runner;
}

/** The example's TF.js library, bundled for this script. */
async function tfjsLibrary() {
  const lib = await importExampleCode(EXAMPLE, 'mnist-tfjs', [
    "export { loadImageFolder, selectImages } from './lib/dataset.ts';",
    "export { buildModel, trainEpoch } from './lib/tfjs-model.ts';",
    "export { initTfWasm } from '../../src/ml/index.ts';",
  ]);
  return lib;
}

/** Training samples/s of the same batches on the wasm and the pure-JS CPU backends. @param {string} data */
async function kernelComparison(data) {
  const lib = await tfjsLibrary();
  const tf = await lib.initTfWasm();
  await import('@tensorflow/tfjs-backend-cpu');
  const { data: images } = await lib.loadImageFolder(data, {
    size: 28,
    limit: 64 * (KERNEL_BATCHES + 1),
    seed: 1,
  });
  const warmUp = lib.selectImages(
    images,
    Int32Array.from({ length: 64 }, (_, index) => index),
  );
  const timed = lib.selectImages(
    images,
    Int32Array.from({ length: 64 * KERNEL_BATCHES }, (_, index) => 64 + index),
  );
  /** @type {Record<string, number>} */
  const rates = {};
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    const model = await lib.buildModel({ size: 28, learningRate: 0.001, seed: 1 });
    await lib.trainEpoch(model, warmUp, { batchSize: 64, seed: 1 });
    const result = await lib.trainEpoch(model, timed, { batchSize: 64, seed: 1 });
    rates[backend] = result.samples / result.seconds;
    model.dispose();
    say(`  ${backend.padEnd(5)} ${rates[backend].toFixed(0).padStart(6)} samples/s (${timed.count} samples)`);
  }
  await tf.setBackend('wasm');
  return { wasm: rates.wasm ?? 0, cpu: rates.cpu ?? 0, ratio: (rates.wasm ?? 0) / (rates.cpu ?? 1) };
}

async function main() {
  // NOTE: TF.js prints a banner with console.log on the CPU backend: keep stdout for --json.
  console.log = (...values) => console.error(...values);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-mnist-train-'));
  try {
    let data = flag('--data') ? resolve(flag('--data') ?? '') : join(dir, 'images');
    if (!flag('--data')) {
      say(`preparing ${FULL ? 'all 70,000' : `${PREPARE_LIMIT} + ${PREPARE_LIMIT}`} MNIST images...`);
      const started = performance.now();
      const prepared = spawnSync(
        process.execPath,
        [
          join(EXAMPLE, 'scripts', 'prepare.mjs'),
          '--out',
          data,
          ...(FULL ? [] : ['--limit', String(PREPARE_LIMIT)]),
        ],
        { encoding: 'utf8' },
      );
      if (prepared.status !== 0) throw new Error(`prepare.mjs failed: ${prepared.stderr}`);
      say(`  ${((performance.now() - started) / 1000).toFixed(1)} s`);
      data = resolve(data);
    }

    say(`TF.js training, wasm (Sluice's Conv2DBackpropFilter) vs pure-JS CPU, batches of 64:`);
    const kernel = await kernelComparison(data);
    say(`  wasm / cpu: ${kernel.ratio.toFixed(1)}x`);

    const shared = FULL
      ? { validation_split: '0', test_split: String(1 / 7) }
      : { validation_split: '0.1', test_split: '0.1' };
    const runner = await cliRunner(dir);
    /** @type {{ name: string; samples_per_second: number; test_accuracy: number; seconds: number }[]} */
    const results = [];
    say(`\ntrainers, ${EPOCHS} epoch(s) on ${data}${FULL ? ' (60,000 train / 10,000 test)' : ''}:`);
    for (const trainer of TRAINERS) {
      const params = {
        data_dir: data,
        epochs: String(EPOCHS),
        batch_size: '64',
        seed: '1',
        ...shared,
        ...trainer.params,
      };
      const cli = [
        'run',
        trainer.pipeline,
        ...Object.entries(params).flatMap(([key, value]) => ['-p', `${key}=${value}`]),
      ];
      const started = performance.now();
      const run = sluice(runner, cli, { SLUICE_HOME: join(dir, 'home') });
      const seconds = (performance.now() - started) / 1000;
      if (run.status !== 'succeeded')
        throw new Error(`${trainer.name}: run ${run.status}: ${run.error?.message}`);
      const result = {
        name: trainer.name,
        samples_per_second: Number(run.outputs.samples_per_second),
        test_accuracy: Number(run.outputs.test_accuracy),
        seconds,
      };
      results.push(result);
      say(
        `  ${trainer.name.padEnd(30)} ${result.samples_per_second.toFixed(0).padStart(7)} samples/s  ` +
          `test accuracy ${result.test_accuracy.toFixed(4)}  run ${seconds.toFixed(1)} s` +
          (results.length > 1
            ? `  (${(result.samples_per_second / (results[0]?.samples_per_second ?? 1)).toFixed(2)}x the first)`
            : ''),
      );
    }
    if (asJson) {
      process.stdout.write(
        `${JSON.stringify({ full: FULL, epochs: EPOCHS, kernel, trainers: results }, null, 2)}\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
