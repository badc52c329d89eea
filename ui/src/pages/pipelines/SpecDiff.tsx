/** Two texts as a unified line diff: removed lines tinted red, added ones green, with both line numbers. */
import { useMemo } from 'react';
import { diffLines } from './line-diff';

const TONE = {
  same: '',
  removed: 'bg-bad/10 text-bad',
  added: 'bg-ok/10 text-ok',
} as const;
const SIGN = { same: ' ', removed: '-', added: '+' } as const;

export function SpecDiff({ before, after }: { before: string; after: string }) {
  const lines = useMemo(() => diffLines(before, after), [before, after]);
  return (
    <pre
      className="max-h-[60vh] overflow-auto rounded-lg border border-line bg-sunken py-2 font-mono text-[13px] leading-5"
      aria-label="Spec diff"
      tabIndex={0}
    >
      {lines.map((line, index) => (
        <div
          key={index}
          className={`grid grid-cols-[3rem_3rem_1.5rem_1fr] ${TONE[line.kind]}`}
          data-diff={line.kind}
        >
          <span className="pr-2 text-right text-muted/70 select-none">{line.oldLine ?? ''}</span>
          <span className="pr-2 text-right text-muted/70 select-none">{line.newLine ?? ''}</span>
          <span className="select-none" aria-label={line.kind === 'same' ? undefined : line.kind}>
            {SIGN[line.kind]}
          </span>
          <span className="pr-4 whitespace-pre">{line.text}</span>
        </div>
      ))}
    </pre>
  );
}
