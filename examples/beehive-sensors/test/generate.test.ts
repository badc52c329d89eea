import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSensors, sensorDay } from '../scripts/generate.mjs';
import { readSensorDatum } from '../lib/sensor-datum.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'beehive-generate-'));
  dirs.push(dir);
  return dir;
}

describe('generate.mjs', () => {
  it('writes the same bytes for a day whether generated alone or with the week', async () => {
    const week = await temp();
    const alone = await temp();
    await generateSensors(week, { sensors: 6, days: 7 });
    await generateSensors(alone, { sensors: 6, start: '2026-06-04', days: 1, only: ['hive-05'] });
    const path = join('hive-05', '2026-06-04.csv');
    expect(await readFile(join(alone, path), 'utf8')).toBe(await readFile(join(week, path), 'utf8'));
    const other = sensorDay(4, '2026-06-04', { seed: 2, malformed: false, missingRate: 0.02 });
    expect(other.text).not.toBe(await readFile(join(week, path), 'utf8'));
  });

  it('breaks exactly the lines it says it breaks, and the parser finds exactly those', async () => {
    const dir = await temp();
    const { malformed } = await generateSensors(dir, { sensors: 12, days: 7 });
    const found = [];
    for (const sensor of ['hive-03', 'hive-07', 'hive-10']) {
      const datum = await temp();
      await generateSensors(datum, { sensors: 12, days: 7, only: [sensor] });
      const data = await readSensorDatum(datum);
      found.push(...data.problems.map((problem) => ({ file: problem.file, line: problem.line })));
      expect(data.days).toHaveLength(7);
      expect(data.missing).toBeGreaterThan(0);
    }
    expect(found).toEqual(malformed.map(({ file, line }) => ({ file, line })));
  });
});
