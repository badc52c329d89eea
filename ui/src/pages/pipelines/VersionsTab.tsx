/**
 * A pipeline's Versions tab: every registered version, and what changed between a chosen
 * version (`?version=`) and the one before it: steps added, removed or changed (by their step
 * versions) and a line diff of the registered spec.
 */
import { useSearchParams } from 'react-router';
import type { Pipeline } from '../../api/types';
import { Panel } from '../../components/Page';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatAgo, formatTime } from '../../lib/format';
import { CodeBlock } from './CodeBlock';
import { SpecDiff } from './SpecDiff';

/** The step versions a registered spec records, by step name. */
function stepVersions(spec: unknown): Record<string, string> {
  const steps = (spec as { steps?: unknown } | null)?.steps;
  return steps && typeof steps === 'object' ? (steps as Record<string, string>) : {};
}

/** A registered spec as text: its source when recorded, else its JSON. */
function specText(spec: unknown): string {
  const source = (spec as { source?: unknown } | null)?.source;
  return typeof source === 'string' ? source : JSON.stringify(spec, null, 2);
}

function StepChanges({ before, after }: { before: unknown; after: unknown }) {
  const old = stepVersions(before);
  const now = stepVersions(after);
  const added = Object.keys(now).filter((step) => !(step in old));
  const removed = Object.keys(old).filter((step) => !(step in now));
  const changed = Object.keys(now).filter((step) => step in old && old[step] !== now[step]);
  const group = (label: string, steps: string[], tone: string) =>
    steps.length > 0 && (
      <span className="flex flex-wrap items-center gap-1">
        <span className="text-muted">{label}:</span>
        {steps.map((step) => (
          <span key={step} className={`rounded px-1.5 py-0.5 font-mono text-xs ${tone}`}>
            {step}
          </span>
        ))}
      </span>
    );
  if (added.length + removed.length + changed.length === 0)
    return <p className="text-sm text-muted">No step changed (the spec file or outputs did).</p>;
  return (
    <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
      {group('changed', changed, 'bg-warn/15 text-warn')}
      {group('added', added, 'bg-ok/15 text-ok')}
      {group('removed', removed, 'bg-bad/15 text-bad')}
    </div>
  );
}

export function VersionsTab({ versions }: { versions: readonly Pipeline[] }) {
  const [search] = useSearchParams();
  const chosen = Number(search.get('version') ?? versions[0]?.version);
  const index = Math.max(
    0,
    versions.findIndex((version) => version.version === chosen),
  );
  const current = versions[index];
  const previous = versions[index + 1];
  const columns: Column<Pipeline>[] = [
    {
      id: 'version',
      header: 'Version',
      width: '6rem',
      cell: (version) => (
        <span className="flex items-center gap-1.5 font-mono">
          <span
            className={`size-2 rounded-full ${version.version === current?.version ? 'bg-accent' : 'bg-transparent'}`}
            aria-hidden
          />
          v{version.version}
        </span>
      ),
    },
    {
      id: 'hash',
      header: 'Pipeline version',
      width: '10rem',
      cell: (version) => (
        <span className="font-mono text-xs" title={version.pipelineVersion}>
          {version.pipelineVersion.slice(0, 12)}
        </span>
      ),
    },
    {
      id: 'created',
      header: 'Registered',
      width: '12rem',
      cell: (version) => <span title={formatAgo(version.createdAt)}>{formatTime(version.createdAt)}</span>,
    },
    {
      id: 'file',
      header: 'Spec file',
      width: 'minmax(12rem, 1fr)',
      cell: (version) => <span className="font-mono text-xs">{version.specFile ?? '(code)'}</span>,
    },
  ];
  return (
    <div className="flex flex-col gap-4">
      <VirtualTable
        label="Versions"
        rows={versions}
        columns={columns}
        rowKey={(version) => String(version.version)}
        rowHref={(version) => `?tab=versions&version=${version.version}`}
        maxHeight="40vh"
      />
      {current && (
        <Panel
          title={
            previous ? (
              <>
                Changes in v{current.version}{' '}
                <span className="font-normal text-muted">since v{previous.version}</span>
              </>
            ) : (
              <>v{current.version}: the first version</>
            )
          }
        >
          {previous && (
            <div className="mb-3">
              <StepChanges before={previous.spec} after={current.spec} />
            </div>
          )}
          {previous ? (
            <SpecDiff before={specText(previous.spec)} after={specText(current.spec)} />
          ) : (
            <CodeBlock text={specText(current.spec)} label={`Registered spec of v${current.version}`} />
          )}
        </Panel>
      )}
    </div>
  );
}
