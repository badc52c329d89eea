// cardiac-mri DICOM decoding: slices per second through Sluice's decodeDicom (read the file,
// decode to Float32 modality values) against pydicom on the same files in the same run:
//   1. generate a Sunnybrook-like dataset with examples/cardiac-mri/scripts/generate.py
//      --compressed (explicit + implicit VR little endian, JPEG-LS, JPEG lossless SV1);
//   2. pydicom: `dcmread(f).pixel_array * slope + intercept` over the uncompressed files
//      (pydicom here has no JPEG-LS / JPEG lossless decoder);
//   3. Sluice: the same uncompressed files (the ratio), then every file, compressed too,
//      and each transfer syntax on its own.
// Sluice reads files with fs/promises readFile, as a step would; one row uses readFileSync,
// pydicom's way of reading, as on this machine each async read costs ~0.15 ms, more than a
// decode. Each figure is the median of --rounds passes after one warm-up pass.
// Run with `node bench/mri-dicom.js [--patients 4] [--slices 50] [--size 256] [--rounds 5] [--json]`;
// needs /usr/bin/python3 with pydicom and numpy, and dcmtk.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCardiacMri, importExampleCode } from './example-code.js';

const EXAMPLE = fileURLToPath(new URL('../examples/cardiac-mri/', import.meta.url));
const PYTHON = process.env.SLUICE_PYTHON ?? '/usr/bin/python3';
const asJson = process.argv.includes('--json');
const PATIENTS = flag('--patients', 4);
const SLICES = flag('--slices', 50);
const SIZE = flag('--size', 256);
const ROUNDS = flag('--rounds', 5);
const UNCOMPRESSED = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'];
const SYNTAX_NAMES = /** @type {Record<string, string>} */ ({
  '1.2.840.10008.1.2': 'implicit VR LE',
  '1.2.840.10008.1.2.1': 'explicit VR LE',
  '1.2.840.10008.1.2.4.70': 'JPEG lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS lossless',
});

