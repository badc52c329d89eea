/**
 * `/runs/:id/datums/:step/:datum`: one datum of a run: its state, every attempt with its
 * times and error, and its log lines (the step's lines, kept to this datum).
 */
import { useMutation } from '@tanstack/react-query';
import { RotateCcw } from 'lucide-react';
import { useMemo } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { Attempt, Run, Task } from '../../api/types';
import { Button, LinkButton } from '../../components/Button';
import { Facts, PageHeader, Panel } from '../../components/Page';
import { EmptyState, ErrorView, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { elapsed, formatDuration, formatTime } from '../../lib/format';
import { LogViewer } from './LogViewer';
import { useNow, useRunDetail } from './run-queries';
import { datumState, isActive } from './run-state';
import { useRunLogs } from './use-run-logs';

function AttemptRow({ attempt, now }: { attempt: Attempt; now: number }) {
  return (
    <li className="border-t border-line/60 py-2 first:border-t-0" data-testid="attempt">
      <div className="flex flex-wrap items-center gap-3">
        <span className="font-semibold">Attempt {attempt.attempt}</span>
        <StatusBadge status={attempt.status} />
        <span className="text-muted">
          {formatTime(attempt.startedAt)} → {attempt.finishedAt ? formatTime(attempt.finishedAt) : 'running'}
        </span>
        <span className="tabular-nums">
          {formatDuration(
            attempt.finishedAt
              ? elapsed(attempt.startedAt, attempt.finishedAt)
              : now - Date.parse(attempt.startedAt),
          )}
        </span>
      </div>
      {attempt.error && (
        <div
          className="mt-1.5 rounded-md border border-bad/40 bg-bad/10 p-2 text-bad"
          data-testid="attempt-error"
        >
          <span className="font-mono text-xs opacity-80">{attempt.error.code}</span>
          <div className="break-words whitespace-pre-wrap">{attempt.error.message}</div>
        </div>
      )}
    </li>
  );
}

function RestartDatum({ run, task }: { run: Run; task: Task }) {
  const navigate = useNavigate();
  const restart = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/runs/{id}/datums/restart', {
          params: { path: { id: run.id } },
          body: { datums: [task.datum], step: task.step },
        }),
      ),
    onSuccess: (next) => navigate(`/runs/${next.id}`),
  });
  return (
    <div className="flex flex-col items-end gap-2">
      <Button
        variant="primary"
        onClick={() => restart.mutate()}
        disabled={restart.isPending || isActive(run.status)}
      >
        <RotateCcw className="size-4" aria-hidden /> {restart.isPending ? 'Restarting…' : 'Restart'}
      </Button>
      {restart.error && <ErrorView error={restart.error} title="Restart failed" />}
    </div>
  );
}

function DatumLogs({ run, task }: { run: Run; task: Task }) {
  const logs = useRunLogs(run.id, task.step, isActive(run.status));
  const lines = useMemo(
    () => logs.lines.filter((line) => line.datum === task.datum),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `lines` grows in place; `count` says when
    [logs.lines, logs.count, task.datum],
  );
  if (logs.error) return <ErrorView error={logs.error} />;
  if (logs.loading) return <Loading label="Loading logs…" />;
  return <LogViewer lines={lines} following={logs.following} showSource={false} height="40vh" />;
}

/** The datum page. */
export function DatumPage() {
  const params = useParams();
  const id = params.id ?? '';
  const step = params.step ?? '';
  const datum = params.datum ?? '';
  const detail = useRunDetail(id);
  const task = detail.data?.tasks.find((candidate) => candidate.step === step && candidate.datum === datum);
  const attempts = useMemo(
    () => (detail.data?.attempts ?? []).filter((attempt) => attempt.step === step && attempt.datum === datum),
    [detail.data?.attempts, step, datum],
  );
  const now = useNow(task?.status === 'running');
  if (detail.isPending) return <Loading label="Loading the datum…" />;
  if (detail.isError) return <ErrorView error={detail.error} title={`Cannot show run ${id}`} />;
  const { run } = detail.data;
  const back = `/runs/${run.id}?tab=datums&step=${encodeURIComponent(step)}`;
  const crumbs = [
    { label: 'Runs', to: '/runs' },
    { label: run.id, to: `/runs/${run.id}` },
    { label: `${step} datums`, to: back },
  ];
  if (!task)
    return (
      <div>
        <PageHeader title="No such datum" crumbs={crumbs} />
        <EmptyState title={`Run ${run.id} has no datum '${datum}' in step '${step}'`}>
          See the run&apos;s Datums tab for the datums it has.
        </EmptyState>
      </div>
    );
  const state = datumState(task);
  const failed = ['failed', 'upstream_failed', 'cancelled'].includes(task.status);
  return (
    <div>
      <PageHeader
        crumbs={crumbs}
        title={
          <span className="flex flex-wrap items-center gap-3">
            <span>
              Datum <span className="font-mono">{datum || '(single datum)'}</span>
            </span>
            <span data-testid="datum-state">
              <StatusBadge status={state} />
            </span>
          </span>
        }
        actions={
          <>
            <LinkButton to={back}>Back to the datums</LinkButton>
            {failed && <RestartDatum run={run} task={task} />}
          </>
        }
      />
      <div className="mb-4 grid gap-4 lg:grid-cols-2">
        <Panel title="Datum">
          <Facts
            items={[
              [
                'Step',
                <span key="s" className="font-mono">
                  {step}
                </span>,
              ],
              [
                'Run',
                <span key="r" className="font-mono">
                  {run.id} ({run.pipeline})
                </span>,
              ],
              [
                'Id',
                <span key="i" className="font-mono text-xs break-all">
                  {task.execKey ?? '—'}
                </span>,
              ],
              ['Started', formatTime(task.startedAt)],
              ['Finished', formatTime(task.finishedAt)],
              [
                'Duration',
                formatDuration(
                  task.startedAt
                    ? task.finishedAt
                      ? elapsed(task.startedAt, task.finishedAt)
                      : now - Date.parse(task.startedAt)
                    : null,
                ),
              ],
            ]}
          />
          {task.error && (
            <div
              role="alert"
              className="mt-3 rounded-md border border-bad/40 bg-bad/10 p-3 text-bad"
              data-testid="datum-error"
            >
              <span className="font-mono text-xs opacity-80">{task.error.code}</span>
              <div className="break-words whitespace-pre-wrap">{task.error.message}</div>
            </div>
          )}
        </Panel>
        <Panel title={`Attempts (${attempts.length})`}>
          {attempts.length === 0 ? (
            <p className="text-muted">
              Not attempted yet{task.status === 'upstream_failed' ? ': an upstream step failed' : ''}.
            </p>
          ) : (
            <ol>
              {attempts.map((attempt) => (
                <AttemptRow key={attempt.attempt} attempt={attempt} now={now} />
              ))}
            </ol>
          )}
        </Panel>
      </div>
      <Panel title="Log lines">
        <DatumLogs run={run} task={task} />
      </Panel>
    </div>
  );
}
