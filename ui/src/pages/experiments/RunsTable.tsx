/** The experiment's runs: param and metric columns, sortable headers, checkboxes to compare. */
import { ArrowDown, ArrowUp } from 'lucide-react';
import { useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { StatusBadge } from '../../components/StatusBadge';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatAgo, formatNumber } from '../../lib/format';
import { allParams, columnsOf, lastMetric, showValue, type ExperimentRun } from './data';

type SortKey = { id: string; dir: 'asc' | 'desc' };

/** A sortable value of `run` for column `id`. */
function sortValue(run: ExperimentRun, id: string): number | string | undefined {
  if (id === 'created') return run.createdAt;
  if (id === 'status') return run.status;
  if (id === 'run') return run.id;
  if (id.startsWith('m:')) return lastMetric(run, id.slice(2));
  const value = allParams(run)[id.slice(2)];
  return typeof value === 'number' || typeof value === 'string'
    ? value
    : value == null
      ? undefined
      : JSON.stringify(value);
}

function compare(a: number | string | undefined, b: number | string | undefined): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

export function RunsTable({
  runs,
  selected,
  onToggle,
  onToggleAll,
}: {
  runs: ExperimentRun[];
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: (ids: string[] | null) => void;
}) {
  const [sort, setSort] = useState<SortKey>({ id: 'created', dir: 'desc' });
  const { params, metrics } = useMemo(() => columnsOf(runs), [runs]);
  const sorted = useMemo(() => {
    const out = [...runs].sort((a, b) => compare(sortValue(a, sort.id), sortValue(b, sort.id)));
    if (sort.dir === 'desc') out.reverse();
    return out;
  }, [runs, sort]);
  const header = (id: string, label: ReactNode, title: string) => (
    <button
      type="button"
      className="inline-flex max-w-full items-center gap-1 uppercase hover:text-fg"
      aria-label={`Sort by ${title}${sort.id === id ? (sort.dir === 'asc' ? ', ascending' : ', descending') : ''}`}
      onClick={() => setSort((prev) => ({ id, dir: prev.id === id && prev.dir === 'desc' ? 'asc' : 'desc' }))}
    >
      <span className="truncate">{label}</span>
      {sort.id === id &&
        (sort.dir === 'asc' ? (
          <ArrowUp className="size-3 shrink-0" aria-hidden />
        ) : (
          <ArrowDown className="size-3 shrink-0" aria-hidden />
        ))}
    </button>
  );
  const allSelected = runs.length > 0 && runs.every((run) => selected.has(run.id));
  const columns: Column<ExperimentRun>[] = [
    {
      id: 'select',
      width: '2.5rem',
      header: (
        <input
          type="checkbox"
          aria-label="Select all runs"
          className="accent-accent"
          checked={allSelected}
          onChange={() => onToggleAll(allSelected ? null : runs.map((run) => run.id))}
        />
      ),
      cell: (run) => (
        <input
          type="checkbox"
          aria-label={`Select run ${run.id}`}
          className="accent-accent"
          checked={selected.has(run.id)}
          onChange={() => onToggle(run.id)}
        />
      ),
    },
    {
      id: 'run',
      width: '8rem',
      header: header('run', 'run', 'run id'),
      cell: (run) => (
        <Link to={`/runs/${run.id}`} className="font-mono text-accent hover:underline">
          {run.id.slice(0, 10)}
        </Link>
      ),
    },
    {
      id: 'status',
      width: '7rem',
      header: header('status', 'status', 'status'),
      cell: (run) => <StatusBadge status={run.status} />,
    },
    {
      id: 'created',
      width: '7rem',
      header: header('created', 'created', 'created'),
      cell: (run) => <span className="text-muted">{formatAgo(run.createdAt)}</span>,
    },
    ...params.map<Column<ExperimentRun>>((key) => ({
      id: `p:${key}`,
      width: 'minmax(6rem, 1fr)',
      header: header(`p:${key}`, <span className="normal-case">{key}</span>, `param ${key}`),
      cell: (run) => <span className="font-mono">{showValue(allParams(run)[key])}</span>,
    })),
    ...metrics.map<Column<ExperimentRun>>((key) => ({
      id: `m:${key}`,
      width: 'minmax(6rem, 1fr)',
      header: header(`m:${key}`, <span className="normal-case text-accent">{key}</span>, `metric ${key}`),
      className: 'text-right',
      cell: (run) => {
        const value = lastMetric(run, key);
        return (
          <span className="font-mono tabular-nums">{value === undefined ? '—' : formatNumber(value)}</span>
        );
      },
    })),
  ];
  return (
    <VirtualTable
      label="Runs with params and metrics"
      rows={sorted}
      columns={columns}
      rowKey={(run) => run.id}
    />
  );
}
