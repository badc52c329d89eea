/** The Logs tab: a run's log lines with a step filter and a text search, following live. */
import { useDeferredValue, useMemo } from 'react';
import type { Run } from '../../api/types';
import { ErrorView, Loading } from '../../components/States';
import { FilterSelect } from './FilterSelect';
import { LogViewer } from './LogViewer';
import { isActive } from './run-state';
import { useQueryState } from './use-params';
import { useRunLogs } from './use-run-logs';

/** The Logs tab of a run (`?step=` filters the step, `?q=` the text). */
export function LogsTab({ run, steps }: { run: Run; steps: readonly string[] }) {
  const [search, update] = useQueryState();
  const step = search.get('step') ?? '';
  const text = search.get('q') ?? '';
  const needle = useDeferredValue(text.trim().toLowerCase());
  const logs = useRunLogs(run.id, step, isActive(run.status));
  const shown = useMemo(
    () =>
      needle
        ? logs.lines.filter(
            (line) => line.line.toLowerCase().includes(needle) || line.datum.toLowerCase().includes(needle),
          )
        : logs.lines,
    // NOTE: `lines` is appended to in place; `count` says when it grew.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [logs.lines, logs.count, needle],
  );
  return (
    <div>
      <div className="mb-2 flex flex-wrap items-center gap-3">
        <FilterSelect
          label="Step"
          value={step}
          choices={steps}
          onChange={(value) => update({ step: value })}
        />
        <input
          type="search"
          aria-label="Search log lines"
          placeholder="Search lines…"
          value={text}
          onChange={(event) => update({ q: event.target.value })}
          className="w-64 rounded-md border border-line bg-panel px-2 py-1.5"
        />
        <span className="text-muted tabular-nums">
          {needle ? `${shown.length.toLocaleString('en-US')} of ` : ''}
          {logs.count.toLocaleString('en-US')} lines
        </span>
      </div>
      {logs.error ? (
        <ErrorView error={logs.error} />
      ) : logs.loading ? (
        <Loading label="Loading logs…" />
      ) : (
        <LogViewer lines={shown} following={logs.following} />
      )}
    </div>
  );
}
