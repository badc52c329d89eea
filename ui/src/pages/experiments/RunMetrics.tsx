/** The metric charts of one run, for embedding in the run page: `<RunMetrics runId={id} />`. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorView, Loading } from '../../components/States';
import { MetricCharts } from './MetricCharts';

/** Charts of every metric key `runId` logged (one series per chart). */
export function RunMetrics({ runId }: { runId: string }) {
  const query = useQuery({
    queryKey: ['run', runId, 'metrics'],
    queryFn: () => unwrap(api.GET('/api/runs/{id}/metrics', { params: { path: { id: runId } } })),
  });
  if (query.isPending) return <Loading label="Loading metrics…" />;
  if (query.isError) return <ErrorView error={query.error} />;
  const id = query.data[0]?.runId ?? runId;
  return <MetricCharts points={query.data} runs={[{ id, name: id.slice(0, 10) }]} />;
}
