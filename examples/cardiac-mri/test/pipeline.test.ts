/**
 * The cardiac-mri pipeline on a generated Sunnybrook-shaped set with every kind of defect:
 * each (image, mask) datapoint pairs a slice with its own contour (the mask sits on the
 * slice's bright blood pool), every defect is reported once with its file and reason, and
 * the datapoints serve as training batches of 8.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeArrays } from '../../../src/batches/arrays.js';
import { openBatches } from '../../../src/batches/client.js';
import { compileConfig } from '../../../src/cli/config.js';
import { openLocalWorkspace } from '../../../src/cli/workspace.js';
import { sluice } from '../../../test/helpers.js';
import { decodeDicom } from '../lib/dicom.js';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));

interface Slice {
  file: string;
  n: number;
  contour: boolean;
  pool: { x: number; y: number; rx: number; ry: number };
}
interface Truth {
  patients: { patient_id: string; original_id: string; slices: Slice[] }[];
  defects: { file: string; kind: string; line?: number; patient_id?: string }[];
}

let root = '';
let truth: Truth;
const env = (): Record<string, string> => ({ SLUICE_HOME: join(root, '.sluice') });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cardiac-mri-'));
  await run('/usr/bin/python3', [
    join(EXAMPLE, 'scripts', 'generate.py'),
    join(root, 'data'),
    ...['--patients', '3', '--slices', '10', '--size', '128', '--seed', '5', '--compressed', '--defects'],
  ]);
  truth = JSON.parse(await readFile(join(root, 'data', 'truth.json'), 'utf8')) as Truth;
  for (const args of [
    ['repo', 'create', 'sunnybrook'],
    ['put', 'sunnybrook', join(root, 'data'), '-q', '--no-trigger'],
  ]) {
    const result = await sluice(args, root, env());
    expect(result.code, result.stderr).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('cardiac-mri', () => {
  it('pairs each slice with its own contour and reports every defect', async () => {
    const result = await sluice(['run', join(EXAMPLE, 'pipeline.yaml'), '--json'], root, env());
    expect(result.code, result.stderr).toBe(0);
    const summary = (JSON.parse(result.stdout) as { outputs: { summary: SummaryOutput } }).outputs.summary;

    // Every planted defect is reported with its file (and line), and nothing else is.
    const reasons = new Map(summary.skipped.map((item) => [item.file, item.reason]));
    const expected = truth.defects.map((defect) => {
      switch (defect.kind) {
        case 'truncated':
          return [defect.file, /truncated/];
        case 'no-preamble':
          return [defect.file, /no 'DICM' at byte 128/];
        case 'contour-odd-coordinates':
          return [`${defect.file}:${defect.line}`, /expected two numbers 'x y', found 1 field/];
        case 'contour-too-few-points':
          return [defect.file, /at least 3 points.*found 2/];
        case 'contour-without-slice':
          return [defect.file, /outlines slice 999, but dicoms\/.*\/999\.dcm does not exist/];
        case 'link-missing-patient':
          return [
            expect.stringMatching(/^link\.csv:\d+$/),
            new RegExp(`patient folder dicoms/${defect.patient_id}`),
          ];
        default:
          throw new Error(`unexpected defect kind ${defect.kind}`);
      }
    });
    for (const [file, reason] of expected) {
      const found = summary.skipped.find(
        (item) =>
          (typeof file === 'string' ? item.file === file : file.asymmetricMatch(item.file)) &&
          (reason as RegExp).test(item.reason),
      );
      expect(
        found,
        `a report for ${String(file)} matching ${String(reason)} in ${JSON.stringify(summary.skipped, null, 1)}`,
      ).toBeDefined();
    }
    // The contours of undecodable slices are skipped too, saying why; nothing else is.
    const broken = new Set(
      truth.defects.filter((d) => d.kind === 'truncated' || d.kind === 'no-preamble').map((d) => d.file),
    );
    const other = summary.skipped.filter(
      (item) =>
        !expected.some(([file]) => (typeof file === 'string' ? item.file === file : false)) &&
        !item.file.startsWith('link.csv'),
    );
    for (const item of other) expect(item.reason, item.file).toMatch(/its slice (.*) could not be decoded/);
    expect(other).toHaveLength(
      truth.patients.flatMap((p) => p.slices).filter((s) => s.contour && broken.has(s.file)).length,
    );
    expect(reasons.size).toBe(summary.skipped.length);

    // Datapoints: one per contour whose slice and contour are sound.
    const spoiled = new Set(truth.defects.map((defect) => defect.file));
    const good = truth.patients.flatMap((patient) =>
      patient.slices
        .filter((slice) => slice.contour && !spoiled.has(slice.file))
        .filter(
          (slice) =>
            !truth.defects.some(
              (d) =>
                d.file.endsWith(`IM-0001-${String(slice.n).padStart(4, '0')}-icontour-manual.txt`) &&
                d.file.includes(`/${patient.original_id}/`),
            ),
        )
        .map((slice) => ({ patient: patient.patient_id, slice })),
    );
    expect(summary.datapoints).toBe(good.length);

    const workspace = await openLocalWorkspace(compileConfig({}, env(), root, false), 'test');
    try {
      const commit = await workspace.repos.resolveCommit('cardiac-mri');
      const files = await workspace.repos.files(commit, '/datapoints');
      expect(files.map((file) => file.path).sort()).toEqual(
        good
          .map(({ patient, slice }) => `/datapoints/${patient}/${String(slice.n).padStart(4, '0')}.arrays`)
          .sort(),
      );
      for (const { patient, slice } of good) {
        const path = `/datapoints/${patient}/${String(slice.n).padStart(4, '0')}.arrays`;
        const file = files.find((entry) => entry.path === path)!;
        const { meta, arrays } = decodeArrays(await workspace.objects.get(file.hash), path);
        expect(meta).toMatchObject({ patient_id: patient, slice: slice.n, dicom: slice.file });
        const image = arrays.image!.data as Float32Array;
        const mask = arrays.mask!.data as Uint8Array;
        expect(arrays.image!.shape).toEqual([128, 128]);
        // The image is the slice's own pixels (the contour's slice, not a neighbour).
        const own = await decodeDicom(await readFile(join(root, 'data', slice.file)), slice.file);
        expect(
          image.every((value, index) => value === own.pixels[index]),
          `${path} pixels`,
        ).toBe(true);
        // The mask's centroid is the slice's blood pool centre, and the pool is what it covers.
        let area = 0;
        let cx = 0;
        let cy = 0;
        let inside = 0;
        let outside = 0;
        for (let index = 0; index < mask.length; index++) {
          const x = index % 128;
          const y = Math.floor(index / 128);
          if (mask[index]) {
            area += 1;
            cx += x;
            cy += y;
            inside += image[index]!;
          } else outside += image[index]!;
        }
        cx /= area;
        cy /= area;
        expect(Math.hypot(cx - slice.pool.x, cy - slice.pool.y), `${path} centroid`).toBeLessThan(1.5);
        expect(Math.abs(area - Math.PI * slice.pool.rx * slice.pool.ry) / area, `${path} area`).toBeLessThan(
          0.1,
        );
        expect(inside / area, `${path} brightness`).toBeGreaterThan((2 * outside) / (mask.length - area));
      }

      // The same datapoints as training batches of 8: every one once, arrays stacked.
      const session = await openBatches(
        { ...workspace, objectsDir: join(root, '.sluice', 'objects') },
        { repo: 'cardiac-mri', path: '/datapoints', size: 8, seed: 1, loaders: 2 },
      );
      const seen: string[] = [];
      try {
        for await (const batch of session) {
          expect(batch.arrays.image!.shape).toEqual([batch.paths.length, 128, 128]);
          expect(batch.arrays.mask!.dtype).toBe('uint8');
          seen.push(...batch.paths);
        }
      } finally {
        await session.close();
      }
      expect(seen.sort()).toEqual(files.map((file) => file.path).sort());
    } finally {
      await workspace.close();
    }
  });

  it('reports a patient without a link row and a link to a missing contour folder', async () => {
    const first = truth.patients[0]!;
    for (const patient of ['SCD0000777', 'SCD0000888'])
      await cp(join(root, 'data', 'dicoms', first.patient_id), join(root, 'more', 'dicoms', patient), {
        recursive: true,
      });
    const link = await readFile(join(root, 'data', 'link.csv'), 'utf8');
    await mkdir(join(root, 'more'), { recursive: true });
    await writeFile(join(root, 'more', 'link.csv'), `${link.trimEnd()}\nSCD0000888,SC-HF-I-88\n`);
    const put = await sluice(['put', 'sunnybrook', join(root, 'more'), '-q', '--no-trigger'], root, env());
    expect(put.code, put.stderr).toBe(0);
    const result = await sluice(['run', join(EXAMPLE, 'pipeline.yaml'), '--json'], root, env());
    expect(result.code, result.stderr).toBe(0);
    const summary = (JSON.parse(result.stdout) as { outputs: { summary: SummaryOutput } }).outputs.summary;
    const line = link.trimEnd().split('\n').length + 1;
    expect(summary.skipped).toEqual(
      expect.arrayContaining([
        {
          file: 'dicoms/SCD0000777',
          reason: 'link.csv has no row for this patient folder: no contours to pair',
        },
        {
          file: `link.csv:${line}`,
          reason: 'names contour folder contourfiles/SC-HF-I-88, which does not exist',
        },
      ]),
    );
    expect(summary.patients).toBe(truth.patients.length + 2);
  });

  it('trains a PyTorch step on random batches read through the run', async () => {
    const result = await sluice(
      ['run', join(EXAMPLE, 'train.yaml'), '-p', 'epochs=6', '-p', 'batch_size=4', '--json'],
      root,
      env(),
    );
    expect(result.code, result.stderr).toBe(0);
    const outputs = (JSON.parse(result.stdout) as { outputs: Record<string, number> }).outputs;
    const count = outputs.datapoints! / 6;
    expect(outputs.batches).toBe(6 * Math.ceil(count / 4));
    expect(Number.isInteger(count) && count > 10).toBe(true);
    // It learns: the last epoch's loss is below the first's, and it finds the blood pool.
    expect(outputs.loss).toBeLessThan(outputs.first_epoch_loss!);
    expect(outputs.dice).toBeGreaterThan(0.3);
    const model = await sluice(['models', 'show', 'cardiac-segmenter:1', '--json'], root, env());
    expect(model.code, model.stderr).toBe(0);
    expect(model.stdout).toContain('segmenter.pt');
  }, 120_000);
});

interface SummaryOutput {
  patients: number;
  datapoints: number;
  skipped: { file: string; reason: string }[];
}
