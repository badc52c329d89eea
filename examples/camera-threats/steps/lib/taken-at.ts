/**
 * When a frame was taken, read from its file name.
 *
 * Rule: the file name (without extension) holds one timestamp `YYYY-MM-DDTHH-MM-SS`
 * (dashes instead of colons, so it is a valid file name everywhere), either alone
 * (`2026-11-24T22-15-00.jpg`) or with other text around it that is not a digit
 * (`front-2026-11-24T22-15-00.jpg`). It is the camera's local wall-clock time and has no
 * zone, so `taken_at` is an ISO 8601 local date-time without offset: `2026-11-24T22:15:00`.
 * A frame cut from a video by `extract_frames` (`clip-2026-11-24T22-15-00-t00005.jpg`) gets
 * the clip's timestamp plus its offset in seconds. No timestamp, more than one, or an
 * impossible date (2026-02-30) gives `null`: rules with `hours` then never match the frame.
 */

const STAMP = /(?<!\d)(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})(?!\d)/g;
const OFFSET = /^-t(\d+)(?!\d)/;

/** The local date-time a frame was taken, from its file name; `null` when the name holds none. */
export function takenAtFromFileName(fileName: string): string | null {
  const stem = fileName.replace(/\.[^.]*$/, '');
  const matches = [...stem.matchAll(STAMP)];
  if (matches.length !== 1) return null;
  const match = matches[0] as RegExpMatchArray;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const stamp = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const exact =
    stamp.getUTCFullYear() === year &&
    stamp.getUTCMonth() === month - 1 &&
    stamp.getUTCDate() === day &&
    stamp.getUTCHours() === hour &&
    stamp.getUTCMinutes() === minute &&
    stamp.getUTCSeconds() === second;
  if (!exact) return null;
  const offset = OFFSET.exec(stem.slice((match.index ?? 0) + match[0].length));
  if (offset) stamp.setUTCSeconds(stamp.getUTCSeconds() + Number(offset[1]));
  // UTC is only the arithmetic here: the digits stay the camera's local clock.
  return stamp.toISOString().slice(0, 19);
}
