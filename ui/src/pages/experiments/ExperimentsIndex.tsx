/** `/experiments`: the pipelines whose runs log metrics, to pick one. */
import { FlaskConical } from 'lucide-react';
import { Link } from 'react-router';
import { PageHeader } from '../../components/Page';
import { Command, EmptyState, ErrorView, Loading } from '../../components/States';
import { formatAgo } from '../../lib/format';
import { useExperimentPipelines } from './data';

export function ExperimentsIndex() {
  const query = useExperimentPipelines();
  return (
    <div>
      <PageHeader title="Experiments">
        Compare runs of a pipeline by their params and the metrics their steps logged.
      </PageHeader>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorView error={query.error} />
      ) : query.data.length === 0 ? (
        <EmptyState title="No metrics logged yet">
          <p>
            A pipeline shows up here once its steps log metrics. In a TypeScript step call{' '}
            <code className="font-mono">ctx.metric(&apos;loss&apos;, value, {'{ step: epoch }'})</code>; a
            command step appends JSON lines to the file named by{' '}
            <code className="font-mono">$SLUICE_METRICS</code>:
          </p>
          <Command>{`echo '{"key": "loss", "value": 0.42, "step": 3}' >> "$SLUICE_METRICS"`}</Command>
          <p className="mt-2">Then run the pipeline a few times with different params:</p>
          <Command>sluice run NAME -p lr=0.1</Command>
        </EmptyState>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3" aria-label="Pipelines with metrics">
          {query.data.map((item) => (
            <li key={item.pipeline}>
              <Link
                to={`/experiments/${encodeURIComponent(item.pipeline)}`}
                className="block rounded-lg border border-line bg-panel p-4 hover:border-accent"
              >
                <div className="flex items-center gap-2 font-semibold">
                  <FlaskConical className="size-4 text-accent" aria-hidden />
                  {item.pipeline}
                </div>
                <div className="mt-1 text-xs text-muted">
                  {item.runs} run{item.runs === 1 ? '' : 's'} with metrics · last {formatAgo(item.lastRunAt)}
                </div>
                <div className="mt-2 flex flex-wrap gap-1">
                  {item.keys.slice(0, 8).map((key) => (
                    <span key={key} className="rounded bg-sunken px-1.5 py-0.5 font-mono text-xs">
                      {key}
                    </span>
                  ))}
                  {item.keys.length > 8 && (
                    <span className="text-xs text-muted">+{item.keys.length - 8}</span>
                  )}
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
