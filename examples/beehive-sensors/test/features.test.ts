import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, measureStats, sensorFeatures, type SensorDay } from '../lib/features.js';
import { fitFeatureModel, parseFeatureModel, standardise } from '../lib/feature-model.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const t0 = Date.UTC(2026, 5, 1);

function day(index: number, rows: (number | null)[][]): SensorDay {
  return {
    day: new Date(t0 + index * DAY).toISOString().slice(0, 10),
    readings: rows.map((values, row) => ({ time: t0 + index * DAY + row * HOUR, values })),
  };
}

describe('measureStats', () => {
  it('takes mean, population std, extremes and the least-squares slope per day', () => {
    // A value rising 1 per hour: 24 per day.
    const stats = measureStats([0, HOUR, 2 * HOUR, 3 * HOUR], [1, 2, 3, 4]);
    expect(stats.mean).toBe(2.5);
    expect(stats.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect([stats.min, stats.max, stats.count]).toEqual([1, 4, 4]);
    expect(stats.slope).toBeCloseTo(24, 9);
  });

  it('has no slope for a single time and nothing for no readings', () => {
    expect(measureStats([5], [3])).toMatchObject({ mean: 3, std: 0, slope: null });
    expect(measureStats([], [])).toEqual({
      mean: null,
      std: null,
      min: null,
      max: null,
      slope: null,
      count: 0,
    });
  });
});

describe('sensorFeatures', () => {
  it('makes one vector over the latest days, leaving missing values out', () => {
    const days = [
      day(0, [[99, 99, 99, 99]]), // outside the 2-day window
      day(2, [
        [34, 60, 40, null],
        [36, null, 41, 62],
      ]),
      day(1, [
        [35, 58, 39, 60],
        [35, 62, null, 64],
      ]),
    ];
    const features = sensorFeatures('hive-01', days, 2);
    expect(features).toMatchObject({
      first_day: '2026-06-02',
      last_day: '2026-06-03',
      days: 2,
      readings: 4,
      missing: 3,
    });
    const get = (name: string) => features.vector[FEATURE_NAMES.indexOf(name)];
    expect(get('temperature_mean')).toBe(35);
    expect(get('temperature_std')).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(get('temperature_daily_range')).toBe(1); // (0 + 2) / 2
    expect(get('humidity_mean')).toBe(60);
    expect(get('weight_min')).toBe(39);
    expect(get('sound_level_max')).toBe(64);
    expect(features.daily.map((summary) => summary.measures.temperature.mean)).toEqual([35, 35]);
    expect(FEATURE_NAMES).toHaveLength(24);
  });

  it('gives null for a measure that has no reading in the window', () => {
    const features = sensorFeatures('hive-02', [day(0, [[35, 60, 40, null]])]);
    expect(features.vector.slice(FEATURE_NAMES.indexOf('sound_level_mean'))).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('feature model', () => {
  it('standardises with the fitted means and stds and imputes missing features with the mean', () => {
    const model = fitFeatureModel(
      [
        [1, 10, 5],
        [3, null, 5],
      ],
      ['a', 'b', 'c'],
      7,
    );
    expect(model.means).toEqual([2, 10, 5]);
    expect(model.stds).toEqual([1, 1, 1]); // b: one value only; c: no spread
    expect(standardise(model, [3, null, 6])).toEqual({ values: [1, 0, 1], imputed: ['b'] });
    expect(parseFeatureModel(JSON.parse(JSON.stringify(model)), 'f.json')).toEqual(model);
  });

  it('refuses a damaged feature model file by field', () => {
    expect(() =>
      parseFeatureModel(
        { kind: 'beehive-feature-model', feature_names: ['a'], means: [0], stds: [0], window_days: 7 },
        'm.json',
      ),
    ).toThrow('m.json: stds: expected numbers > 0');
    expect(() => parseFeatureModel([], 'm.json')).toThrow(
      'm.json: kind is undefined; expected "beehive-feature-model"',
    );
  });
});
