/** A pipeline's triggers as small chips (`commit: sensors`, `cron: 0 16 * * *`, `manual`). */
import { Clock, GitCommitHorizontal, Hand, Link2 } from 'lucide-react';
import { triggerLabels } from './triggers';
import type { PipelineTrigger } from './types';

function icon(label: string) {
  if (label.startsWith('cron')) return Clock;
  if (label.startsWith('after')) return Link2;
  if (label.startsWith('commit')) return GitCommitHorizontal;
  return Hand;
}

export function TriggerChips({
  triggers,
  inputRepos,
  wrap = true,
}: {
  triggers: readonly PipelineTrigger[];
  inputRepos: readonly string[];
  /** `false`: one line of at most two chips and a count (table rows); every label is in the title. */
  wrap?: boolean;
}) {
  const all = triggerLabels(triggers, inputRepos);
  // NOTE: in one line, `manual` (true of every pipeline) gives way to the others.
  const declared = all.length > 1 ? all.slice(0, -1) : all;
  const labels = wrap ? all : declared.slice(0, 2);
  const more = wrap ? 0 : declared.length - labels.length;
  return (
    <span
      className={`flex min-w-0 gap-1 ${wrap ? 'flex-wrap' : 'items-center overflow-hidden'}`}
      title={wrap ? undefined : all.join('\n')}
    >
      {labels.map((label) => {
        const Icon = icon(label);
        return (
          <span
            key={label}
            className="inline-flex max-w-full min-w-0 items-center gap-1 truncate rounded border border-line bg-sunken px-1.5 py-0.5 font-mono text-[11px] text-muted"
            title={label}
          >
            <Icon className="size-3 shrink-0" aria-hidden />
            <span className="truncate">{label}</span>
          </span>
        );
      })}
      {more > 0 && <span className="shrink-0 px-1 text-xs text-muted">+{more}</span>}
    </span>
  );
}
