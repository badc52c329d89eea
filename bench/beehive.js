// Beehive-sensors: the cost of a run with 1,000 per-sensor datums (one small CSV each, a day
// of 144 readings), against the same feature computation in a plain loop without Sluice,
// measured in the same run:
//   1. baseline: read, parse, compute and standardise the features of every sensor and write
//      them, one sensor after another on this thread (what a cron script would do);
//   2. retrain_model (1,000 raw-feature datums, then fitting and k-means), the first models;
//   3. feature_creation, first run: 1,000 datums, output commit included;
//   4. clustering_inference on the 1,000 sensors' features (one datum; silhouette is O(n²));
//   5. one sensor gets a new day: feature_creation again (1 executed, 999 skipped), then
//      clustering_inference.
// Run with `npm run build && node bench/beehive.js [--sensors N] [--json]`.
import { openEmbedded } from './embedded.js';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { loadPipeline, resolveParams } from '../dist/index.js';
import { generateSensors, sensorId } from '../examples/beehive-sensors/scripts/generate.mjs';

const EXAMPLE = fileURLToPath(new URL('../examples/beehive-sensors/', import.meta.url));
const WORKERS = availableParallelism();
const asJson = process.argv.includes('--json');
const sensorsFlag = process.argv.indexOf('--sensors');
const SENSORS = sensorsFlag > 0 ? Number(process.argv[sensorsFlag + 1]) : 1000;

/** @param {string} text */
function say(text) {
  if (!asJson) process.stdout.write(`${text}\n`);
}

/**
 * The baseline: the example's own library (bundled by esbuild, as the TS runtime bundles
 * steps), called in a loop over `datums/<sensor>/<sensor>/<day>.csv` (each sensor laid out
 * as its datum is).
 * @param {string} root @param {string} datums
 */
