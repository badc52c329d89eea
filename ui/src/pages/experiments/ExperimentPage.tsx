/** `/experiments/:pipeline`: the pipeline's runs by params and metrics, and parallel coordinates. */
import { GitCompare } from 'lucide-react';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { Button } from '../../components/Button';
import { PageHeader } from '../../components/Page';
import { Command, EmptyState, ErrorView, Loading } from '../../components/States';
import { UrlTabs } from '../../components/Tabs';
import { useExperimentRuns } from './data';
import { ParallelView } from './ParallelView';
import { RunsTable } from './RunsTable';

export function ExperimentPage() {
  const pipeline = useParams().pipeline!;
  const navigate = useNavigate();
  const query = useExperimentRuns(pipeline);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const compare = () => {
    const ids = (query.data ?? []).filter((run) => selected.has(run.id)).map((run) => run.id);
    void navigate(`/experiments/${encodeURIComponent(pipeline)}/compare?runs=${ids.join(',')}`);
  };
  return (
    <div>
      <PageHeader
        title={pipeline}
        crumbs={[
          { label: 'Experiments', to: '/experiments' },
          { label: `pipeline ${pipeline}`, to: `/pipelines/${encodeURIComponent(pipeline)}` },
        ]}
        actions={
          <Button variant="primary" disabled={selected.size < 1} onClick={compare}>
            <GitCompare className="size-4" aria-hidden />
            Compare{selected.size > 0 ? ` ${selected.size}` : ''}
          </Button>
        }
      >
        Select runs and compare their metric curves and params; metric columns show the last value logged.
      </PageHeader>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorView error={query.error} />
      ) : query.data.length === 0 ? (
        <EmptyState title="No runs yet">
          Launch one from the pipeline&apos;s page or run <Command>{`sluice run ${pipeline}`}</Command>
        </EmptyState>
      ) : (
        <UrlTabs
          tabs={[
            {
              id: 'runs',
              label: `Runs (${query.data.length})`,
              content: (
                <RunsTable
                  runs={query.data}
                  selected={selected}
                  onToggle={toggle}
                  onToggleAll={(ids) => setSelected(new Set(ids ?? []))}
                />
              ),
            },
            { id: 'parallel', label: 'Parallel coordinates', content: <ParallelView runs={query.data} /> },
          ]}
        />
      )}
    </div>
  );
}
