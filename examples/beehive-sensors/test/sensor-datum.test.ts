import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSensorDatum } from '../lib/sensor-datum.js';

const HEADER = 'timestamp,temperature,humidity,weight,sound_level';
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A datum folder holding `files` (repo path -> content). */
async function datum(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'beehive-datum-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const day = (date: string): string => `${HEADER}\n${date}T00:00:00Z,35,60,40,60\n`;

describe('readSensorDatum', () => {
  it('reads only the latest days of the window and reports stray files', async () => {
    const dir = await datum({
      'hive-01/2026-06-01.csv': 'not even a header',
      'hive-01/2026-06-02.csv': day('2026-06-02'),
      'hive-01/2026-06-03.csv': day('2026-06-03'),
      'hive-01/notes.txt': 'checked the queen',
    });
    const data = await readSensorDatum(dir, 2);
    expect(data.sensor_id).toBe('hive-01');
    expect(data.days.map((entry) => entry.day)).toEqual(['2026-06-02', '2026-06-03']);
    expect(data.problems).toEqual([
      {
        file: 'hive-01/notes.txt',
        line: 0,
        found: 'a file that is not a daily sensor file',
        expected: '<sensor_id>/<YYYY-MM-DD>.csv',
      },
    ]);
    // The whole history is read without a window, and a broken old file fails the datum.
    await expect(readSensorDatum(dir)).rejects.toThrow(
      "hive-01/2026-06-01.csv:1: header 'not even a header' (missing timestamp, temperature, humidity, weight, sound_level; unknown 'not even a header')",
    );
  });

  it('refuses a datum that is not exactly one sensor folder', async () => {
    const two = await datum({ 'a/2026-06-01.csv': day('2026-06-01'), 'b/2026-06-01.csv': day('2026-06-01') });
    await expect(readSensorDatum(two)).rejects.toThrow(
      "the datum holds 2 sensors (a, b); expected one folder <sensor_id>/ (glob '/*' on the sensors repo)",
    );
    const none = await datum({ 'hive-01/readme.md': '#' });
    await expect(readSensorDatum(none)).rejects.toThrow(
      'sensor hive-01: no daily file; expected hive-01/<YYYY-MM-DD>.csv',
    );
  });
});