async function plainLoop(root, datums) {
  const out = join(root, 'baseline.mjs');
  await build({
    stdin: {
      contents: [
        "export { readSensorDatum } from './lib/sensor-datum.ts';",
        "export { sensorFeatures, FEATURE_NAMES } from './lib/features.ts';",
        "export { fitFeatureModel, standardise } from './lib/feature-model.ts';",
      ].join('\n'),
      resolveDir: EXAMPLE,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: out,
    logLevel: 'silent',
  });
  const lib = await import(pathToFileURL(out).href);
  const target = join(root, 'baseline-features');
  await mkdir(target, { recursive: true });
  const started = performance.now();
  const features = [];
  for (const sensor of (await readdir(datums)).sort()) {
    const data = await lib.readSensorDatum(join(datums, sensor), 7);
    features.push(lib.sensorFeatures(data.sensor_id, data.days, 7));
  }
  const model = lib.fitFeatureModel(
    features.map((entry) => entry.vector),
    lib.FEATURE_NAMES,
    7,
  );
  for (const entry of features) {
    const standardised = lib.standardise(model, entry.vector);
    await writeFile(
      join(target, `${entry.sensor_id}.json`),
      JSON.stringify({ ...entry, standardised: standardised.values }, null, 2),
    );
  }
  return performance.now() - started;
}

/**
 * @param {import('../dist/index.js').Engine} engine
 * @param {string} file
 * @param {Record<string, unknown>} [params]
 */
async function timedRun(engine, file, params = {}) {
  const pipeline = await loadPipeline(join(EXAMPLE, file));
  let executed = 0;
  let skipped = 0;
  let lastTask = 0;
  const started = performance.now();
  const run = await (
    await engine.startRun(pipeline, {
      params: resolveParams(pipeline, params),
      onEvent: (event) => {
        if (event.type !== 'task') return;
        if (event.status === 'success') executed += 1;
        if (event.status === 'skipped') skipped += 1;
        if (event.status === 'success' || event.status === 'skipped') lastTask = performance.now();
      },
    })
  ).result;
  const ms = performance.now() - started;
  if (run.status !== 'succeeded') throw new Error(`${file}: run ${run.status}: ${run.error?.message}`);
  // What follows the last task: the output commit and recording the run's end.
  return { ms, executed, skipped, afterTasksMs: started + ms - lastTask };
}

async function main() {
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-beehive-'));
  const home = join(root, '.sluice');
  const embedded = await openEmbedded(home, WORKERS);
  const { repos, engine } = embedded;
  /** @type {Record<string, Record<string, number>>} */
  const figures = {};
  try {
    const sensors = join(root, 'sensors');
    await generateSensors(sensors, { sensors: SENSORS, days: 1, malformed: false });
    await repos.create('sensors');
    await repos.put('sensors', 'main', { kind: 'path', path: sensors });

    const datums = join(root, 'datums');
    for (let index = 0; index < SENSORS; index += 1) {
      const id = sensorId(index);
      await generateSensors(join(datums, id), { sensors: SENSORS, days: 1, malformed: false, only: [id] });
    }
    const baselineMs = await plainLoop(root, datums);
    const retrain = await timedRun(engine, 'retrain_model.yaml');
    const features = await timedRun(engine, 'feature_creation.yaml');
    const clustering = await timedRun(engine, 'clustering_inference.yaml');
    // One sensor's next day.
    const changed = sensorId(4);
    const newDay = join(root, 'new-day');
    await generateSensors(newDay, { sensors: SENSORS, start: '2026-06-02', days: 1, only: [changed] });
    await repos.put('sensors', 'main', { kind: 'path', path: newDay });
    const again = await timedRun(engine, 'feature_creation.yaml');
    const reclustered = await timedRun(engine, 'clustering_inference.yaml');

    figures.baseline = { sensors: SENSORS, ms: baselineMs, perSensorMs: baselineMs / SENSORS };
    figures.retrain = { ...retrain, perDatumMs: retrain.ms / SENSORS };
    figures.featuresFirst = {
      ...features,
      perDatumMs: features.ms / SENSORS,
      ratioToBaseline: features.ms / baselineMs,
    };
    figures.clustering = clustering;
    figures.featuresIncremental = {
      ...again,
      perSkippedDatumMs: again.ms / Math.max(1, again.skipped),
      ratioToBaseline: again.ms / baselineMs,
    };
    figures.clusteringIncremental = reclustered;

    const row = (
      /** @type {string} */ what,
      /** @type {number} */ ms,
      /** @type {string} */ per,
      note = '',
    ) => say(`  ${what.padEnd(52)} ${ms.toFixed(0).padStart(7)} ms ${per.padStart(12)}  ${note}`);
    const perDatum = (/** @type {number} */ ms, /** @type {number} */ n) =>
      `${((ms / n) * 1000).toFixed(0)} µs/datum`;
    say(
      `beehive-sensors: ${SENSORS.toLocaleString('en')} sensors, one 144-reading CSV each, ${WORKERS} workers`,
    );
    row(`plain loop, features of ${SENSORS} sensors (baseline)`, baselineMs, perDatum(baselineMs, SENSORS));
    row(`retrain_model: ${retrain.executed - 1} datums + k-means`, retrain.ms, perDatum(retrain.ms, SENSORS));
    row(
      `feature_creation, first run: ${features.executed} datums`,
      features.ms,
      perDatum(features.ms, SENSORS),
      `${(features.ms / baselineMs).toFixed(1)}x the baseline; output commit ${features.afterTasksMs.toFixed(0)} ms`,
    );
    row(`clustering_inference of ${SENSORS} sensors (1 datum)`, clustering.ms, '');
    row(
      `feature_creation, 1 sensor changed: ${again.executed} run, ${again.skipped} skipped`,
      again.ms,
      perDatum(again.ms, SENSORS),
      `${(again.ms / baselineMs).toFixed(2)}x a full recompute`,
    );
    row('clustering_inference after it (partial: 1 sensor)', reclustered.ms, '');
  } finally {
    await embedded.close();
    await rm(root, { recursive: true, force: true });
  }
  if (asJson) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

await main();
