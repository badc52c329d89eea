/** `/lineage/model/:name/:version`: a model version ← the run that saved it ← its input commits and their lineage. */
import { useQueries, useQuery } from '@tanstack/react-query';
import { Boxes } from 'lucide-react';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { LinkButton } from '../../components/Button';
import { Facts, PageHeader, Panel } from '../../components/Page';
import { formatTime, shortId } from '../../lib/format';
import { ErrorView, Loading } from '../../components/States';
import { readInputs, readProvenance, type ProvenanceInput } from '../repos/provenance';
import { LineageGraph, type LineageTreeNode } from './lineage-graph';
import { LineageDiagram } from './LineageDiagram';

export function ModelLineagePage() {
  const { name = '', version = '' } = useParams();
  const found = useQuery({
    queryKey: ['models', name, 'version', version],
    queryFn: () =>
      unwrap(api.GET('/api/models/{name}/versions/{ref}', { params: { path: { name, ref: version } } })),
  });
  const inputs = useMemo(() => readInputs(found.data?.inputCommits), [found.data]);
  const upstream = useQueries({
    queries: inputs.map((input: ProvenanceInput) => ({
      queryKey: ['repos', input.repo, 'lineage', input.commit],
      queryFn: () =>
        unwrap(
          api.GET('/api/repos/{repo}/lineage', {
            params: { path: { repo: input.repo }, query: { ref: input.commit } },
          }),
        ),
    })),
  });
  // NOTE: rebuilt each render (tens of nodes); the queries' results are new arrays anyway.
  const built = (() => {
    const data = found.data;
    if (!data) return null;
    const graph = new LineageGraph();
    const focus = graph.add({
      id: `model:${data.name}:${data.version}`,
      kind: 'model',
      name: data.name,
      version: data.version,
    });
    const ids = inputs.map((input) => graph.commit(input.repo, input.commit, input.branch));
    graph.produced(focus, data.runId, data.pipeline ?? 'run', ids);
    upstream.forEach(({ data: lineage }, index) => {
      const provenance = readProvenance(lineage?.provenance);
      if (lineage)
        graph.upstream(
          ids[index]!,
          provenance?.runId ?? null,
          provenance?.pipeline ?? null,
          lineage.upstream as LineageTreeNode[],
        );
    });
    return { graph, focus };
  })();
  const failed = upstream.find((query) => query.error)?.error;
  return (
    <div>
      <PageHeader
        title={`Lineage of ${name} version ${version}`}
        crumbs={[
          { label: 'Lineage', to: '/lineage' },
          { label: name, to: `/models/${encodeURIComponent(name)}` },
        ]}
        actions={
          <LinkButton to={`/models/${encodeURIComponent(name)}?version=${encodeURIComponent(version)}`}>
            <Boxes className="size-4" aria-hidden /> Open the version
          </LinkButton>
        }
      />
      {found.isPending ? (
        <Loading />
      ) : found.error ? (
        <ErrorView error={found.error} title="Cannot load the model version" />
      ) : (
        <div className="flex flex-col gap-4">
          <Panel>
            <Facts
              items={[
                ['Version', `${found.data.name} version ${found.data.version}`],
                [
                  'Made by',
                  found.data.runId ? (
                    <Link
                      className="text-accent hover:underline"
                      to={`/runs/${encodeURIComponent(found.data.runId)}`}
                    >
                      run {shortId(found.data.runId)}
                      {found.data.pipeline ? ` of ${found.data.pipeline}` : ''}
                    </Link>
                  ) : (
                    'saved outside a run'
                  ),
                ],
                ['Inputs', `${inputs.length} input commit${inputs.length === 1 ? '' : 's'}`],
                ['Saved', formatTime(found.data.createdAt)],
              ]}
            />
          </Panel>
          <Panel title="Graph">
            {failed && <ErrorView error={failed} title="Part of the upstream lineage could not be loaded" />}
            {built && built.graph.nodes.size > 1 ? (
              <LineageDiagram
                graph={built.graph}
                focus={built.focus}
                label={`Lineage of ${name} version ${version}`}
              />
            ) : (
              <p className="text-muted">
                This version was saved outside a pipeline run, so it has no recorded inputs.
              </p>
            )}
          </Panel>
        </div>
      )}
    </div>
  );
}
