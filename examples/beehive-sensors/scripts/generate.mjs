#!/usr/bin/env node
/**
 * Generates the beehive sensor data: one folder per sensor, one CSV per day
 * (`<sensor_id>/<YYYY-MM-DD>.csv`, columns timestamp,temperature,humidity,weight,sound_level,
 * a reading every 10 minutes), seeded so the same options give byte-identical files. Day d
 * of sensor s is the same whether generated alone or with others.
 *
 * Three hive behaviours, so that clustering has something to find (sensor i has behaviour
 * i mod 3):
 * - `healthy`: brood nest held at ~35 °C whatever the weather, weight rising with nectar
 *   (a dip each morning as foragers leave), a steady hum.
 * - `weak`: temperature follows the outside air, damp, weight falling, quiet.
 * - `swarming`: warm and loud, the hum rising day by day, weight falling fast.
 *
 * About 2 % of cells are empty (missing values), and three lines are malformed on purpose
 * (returned in `malformed`, with the line number): `hive-03` day 2 line 41 has a column
 * too few, `hive-07` day 4 line 101 a non-numeric temperature, `hive-10` day 6 line 77 an
 * impossible timestamp.
 *
 * Usage: node examples/beehive-sensors/scripts/generate.mjs [folder] [--sensors 12]
 *          [--days 7] [--start 2026-06-01] [--seed 1] [--only hive-05] [--clean]
 *        (default folder: ./sensors; --only: just those sensors, repeatable; --clean: no
 *        malformed lines)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The behaviours, by sensor index mod 3. */
export const BEHAVIOURS = /** @type {const} */ (['healthy', 'weak', 'swarming']);
/** The day the trends (weight, hum) count from: changing `start` keeps day d's data. */
export const ORIGIN = '2026-06-01';
const HEADER = 'timestamp,temperature,humidity,weight,sound_level';
const STEP_MINUTES = 10;
const DAY_MS = 86_400_000;

/** The lines broken on purpose: sensor index, day since ORIGIN, 1-based line, kind. */
const MALFORMED = /** @type {const} */ ([
  { sensor: 2, day: 1, line: 41, kind: 'wrong column count' },
  { sensor: 6, day: 3, line: 101, kind: 'non-numeric value' },
  { sensor: 9, day: 5, line: 77, kind: 'bad timestamp' },
]);

/** @param {number} index */
export function sensorId(index) {
  return `hive-${String(index + 1).padStart(2, '0')}`;
}

/** A seeded generator of uniform numbers in [0, 1) (mulberry32). @param {number} seed */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). @param {() => number} next */
function gaussian(next) {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** @param {string} day @param {number} offset */
function addDays(day, offset) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + offset * DAY_MS).toISOString().slice(0, 10);
}

/**
 * One day of one sensor, as CSV text and the lines broken on purpose.
 *
 * @param {number} index the sensor's index (behaviour index mod 3)
 * @param {string} day YYYY-MM-DD
 * @param {{ seed: number, malformed: boolean, missingRate: number }} options
 */
