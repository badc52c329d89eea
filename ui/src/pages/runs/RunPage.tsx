/**
 * `/runs/:id`: the run's header and datum counts (from `/api/runs/{id}` alone, so they show
 * before any log is read), then the Timeline, Datums and Logs tabs. `?step=` selects a step
 * in every tab.
 */
import { useMemo } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { Panel } from '../../components/Page';
import { ErrorView, Loading } from '../../components/States';
import { UrlTabs } from '../../components/Tabs';
import { DatumCounts } from './DatumCounts';
import { DatumsTab } from './DatumsTab';
import { LogsTab } from './LogsTab';
import { RunFacts, RunHeader } from './RunHeader';
import { Timeline } from './Timeline';
import { useRunDetail } from './run-queries';
import { countByStep } from './run-state';

/** The run page. */
export function RunPage() {
  const id = useParams().id ?? '';
  const [search] = useSearchParams();
  const detail = useRunDetail(id);
  const counts = useMemo(() => countByStep(detail.data?.tasks ?? []), [detail.data?.tasks]);
  const steps = useMemo(() => Object.keys(counts), [counts]);
  if (detail.isPending) return <Loading label="Loading the run…" />;
  if (detail.isError) return <ErrorView error={detail.error} title={`Cannot show run ${id}`} />;
  const { run } = detail.data;
  const selected = search.get('step') ?? '';
  return (
    <div>
      <RunHeader run={run} />
      <div className="mb-4 grid items-start gap-4 xl:grid-cols-2">
        <RunFacts run={run} />
        <Panel title="Datums">
          <DatumCounts counts={counts} steps={steps} />
        </Panel>
      </div>
      <UrlTabs
        tabs={[
          {
            id: 'timeline',
            label: 'Timeline',
            content: <Timeline key={run.id} detail={detail.data} selected={selected} />,
          },
          { id: 'datums', label: 'Datums', content: <DatumsTab run={run} counts={counts} /> },
          { id: 'logs', label: 'Logs', content: <LogsTab run={run} steps={steps} /> },
        ]}
      />
    </div>
  );
}
