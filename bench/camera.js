// Camera-pipeline throughput: images per second through the whole camera-threats pipeline
// (validate, CenterNet detection on TF.js wasm, rules, notify) with 1 and 2 workers,
// against the detector alone called in a loop on one thread, in the same run.
// Run with `npm run bench` (builds first), or `node bench/camera.js [--json]`.
import { openEmbedded } from './embedded.js';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import sharp from 'sharp';
import { loadPipeline } from '../dist/index.js';
import { ensureModel } from '../examples/camera-threats/scripts/fetch-model.mjs';
import { photoPath } from '../examples/camera-threats/scripts/sample-images.mjs';

const IMAGES = 24;
const EXAMPLE = fileURLToPath(new URL('../examples/camera-threats/', import.meta.url));
const asJson = process.argv.includes('--json');

/** @param {string} text */
function say(text) {
  if (!asJson) process.stdout.write(`${text}\n`);
}

/**
 * `count` distinct 640x480 frames of the photograph (each slightly different, so none is deduplicated).
 * @param {string} dir
 * @param {number} count
 */
async function frames(dir, count) {
  const paths = [];
  for (let i = 0; i < count; i += 1) {
    const device = `cam${(i % 4) + 1}`;
    await mkdir(join(dir, device), { recursive: true });
    const path = join(dir, device, `2026-11-24T12-${String(i).padStart(2, '0')}-00.jpg`);
    await sharp(photoPath())
      .resize(640, 480, { fit: 'cover' })
      .modulate({ brightness: 0.8 + (i % 10) / 25 })
      .jpeg({ quality: 85 })
      .toFile(path);
    paths.push(path);
  }
  return paths;
}

/**
 * The detector alone: model loaded once, images detected one after another on this thread.
 * @param {string[]} paths
 */
async function bareDetector(paths) {
  const out = join(EXAMPLE, 'steps', 'node_modules', '.cache', 'sluice', 'bench-centernet.mjs');
  await build({
    entryPoints: [join(EXAMPLE, 'steps', 'lib', 'centernet.ts')],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    outfile: out,
    logLevel: 'silent',
  });
  const { loadDetector } = await import(pathToFileURL(out).href);
  const detector = await loadDetector(join(EXAMPLE, 'models', 'centernet.json'));
  const started = performance.now();
  for (const path of paths) await detector.detect(path, 0.5);
  return performance.now() - started;
}

/**
 * @param {string} root
 * @param {string} source
 * @param {number} workers
 */
async function pipelineRun(root, source, workers) {
  const home = join(root, `home-${workers}`);
  const embedded = await openEmbedded(home, workers);
  const { repos, engine } = embedded;
  try {
    await repos.create('cameras');
    await repos.create('video-frames');
    const pipeline = await loadPipeline(join(EXAMPLE, 'pipeline.yaml'));
    // Warm-up: one frame, so that workers have loaded the model before the timed run.
    await repos.put('cameras', 'main', { kind: 'path', path: join(source, 'cam1') }, { to: '/cam1' });
    const params = Object.fromEntries(
      Object.values(pipeline.params).map((param) => [param.name, param.default]),
    );
    await (
      await engine.startRun(pipeline, { params, noCache: true })
    ).result;
    await repos.put('cameras', 'main', { kind: 'path', path: source });
    const started = performance.now();
    const run = await (await engine.startRun(pipeline, { params, noCache: true })).result;
    const ms = performance.now() - started;
    if (run.status !== 'succeeded') throw new Error(`camera run ${run.status}: ${run.error?.message}`);
    return ms;
  } finally {
    await embedded.close();
  }
}

async function main() {
  await ensureModel();
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-camera-'));
  try {
    const source = join(root, 'frames');
    const paths = await frames(source, IMAGES);
    const bareMs = await bareDetector(paths);
    const oneMs = await pipelineRun(root, source, 1);
    const twoMs = await pipelineRun(root, source, 2);
    const rate = (/** @type {number} */ ms) => (IMAGES / ms) * 1000;
    const figures = {
      images: IMAGES,
      detectorAlone: { ms: bareMs, imagesPerSecond: rate(bareMs) },
      oneWorker: { ms: oneMs, imagesPerSecond: rate(oneMs) },
      twoWorkers: { ms: twoMs, imagesPerSecond: rate(twoMs) },
    };
    say(`camera pipeline, ${IMAGES} frames of 640x480 (validate, detect, threat, notify)`);
    say(`  detector alone, one thread (floor): ${rate(bareMs).toFixed(2)} images/s`);
    say(
      `  pipeline, 1 worker:  ${rate(oneMs).toFixed(2)} images/s  (${((rate(oneMs) / rate(bareMs)) * 100).toFixed(0)}% of the floor)`,
    );
    say(
      `  pipeline, 2 workers: ${rate(twoMs).toFixed(2)} images/s  (${(oneMs / twoMs).toFixed(2)}x of 1 worker)`,
    );
    if (asJson) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
