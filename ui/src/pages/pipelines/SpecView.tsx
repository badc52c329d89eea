/** A pipeline's Spec tab: the spec file as written, or the compiled spec as JSON. */
import { useState } from 'react';
import { Panel } from '../../components/Page';
import { EmptyState } from '../../components/States';
import { CodeBlock } from './CodeBlock';
import type { PipelineDetail } from './types';

type View = 'source' | 'compiled';

export function SpecView({ detail }: { detail: PipelineDetail }) {
  const [view, setView] = useState<View>(detail.source !== null ? 'source' : 'compiled');
  const choice = (id: View, label: string) => (
    <button
      type="button"
      aria-pressed={view === id}
      onClick={() => setView(id)}
      className={`rounded px-2 py-1 text-xs font-medium ${view === id ? 'bg-accent/15 text-accent' : 'text-muted hover:bg-sunken hover:text-fg'}`}
    >
      {label}
    </button>
  );
  const text =
    view === 'source' ? detail.source : detail.definition ? JSON.stringify(detail.definition, null, 2) : null;
  return (
    <Panel
      title={
        <span className="font-mono text-sm font-normal break-all">
          {detail.pipeline.specFile ?? 'built in code'}
        </span>
      }
      actions={
        <span className="flex gap-1" role="group" aria-label="Spec view">
          {choice('source', 'As written')}
          {choice('compiled', 'Compiled (JSON)')}
        </span>
      }
    >
      {text === null ? (
        <EmptyState title="Nothing to show">
          {view === 'source' ? 'The spec file cannot be read by the server.' : 'The spec file does not load.'}
        </EmptyState>
      ) : (
        <CodeBlock text={text} label={view === 'source' ? 'Spec file' : 'Compiled spec'} />
      )}
    </Panel>
  );
}
