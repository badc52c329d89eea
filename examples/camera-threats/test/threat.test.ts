import { describe, expect, it } from 'vitest';
import threat from '../steps/threat.js';
import type { Detection } from '../steps/lib/detection.js';
import { matchThreat, type FrameFacts } from '../steps/lib/match-threat.js';
import { inHours, parseRules } from '../steps/lib/rules.js';
import { fakeContext } from './fake-context.js';

const RULES = parseRules(
  `
rules:
  - name: person-at-night-cam3
    devices: [cam3]
    labels: [person]
    min_score: 0.6
    hours: "20-6"
    severity: high
    notify: [email, webhook]
  - name: person-any-camera
    labels: [person]
    severity: low
    notify: [webhook]
  - name: dog-in-garden
    devices: [cam3]
    labels: [dog]
    severity: medium
`,
  'rules.yaml',
);

const person = (score: number): Detection => ({ label: 'person', score, box: [10, 20, 30, 40] });
const dog: Detection = { label: 'dog', score: 0.55, box: [1, 2, 3, 4] };
const frame = (device: string, taken_at: string | null): FrameFacts => ({
  path: `${device}/frame.jpg`,
  device,
  taken_at,
});

describe('matchThreat', () => {
  it('picks the high-severity night rule for a person on cam3 at night', () => {
    expect(matchThreat([person(0.7)], frame('cam3', '2026-11-24T22:15:00'), RULES)).toEqual({
      device: 'cam3',
      frame: 'cam3/frame.jpg',
      rule: 'person-at-night-cam3',
      label: 'person',
      score: 0.7,
      severity: 'high',
      box: [10, 20, 30, 40],
      notify: ['email', 'webhook'],
      taken_at: '2026-11-24T22:15:00',
    });
  });

  it('falls back to a lower severity by day, on another camera, below min_score or without a time', () => {
    const rule = (detections: Detection[], facts: FrameFacts) => matchThreat(detections, facts, RULES)?.rule;
    expect(rule([person(0.7)], frame('cam3', '2026-11-24T12:00:00'))).toBe('person-any-camera');
    expect(rule([person(0.7)], frame('cam1', '2026-11-24T22:15:00'))).toBe('person-any-camera');
    expect(rule([person(0.59)], frame('cam3', '2026-11-24T22:15:00'))).toBe('person-any-camera');
    expect(rule([person(0.7)], frame('cam3', null))).toBe('person-any-camera');
  });

  it('ranks severity above score, then score, and returns null when nothing matches', () => {
    const found = matchThreat([person(0.9), dog], frame('cam3', '2026-11-24T12:00:00'), RULES);
    expect(found).toMatchObject({ rule: 'dog-in-garden', label: 'dog', severity: 'medium' });
    const best = matchThreat([person(0.65), person(0.8)], frame('cam3', '2026-11-24T05:59:59'), RULES);
    expect(best).toMatchObject({ rule: 'person-at-night-cam3', score: 0.8 });
    expect(matchThreat([{ ...dog, label: 'cat' }], frame('cam3', null), RULES)).toBeNull();
    expect(matchThreat([], frame('cam3', null), RULES)).toBeNull();
  });

  it('treats hour windows as [from, to), wrapping past midnight', () => {
    const night = { start: 20, end: 6 };
    expect([19, 20, 23, 0, 5, 6].map((hour) => inHours(night, hour))).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
    ]);
    const day = { start: 8, end: 17 };
    expect([7, 8, 16, 17].map((hour) => inHours(day, hour))).toEqual([false, true, true, false]);
    expect(inHours({ start: 0, end: 24 }, 23)).toBe(true);
  });
});

describe('threat step', () => {
  it('returns the threat or null', async () => {
    const night = frame('cam3', '2026-11-24T23:00:00');
    const found = await threat(fakeContext({ detections: [person(0.8)], frame: night, rules: RULES }));
    expect(found.threat?.rule).toBe('person-at-night-cam3');
    expect(await threat(fakeContext({ detections: [], frame: night, rules: RULES }))).toEqual({
      threat: null,
    });
  });
});
