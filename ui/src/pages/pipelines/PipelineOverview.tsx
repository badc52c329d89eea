/**
 * A pipeline's Overview tab: its DAG with each step coloured by its state in the latest run
 * (a click opens that run on the step), and beside it the latest run, params and triggers.
 */
import { Database } from 'lucide-react';
import { useMemo } from 'react';
import { Link } from 'react-router';
import type { Run } from '../../api/types';
import { Graph, type DrawnNode } from '../../components/Graph';
import { Facts, Panel } from '../../components/Page';
import { EmptyState, ErrorView } from '../../components/States';
import { StatusBadge, statusColor } from '../../components/StatusBadge';
import { formatAgo, formatDuration, elapsed, formatTime, shortId } from '../../lib/format';
import { inputNode, pipelineEdges, stepNode, stepStates, type StepState } from './dag';
import { ParamsTable } from './ParamsTable';
import { usePipelineRuns, useRunTasks } from './queries';
import { TriggerChips } from './TriggerChips';
import { runTriggerText } from './triggers';
import type { PipelineDefinition, PipelineDetail } from './types';

function countsText(state: StepState | undefined, hasRun: boolean): string {
  if (!hasRun) return 'no runs yet';
  if (!state) return 'not in the latest run';
  const parts = [`${state.done}/${state.total} done`];
  if (state.failed > 0) parts.push(`${state.failed} failed`);
  if (state.running > 0) parts.push(`${state.running} running`);
  return parts.join(' · ');
}

function drawnNodes(
  definition: PipelineDefinition,
  states: Map<string, StepState>,
  latest: Run | undefined,
): DrawnNode[] {
  const inputs = definition.inputs.map((input): DrawnNode => ({
    id: inputNode(input.name),
    accent: 'var(--color-accent)',
    content: (
      <>
        <div className="flex items-center gap-1.5 truncate font-mono text-sm font-medium">
          <Database className="size-3.5 shrink-0 text-accent" aria-hidden />
          {input.name}
        </div>
        <div className="truncate text-xs text-muted">
          {input.kind !== 'repo' && `${input.kind}: `}
          {input.repos.map((repo) => `${repo.repo}@${repo.branch} ${repo.glob}`).join(', ')}
        </div>
      </>
    ),
  }));
  const steps = definition.steps.map((step): DrawnNode => {
    const state = states.get(step.name);
    const status = latest ? (state?.status ?? 'not run') : 'not run';
    return {
      id: stepNode(step.name),
      accent: statusColor(status),
      ...(latest ? { href: `/runs/${latest.id}?step=${encodeURIComponent(step.name)}` } : {}),
      content: (
        <div data-step-status={status} title={step.description ?? step.run}>
          <div className="flex items-center justify-between gap-2">
            <span className="truncate font-mono text-sm font-medium">{step.name}</span>
            <span className="shrink-0 rounded bg-sunken px-1 text-[10px] text-muted uppercase">
              {step.runtime === 'ts' ? 'ts' : 'cmd'}
            </span>
          </div>
          <div className="truncate text-xs text-muted">{countsText(state, latest !== undefined)}</div>
        </div>
      ),
    };
  });
  return [...inputs, ...steps];
}

function LatestRun({ run }: { run: Run | undefined }) {
  if (!run) return <p className="text-muted">No runs yet. Launch one, or commit data to an input repo.</p>;
  return (
    <Facts
      items={[
        [
          'Run',
          <span key="run" className="flex items-center gap-2">
            <Link to={`/runs/${run.id}`} className="font-mono text-accent hover:underline">
              {shortId(run.id)}
            </Link>
            <StatusBadge status={run.status} />
          </span>,
        ],
        [
          'Started',
          <span key="s" title={formatTime(run.startedAt ?? run.createdAt)}>
            {formatAgo(run.startedAt ?? run.createdAt)}
          </span>,
        ],
        ['Duration', formatDuration(elapsed(run.startedAt, run.finishedAt))],
        ['Trigger', runTriggerText(run.trigger)],
      ]}
    />
  );
}

export function PipelineOverview({ detail }: { detail: PipelineDetail }) {
  const { pipeline, definition } = detail;
  const runs = usePipelineRuns(pipeline.name);
  const latest = runs.data?.[0];
  const tasks = useRunTasks(latest?.id);
  const states = useMemo(() => stepStates(tasks.data?.tasks ?? []), [tasks.data]);
  const nodes = useMemo(
    () => (definition ? drawnNodes(definition, states, latest) : []),
    [definition, states, latest],
  );
  const edges = useMemo(() => (definition ? pipelineEdges(definition) : []), [definition]);
  return (
    <div className="flex flex-col gap-4">
      <Panel
        title="Graph"
        actions={
          <span className="text-xs text-muted">
            {latest ? (
              <>
                states of run{' '}
                <Link to={`/runs/${latest.id}`} className="font-mono text-accent hover:underline">
                  {shortId(latest.id)}
                </Link>
              </>
            ) : (
              'no runs yet'
            )}
          </span>
        }
      >
        {!definition ? (
          <EmptyState title="No graph">The spec file does not load; see the problems above.</EmptyState>
        ) : (
          <>
            <Graph nodes={nodes} edges={edges} label={`Steps of ${pipeline.name}`} />
            {definition.pruned.length > 0 && (
              <p className="mt-3 text-xs text-muted">
                Pruned (cannot reach an output): {definition.pruned.join(', ')}
              </p>
            )}
          </>
        )}
        {runs.isError && <ErrorView error={runs.error} />}
        {tasks.isError && <ErrorView error={tasks.error} />}
      </Panel>
      <div className="grid min-w-0 items-start gap-4 lg:grid-cols-3">
        <Panel title="Latest run">
          <LatestRun run={latest} />
        </Panel>
        {definition && (
          <Panel title="Params">
            <ParamsTable params={definition.params} />
          </Panel>
        )}
        <Panel title="Triggers & outputs">
          <Facts
            items={[
              [
                'Triggers',
                <TriggerChips
                  key="t"
                  triggers={definition?.triggers ?? []}
                  inputRepos={pipeline.inputRepos}
                />,
              ],
              [
                'Outputs',
                <span key="o" className="font-mono text-xs">
                  {definition?.outputs.join(', ') || '—'}
                </span>,
              ],
              [
                'Spec file',
                <span key="f" className="font-mono text-xs break-all">
                  {pipeline.specFile ?? '(code)'}
                </span>,
              ],
              ['Registered', formatTime(pipeline.createdAt)],
            ]}
          />
        </Panel>
      </div>
    </div>
  );
}
