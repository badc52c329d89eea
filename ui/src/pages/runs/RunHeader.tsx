/** A run page's header: state, facts (pipeline, trigger, params, commits, times) and actions. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { RotateCcw, Square } from 'lucide-react';
import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { Run } from '../../api/types';
import { Button } from '../../components/Button';
import { Facts, PageHeader, Panel } from '../../components/Page';
import { ErrorView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { elapsed, formatDuration, formatTime, shortId } from '../../lib/format';
import { useNow } from './run-queries';
import { isActive, triggerLabel, triggerRun } from './run-state';

function RunActions({ run }: { run: Run }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/api/runs/{id}/cancel', { params: { path: { id: run.id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: ['run', run.id] }),
  });
  const retry = useMutation({
    mutationFn: () => unwrap(api.POST('/api/runs/{id}/retry', { params: { path: { id: run.id } } })),
    onSuccess: (next) => navigate(`/runs/${next.id}`),
  });
  const failure = cancel.error ?? retry.error;
  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex gap-2">
        {isActive(run.status) ? (
          <Button variant="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            <Square className="size-4" aria-hidden /> {cancel.isPending ? 'Cancelling…' : 'Cancel'}
          </Button>
        ) : (
          <Button
            onClick={() => retry.mutate()}
            disabled={retry.isPending}
            title="Run again with the same params and input commits"
          >
            <RotateCcw className="size-4" aria-hidden /> {retry.isPending ? 'Retrying…' : 'Retry'}
          </Button>
        )}
      </div>
      {failure && <ErrorView error={failure} title="The action failed" />}
    </div>
  );
}

function Params({ params }: { params: Run['params'] }) {
  const entries = Object.entries(params);
  if (entries.length === 0) return <span className="text-muted">none</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {entries.map(([key, value]) => (
        <code key={key} className="rounded bg-sunken px-1.5 py-0.5 font-mono text-xs">
          {key}={typeof value === 'string' ? value : JSON.stringify(value)}
        </code>
      ))}
    </span>
  );
}

function Trigger({ trigger }: { trigger: Run['trigger'] }) {
  const other = triggerRun(trigger);
  const commit =
    trigger?.kind === 'commit' && typeof trigger.commit === 'string' ? trigger.commit : undefined;
  return (
    <span>
      {triggerLabel(trigger)}
      {other && (
        <Link to={`/runs/${other}`} className="ml-2 font-mono text-accent hover:underline">
          {other}
        </Link>
      )}
      {commit && typeof trigger?.repo === 'string' && (
        <Link
          to={`/repos/${encodeURIComponent(trigger.repo)}?ref=${commit}`}
          className="ml-2 font-mono text-accent hover:underline"
        >
          {shortId(commit)}
        </Link>
      )}
    </span>
  );
}

/** The facts panel of `/runs/:id`: pipeline, trigger, params, commits, times, error. */
export function RunFacts({ run }: { run: Run }) {
  const now = useNow(run.status === 'running');
  const duration = run.startedAt
    ? run.finishedAt
      ? elapsed(run.startedAt, run.finishedAt)
      : now - Date.parse(run.startedAt)
    : null;
  const facts: [string, ReactNode][] = [
    [
      'Pipeline',
      <Link
        key="p"
        to={`/pipelines/${encodeURIComponent(run.pipeline)}`}
        className="text-accent hover:underline"
      >
        {run.pipeline}
      </Link>,
    ],
    ['Trigger', <Trigger key="t" trigger={run.trigger} />],
    ['Params', <Params key="pa" params={run.params} />],
  ];
  if (run.inputCommits.length > 0)
    facts.push([
      'Input commits',
      <span key="i" className="flex flex-col gap-0.5">
        {run.inputCommits.map((input) => (
          <span key={input.input}>
            <span className="text-muted">{input.input}: </span>
            <Link
              to={`/repos/${encodeURIComponent(input.repo)}?ref=${input.commit}`}
              className="font-mono text-accent hover:underline"
            >
              {input.repo}@{input.branch} {shortId(input.commit)}
            </Link>
          </span>
        ))}
      </span>,
    ]);
  if (run.outputCommit)
    facts.push([
      'Output commit',
      <Link
        key="o"
        to={`/repos/${encodeURIComponent(run.pipeline)}?ref=${run.outputCommit}`}
        className="font-mono text-accent hover:underline"
      >
        {run.pipeline} {shortId(run.outputCommit)}
      </Link>,
    ]);
  facts.push(
    ['Created', formatTime(run.createdAt)],
    ['Started', formatTime(run.startedAt)],
    ['Finished', formatTime(run.finishedAt)],
    [
      'Duration',
      <span key="d" className="tabular-nums">
        {formatDuration(duration)}
      </span>,
    ],
  );
  return (
    <Panel title="Run">
      <Facts items={facts} />
      {run.error && (
        <div role="alert" className="mt-3 rounded-md border border-bad/40 bg-bad/10 p-3 text-bad">
          <span className="font-mono text-xs opacity-80">{run.error.code}</span>
          <div className="break-words whitespace-pre-wrap">{run.error.message}</div>
        </div>
      )}
    </Panel>
  );
}

/** The title row of `/runs/:id`: id, state (`data-testid="run-status"`) and actions. */
export function RunHeader({ run }: { run: Run }) {
  return (
    <PageHeader
      crumbs={[
        { label: 'Runs', to: '/runs' },
        { label: run.pipeline, to: `/runs?pipeline=${encodeURIComponent(run.pipeline)}` },
      ]}
      title={
        <span className="flex items-center gap-3">
          <span>
            Run <span className="font-mono">{run.id}</span>
          </span>
          <span data-testid="run-status" role="status" aria-live="polite" aria-label={`run ${run.status}`}>
            <StatusBadge status={run.status} />
          </span>
        </span>
      }
      actions={<RunActions run={run} />}
    />
  );
}
