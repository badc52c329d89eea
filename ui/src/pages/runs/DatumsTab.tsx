/**
 * The Datums tab: a run's datums filtered by step and state (`?step=`, `?state=`), each
 * opening its own page, and a restart of the failed ones as a new run.
 */
import { useMutation } from '@tanstack/react-query';
import { RotateCcw } from 'lucide-react';
import { useMemo } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { Datum, Run } from '../../api/types';
import { Button } from '../../components/Button';
import { EmptyState, ErrorView, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { FilterSelect } from './FilterSelect';
import { useRunDatums } from './run-queries';
import { DATUM_STATES, datumHref, isActive, type StepCounts } from './run-state';
import { useQueryState } from './use-params';

const COLUMNS: Column<Datum>[] = [
  { id: 'state', header: 'State', width: '9rem', cell: (datum) => <StatusBadge status={datum.state} /> },
  {
    id: 'step',
    header: 'Step',
    width: 'minmax(6rem, 10rem)',
    className: 'font-mono',
    cell: (datum) => datum.step,
  },
  {
    id: 'datum',
    header: 'Datum',
    width: 'minmax(10rem, 2fr)',
    className: 'font-mono',
    cell: (datum) => <span title={datum.datum}>{datum.datum || '(single datum)'}</span>,
  },
  {
    id: 'attempts',
    header: 'Attempts',
    width: '7rem',
    className: 'tabular-nums text-right',
    cell: (datum) => datum.attempts,
  },
  {
    id: 'error',
    header: 'Error',
    width: 'minmax(10rem, 3fr)',
    className: 'text-bad',
    cell: (datum) => (datum.error ? <span title={datum.error.message}>{datum.error.message}</span> : ''),
  },
];

function RestartFailed({ run, failed }: { run: Run; failed: number }) {
  const navigate = useNavigate();
  const restart = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/runs/{id}/datums/restart', { params: { path: { id: run.id } }, body: {} })),
    onSuccess: (next) => navigate(`/runs/${next.id}`),
  });
  return (
    <div className="flex flex-col items-end gap-2">
      <Button
        onClick={() => restart.mutate()}
        disabled={failed === 0 || isActive(run.status) || restart.isPending}
        title={
          isActive(run.status)
            ? 'Wait for the run to end'
            : 'Queue a run that executes the failed datums again'
        }
      >
        <RotateCcw className="size-4" aria-hidden />{' '}
        {restart.isPending ? 'Restarting…' : `Restart failed datums (${failed})`}
      </Button>
      {restart.error && <ErrorView error={restart.error} title="Restart failed" />}
    </div>
  );
}

/** The Datums tab of a run. */
export function DatumsTab({ run, counts }: { run: Run; counts: StepCounts }) {
  const [search, update] = useQueryState();
  const step = search.get('step') ?? '';
  const state = search.get('state') ?? '';
  const datums = useRunDatums(run.id, { step, state }, isActive(run.status));
  const steps = useMemo(() => Object.keys(counts), [counts]);
  const failed = useMemo(
    () =>
      Object.values(counts).reduce(
        (sum, row) => sum + (row.failed ?? 0) + (row.upstream_failed ?? 0) + (row.cancelled ?? 0),
        0,
      ),
    [counts],
  );
  return (
    <div>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-3">
          <FilterSelect
            label="Step"
            value={step}
            choices={steps}
            onChange={(value) => update({ step: value })}
          />
          <FilterSelect
            label="State"
            value={state}
            choices={DATUM_STATES}
            onChange={(value) => update({ state: value })}
          />
          {datums.data && (
            <span className="text-muted tabular-nums" aria-live="polite">
              {datums.data.datums.length.toLocaleString('en-US')} shown
            </span>
          )}
        </div>
        <RestartFailed run={run} failed={failed} />
      </div>
      {datums.isPending ? (
        <Loading label="Loading datums…" />
      ) : datums.isError ? (
        <ErrorView error={datums.error} />
      ) : (
        <VirtualTable
          label="Datums"
          rows={datums.data.datums}
          columns={COLUMNS}
          rowKey={(datum) => `${datum.step}\0${datum.datum}`}
          rowHref={(datum) => datumHref(run.id, datum.step, datum.datum)}
          maxHeight="60vh"
          empty={
            <EmptyState title={step || state ? 'No datums match' : 'No datums yet'}>
              {step || state
                ? 'Clear the step or state filter to see more.'
                : 'Datums appear as the run starts its steps.'}
            </EmptyState>
          }
        />
      )}
    </div>
  );
}
