/** Monospace text with line numbers; YAML keys and comments are tinted so a spec reads easily. */
import type { ReactNode } from 'react';

function tint(line: string): ReactNode {
  const comment = /^(\s*)(#.*)$/.exec(line);
  if (comment)
    return (
      <>
        {comment[1]}
        <span className="text-muted italic">{comment[2]}</span>
      </>
    );
  const key = /^(\s*(?:- )?)("?[\w.-]+"?)(:)(.*)$/.exec(line);
  if (key)
    return (
      <>
        {key[1]}
        <span className="text-accent">{key[2]}</span>
        {key[3]}
        {key[4]}
      </>
    );
  return line;
}

export function CodeBlock({ text, label }: { text: string; label: string }) {
  const lines = text.replace(/\n$/, '').split('\n');
  return (
    <pre
      className="max-h-[70vh] overflow-auto rounded-lg border border-line bg-sunken py-3 font-mono text-[13px] leading-5"
      aria-label={label}
      tabIndex={0}
    >
      <code className="grid grid-cols-[max-content_1fr]">
        {lines.map((line, index) => (
          <span key={index} className="contents">
            <span className="pr-4 pl-3 text-right text-muted/70 select-none" aria-hidden>
              {index + 1}
            </span>
            <span className="pr-4 whitespace-pre">{tint(line)}</span>
          </span>
        ))}
      </code>
    </pre>
  );
}