/** @param {string} name @param {number} fallback */
function flag(name, fallback) {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

/** @param {string} text */
function say(text) {
  if (!asJson) process.stderr.write(`${text}\n`);
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

// Times pydicom over the files named on stdin (one per line): a warm-up pass, then ROUNDS
// timed passes; prints {"seconds": [...]} with each pass's wall time.
const PYDICOM_SCRIPT = `
import json, sys, time
import pydicom
files = sys.stdin.read().split()
rounds = int(sys.argv[1])
def decode(path):
    ds = pydicom.dcmread(path)
    return ds.pixel_array * float(ds.get("RescaleSlope", 1)) + float(ds.get("RescaleIntercept", 0))
for path in files:
    decode(path)
seconds = []
for _ in range(rounds):
    started = time.perf_counter()
    for path in files:
        decode(path)
    seconds.append(time.perf_counter() - started)
print(json.dumps({"seconds": seconds, "pydicom": pydicom.__version__}))
`;

/** @param {string[]} files */
function timePydicom(files) {
  const out = execFileSync(PYTHON, ['-c', PYDICOM_SCRIPT, String(ROUNDS)], {
    input: files.join('\n'),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = /** @type {{ seconds: number[], pydicom: string }} */ (JSON.parse(out));
  return { slicesPerSecond: files.length / median(result.seconds), version: result.pydicom };
}

/** The example's decoder, bundled as the TS runtime bundles steps. */
async function loadDecoder() {
  const lib = await importExampleCode(EXAMPLE, 'mri-dicom', [
    "export { decodeDicom } from './lib/dicom.ts';",
  ]);
  return /** @type {(bytes: Uint8Array, file: string) => Promise<{ pixels: Float32Array }>} */ (
    lib.decodeDicom
  );
}

/**
 * @param {(bytes: Uint8Array, file: string) => Promise<{ pixels: Float32Array }>} decodeDicom
 * @param {string[]} files
 * @param {(file: string) => Promise<Uint8Array> | Uint8Array} read
 */
async function timeSluice(decodeDicom, files, read = readFile) {
  /** @type {number[]} */
  const seconds = [];
  let checksum = 0;
  for (let round = -1; round < ROUNDS; round += 1) {
    const started = performance.now();
    for (const file of files) {
      const slice = await decodeDicom(await read(file), file);
      checksum += slice.pixels[slice.pixels.length >> 1] ?? 0;
    }
    if (round >= 0) seconds.push((performance.now() - started) / 1000);
  }
  return { slicesPerSecond: files.length / median(seconds), checksum };
}

async function main() {
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-mri-'));
  try {
    say(`generating ${PATIENTS} patients × ${SLICES} slices of ${SIZE}² (compressed variants included)…`);
    const started = performance.now();
    generateCardiacMri(root, { patients: PATIENTS, slices: SLICES, size: SIZE, python: PYTHON });
    say(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const truth = JSON.parse(await readFile(join(root, 'truth.json'), 'utf8'));
    /** @type {{ path: string, syntax: string }[]} */
    const slices = truth.patients.flatMap(
      (/** @type {{ slices: { file: string, transferSyntax: string }[] }} */ p) =>
        p.slices.map((slice) => ({ path: join(root, slice.file), syntax: slice.transferSyntax })),
    );
    const all = slices.map((slice) => slice.path);
    const uncompressed = slices
      .filter((slice) => UNCOMPRESSED.includes(slice.syntax))
      .map((slice) => slice.path);

    say(`pydicom on ${uncompressed.length} uncompressed slices…`);
    const pydicom = timePydicom(uncompressed);
    const decodeDicom = await loadDecoder();
    say(`Sluice decodeDicom on ${uncompressed.length} uncompressed and ${all.length} slices in all…`);
    const sluiceUncompressed = await timeSluice(decodeDicom, uncompressed);
    const sluiceSyncRead = await timeSluice(decodeDicom, uncompressed, readFileSync);
    const sluiceAll = await timeSluice(decodeDicom, all);
    /** @type {Record<string, { slices: number, slicesPerSecond: number }>} */
    const bySyntax = {};
    for (const syntax of Object.keys(SYNTAX_NAMES)) {
      const files = slices.filter((slice) => slice.syntax === syntax).map((slice) => slice.path);
      if (files.length === 0) continue;
      bySyntax[syntax] = {
        slices: files.length,
        slicesPerSecond: (await timeSluice(decodeDicom, files)).slicesPerSecond,
      };
    }
    const figures = {
      patients: PATIENTS,
      slicesPerPatient: SLICES,
      size: SIZE,
      rounds: ROUNDS,
      pydicom: {
        version: pydicom.version,
        slices: uncompressed.length,
        slicesPerSecond: pydicom.slicesPerSecond,
      },
      sluice: {
        uncompressed: {
          slices: uncompressed.length,
          slicesPerSecond: sluiceUncompressed.slicesPerSecond,
          ratioToPydicom: sluiceUncompressed.slicesPerSecond / pydicom.slicesPerSecond,
        },
        uncompressedSyncRead: {
          slices: uncompressed.length,
          slicesPerSecond: sluiceSyncRead.slicesPerSecond,
          ratioToPydicom: sluiceSyncRead.slicesPerSecond / pydicom.slicesPerSecond,
        },
        all: { slices: all.length, slicesPerSecond: sluiceAll.slicesPerSecond },
        bySyntax,
      },
    };
    if (asJson) {
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      return;
    }
    console.log(
      `\ncardiac-mri DICOM decode, ${SIZE}×${SIZE} 16-bit slices, median of ${ROUNDS} passes (read + decode to modality values)`,
    );
    console.log(
      `${'path'.padEnd(52)}${'slices'.padStart(8)}${'slices/s'.padStart(11)}${'vs pydicom'.padStart(12)}`,
    );
    /** @param {string} label @param {number} count @param {number} rate @param {string} ratio */
    const row = (label, count, rate, ratio) =>
      console.log(
        `${label.padEnd(52)}${String(count).padStart(8)}${rate.toFixed(0).padStart(11)}${ratio.padStart(12)}`,
      );
    row(`pydicom ${pydicom.version} (uncompressed)`, uncompressed.length, pydicom.slicesPerSecond, '1.00');
    row(
      'sluice decodeDicom (uncompressed, readFileSync)',
      uncompressed.length,
      sluiceSyncRead.slicesPerSecond,
      figures.sluice.uncompressedSyncRead.ratioToPydicom.toFixed(2),
    );
    row(
      'sluice decodeDicom (uncompressed)',
      uncompressed.length,
      sluiceUncompressed.slicesPerSecond,
      figures.sluice.uncompressed.ratioToPydicom.toFixed(2),
    );
    row(
      'sluice decodeDicom (all, incl. JPEG-LS / JPEG lossless)',
      all.length,
      sluiceAll.slicesPerSecond,
      '-',
    );
    for (const [syntax, figure] of Object.entries(bySyntax)) {
      row(`  sluice, ${SYNTAX_NAMES[syntax]} only`, figure.slices, figure.slicesPerSecond, '-');
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
