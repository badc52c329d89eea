/**
 * A line diff (longest common subsequence), enough for pipeline specs of a few hundred
 * lines: the table is `a.length * b.length` cells, so inputs are capped and larger ones
 * fall back to showing every line as removed and added.
 */

/** One line of a diff: kept, only in the old text, or only in the new one. */
export interface DiffLine {
  kind: 'same' | 'removed' | 'added';
  text: string;
  /** Line number in the old text (same, removed) and in the new text (same, added). */
  oldLine?: number;
  newLine?: number;
}

const MAX_CELLS = 4_000_000;

/** The lines of `before` and `after` as a unified diff, in order. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > MAX_CELLS) {
    return [
      ...a.map((text, i): DiffLine => ({ kind: 'removed', text, oldLine: i + 1 })),
      ...b.map((text, j): DiffLine => ({ kind: 'added', text, newLine: j + 1 })),
    ];
  }
  const width = b.length + 1;
  // NOTE: common[i * width + j] = length of the LCS of a[i..] and b[j..].
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      common[i * width + j] =
        a[i] === b[j]
          ? common[(i + 1) * width + j + 1]! + 1
          : Math.max(common[(i + 1) * width + j]!, common[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i]!, oldLine: i + 1, newLine: j + 1 });
      i += 1;
      j += 1;
    } else if (
      j < b.length &&
      (i === a.length || common[i * width + j + 1]! >= common[(i + 1) * width + j]!)
    ) {
      lines.push({ kind: 'added', text: b[j]!, newLine: j + 1 });
      j += 1;
    } else {
      lines.push({ kind: 'removed', text: a[i]!, oldLine: i + 1 });
      i += 1;
    }
  }
  return lines;
}
