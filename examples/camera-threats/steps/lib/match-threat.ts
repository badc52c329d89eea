/**
 * Deciding whether a frame's detections are a threat: the matching rule of the highest
 * severity wins, then the detection of the highest score, then the rule listed first.
 */
import type { Detection } from './detection.js';
import { inHours, SEVERITIES, type Channel, type Rule, type Severity } from './rules.js';

/** The frame facts rules look at (a subset of validate's `frame`). */
export interface FrameFacts {
  path: string;
  device: string;
  taken_at: string | null;
}

/** A threat: the rule that matched and the detection that matched it. */
export interface Threat {
  device: string;
  /** The frame's repo path. */
  frame: string;
  rule: string;
  label: string;
  score: number;
  severity: Severity;
  box: [number, number, number, number];
  notify: Channel[];
  taken_at: string | null;
}

const LOCAL_HOUR = /T(\d{2}):/;

/** The hour of the camera's local clock written in `taken_at`, or null. */
export function localHour(takenAt: string | null): number | null {
  const match = takenAt === null ? null : LOCAL_HOUR.exec(takenAt);
  return match ? Number(match[1]) : null;
}

/** Whether `rule` matches `detection` on `frame`. */
export function ruleMatches(rule: Rule, detection: Detection, frame: FrameFacts): boolean {
  if (rule.devices !== '*' && !rule.devices.includes(frame.device)) return false;
  if (rule.labels !== '*' && !rule.labels.includes(detection.label)) return false;
  if (rule.min_score !== null && detection.score < rule.min_score) return false;
  if (rule.hours !== null) {
    const hour = localHour(frame.taken_at);
    if (hour === null || !inHours(rule.hours, hour)) return false;
  }
  return true;
}

/** The threat the detections on `frame` amount to under `rules`, or null. */
export function matchThreat(detections: Detection[], frame: FrameFacts, rules: Rule[]): Threat | null {
  let best: { rule: Rule; detection: Detection; rank: number } | null = null;
  for (const rule of rules) {
    const rank = SEVERITIES.indexOf(rule.severity);
    for (const detection of detections) {
      if (!ruleMatches(rule, detection, frame)) continue;
      // Strictly better only: on a tie the earlier rule (and detection) stays.
      if (best === null || rank > best.rank || (rank === best.rank && detection.score > best.detection.score))
        best = { rule, detection, rank };
    }
  }
  if (best === null) return null;
  const { rule, detection } = best;
  return {
    device: frame.device,
    frame: frame.path,
    rule: rule.name,
    label: detection.label,
    score: detection.score,
    severity: rule.severity,
    box: detection.box,
    notify: rule.notify,
    taken_at: frame.taken_at,
  };
}