export function sensorDay(index, day, options) {
  const dayNumber = Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${ORIGIN}T00:00:00Z`)) / DAY_MS);
  // Per-hive constants come from a generator seeded by the hive alone; the day's noise from one
  // seeded by the hive and the day, so any day can be generated on its own.
  const hive = random(options.seed * 7919 + index * 104729 + 1);
  const baseWeight = 30 + hive() * 20;
  const warmth = hive() * 1.2 - 0.6;
  const next = random(options.seed * 7919 + index * 104729 + (dayNumber + 1000) * 15485863);
  const behaviour = BEHAVIOURS[index % BEHAVIOURS.length];
  const weather = 3 * Math.sin(dayNumber * 1.3 + index);
  const lines = [HEADER];
  const start = Date.parse(`${day}T00:00:00Z`);
  for (let minute = 0; minute < 24 * 60; minute += STEP_MINUTES) {
    const hour = minute / 60;
    const t = dayNumber + hour / 24;
    const sun = Math.sin((2 * Math.PI * (hour - 9)) / 24); // peaks mid-afternoon
    const daylight = Math.max(0, Math.sin((Math.PI * (hour - 6)) / 14)); // 06:00 to 20:00
    const ambient = 19 + weather + 7 * sun + gaussian(next) * 0.4;
    let temperature;
    let humidity;
    let weight;
    let sound;
    if (behaviour === 'healthy') {
      temperature = 34.8 + warmth * 0.3 + 0.3 * sun + gaussian(next) * 0.15;
      humidity = 58 - 3 * sun + gaussian(next) * 1;
      const foraging = hour >= 7 && hour < 11 ? -0.6 * Math.sin((Math.PI * (hour - 7)) / 4) : 0;
      weight = baseWeight + 0.35 * t + foraging + gaussian(next) * 0.03;
      sound = 60 + 6 * daylight + gaussian(next) * 1.5;
    } else if (behaviour === 'weak') {
      temperature = ambient + 5 + warmth + gaussian(next) * 0.5;
      humidity = 74 - 6 * sun + gaussian(next) * 2.5;
      weight = baseWeight * 0.7 - 0.15 * t + gaussian(next) * 0.04;
      sound = 47 + 3 * daylight + gaussian(next) * 2;
    } else {
      temperature = 36.3 + warmth * 0.3 + 0.6 * sun + gaussian(next) * 0.3;
      humidity = 51 - 2 * sun + gaussian(next) * 2;
      weight = baseWeight - 0.45 * t + gaussian(next) * 0.08;
      sound = 70 + 1.2 * Math.min(t, 40) + 8 * daylight + gaussian(next) * 3;
    }
    const cell = (/** @type {number} */ value, /** @type {number} */ digits) =>
      next() < options.missingRate ? '' : value.toFixed(digits);
    const time = new Date(start + minute * 60_000).toISOString().replace('.000Z', 'Z');
    lines.push([time, cell(temperature, 2), cell(humidity, 1), cell(weight, 3), cell(sound, 1)].join(','));
  }
  /** @type {{ line: number, kind: string }[]} */
  const broken = [];
  if (options.malformed) {
    for (const entry of MALFORMED) {
      if (entry.sensor !== index || entry.day !== dayNumber) continue;
      const fields = (lines[entry.line - 1] ?? '').split(',');
      if (entry.kind === 'wrong column count') fields.splice(3, 1);
      if (entry.kind === 'non-numeric value') fields[1] = 'err';
      if (entry.kind === 'bad timestamp') fields[0] = `${day}T25:70:00Z`;
      lines[entry.line - 1] = fields.join(',');
      broken.push({ line: entry.line, kind: entry.kind });
    }
  }
  return { text: `${lines.join('\n')}\n`, broken };
}

/**
 * Writes the sensor files under `dir`.
 *
 * @param {string} dir
 * @param {{ sensors?: number, days?: number, start?: string, seed?: number, only?: string[],
 *   malformed?: boolean, missingRate?: number }} [options]
 * @returns {Promise<{ files: string[], malformed: { file: string, line: number, kind: string }[],
 *   behaviours: Record<string, string> }>} repo paths written, lines broken on purpose, each
 *   sensor's behaviour
 */
export async function generateSensors(dir, options = {}) {
  const {
    sensors = 12,
    days = 7,
    start = ORIGIN,
    seed = 1,
    only,
    malformed = true,
    missingRate = 0.02,
  } = options;
  /** @type {string[]} */
  const files = [];
  /** @type {{ file: string, line: number, kind: string }[]} */
  const broken = [];
  /** @type {Record<string, string>} */
  const behaviours = {};
  for (let index = 0; index < sensors; index += 1) {
    const id = sensorId(index);
    if (only && !only.includes(id)) continue;
    behaviours[id] = BEHAVIOURS[index % BEHAVIOURS.length] ?? '';
    await mkdir(join(dir, id), { recursive: true });
    for (let offset = 0; offset < days; offset += 1) {
      const day = addDays(start, offset);
      const file = `${id}/${day}.csv`;
      const { text, broken: lines } = sensorDay(index, day, { seed, malformed, missingRate });
      await writeFile(join(dir, file), text);
      files.push(file);
      for (const line of lines) broken.push({ file, ...line });
    }
  }
  return { files, malformed: broken, behaviours };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  /** @type {Parameters<typeof generateSensors>[1] & { only: string[] }} */
  const options = { only: [] };
  let dir = 'sensors';
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const value = () => {
      const next = args[(i += 1)];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    const integer = () => {
      const text = value();
      if (!/^\d+$/.test(text)) throw new Error(`${arg} ${text}: expected a whole number`);
      return Number(text);
    };
    if (arg === '--sensors') options.sensors = integer();
    else if (arg === '--days') options.days = integer();
    else if (arg === '--seed') options.seed = integer();
    else if (arg === '--start') {
      options.start = value();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(options.start))
        throw new Error(`--start ${options.start}: expected YYYY-MM-DD`);
    } else if (arg === '--only') options.only.push(value());
    else if (arg === '--clean') options.malformed = false;
    else if (arg.startsWith('-'))
      throw new Error(`unknown option ${arg}; see the usage at the top of generate.mjs`);
    else dir = arg;
  }
  const result = await generateSensors(resolve(dir), {
    ...options,
    ...(options.only.length > 0 ? {} : { only: undefined }),
  });
  console.log(`${result.files.length} files for ${Object.keys(result.behaviours).length} sensors in ${dir}`);
  for (const entry of result.malformed)
    console.log(`  malformed on purpose: ${entry.file}:${entry.line} (${entry.kind})`);
}
