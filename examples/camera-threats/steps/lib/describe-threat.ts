/** How a threat reads in a notification. */
import type { Threat } from './match-threat.js';

/** `[high] person on cam3 (person-at-night-cam3)` */
export function threatSubject(threat: Threat): string {
  return `[${threat.severity}] ${threat.label} on ${threat.device} (${threat.rule})`;
}

/** A plain-text account of the threat, one fact a line. */
export function threatText(threat: Threat): string {
  const [x, y, width, height] = threat.box;
  return [
    `Rule ${threat.rule} (severity ${threat.severity}) matched a frame of camera ${threat.device}.`,
    '',
    `Frame:     ${threat.frame}`,
    `Taken at:  ${threat.taken_at ?? 'unknown'} (camera local time)`,
    `Detected:  ${threat.label}, score ${threat.score.toFixed(3)}`,
    `Box:       x ${x}, y ${y}, ${width}x${height} pixels`,
    '',
    'The frame is attached.',
  ].join('\n');
}

/** A URL fit for messages: its password, if any, replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
