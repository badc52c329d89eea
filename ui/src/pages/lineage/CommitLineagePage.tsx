/** `/lineage/commit/:repo/:commit`: where a commit came from and what was derived from it. */
import { useQuery } from '@tanstack/react-query';
import { Database } from 'lucide-react';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { LinkButton } from '../../components/Button';
import { Facts, PageHeader, Panel } from '../../components/Page';
import { ErrorView, Loading } from '../../components/States';
import { shortId } from '../../lib/format';
import { readProvenance } from '../repos/provenance';
import { commitGraph } from './lineage-graph';
import { LineageDiagram } from './LineageDiagram';

export function CommitLineagePage() {
  const { repo = '', commit = '' } = useParams();
  const lineage = useQuery({
    queryKey: ['repos', repo, 'lineage', commit],
    queryFn: () =>
      unwrap(api.GET('/api/repos/{repo}/lineage', { params: { path: { repo }, query: { ref: commit } } })),
  });
  const built = useMemo(() => (lineage.data ? commitGraph(lineage.data) : null), [lineage.data]);
  const provenance = readProvenance(lineage.data?.provenance);
  const repoLink = `/repos/${encodeURIComponent(repo)}?ref=${encodeURIComponent(lineage.data?.commit ?? commit)}`;
  return (
    <div>
      <PageHeader
        title={
          <>
            Lineage of {repo}@<span className="font-mono">{shortId(lineage.data?.commit ?? commit)}</span>
          </>
        }
        crumbs={[
          { label: 'Lineage', to: '/lineage' },
          { label: repo, to: `/repos/${encodeURIComponent(repo)}` },
        ]}
        actions={
          <LinkButton to={repoLink}>
            <Database className="size-4" aria-hidden /> Browse files
          </LinkButton>
        }
      />
      {lineage.isPending ? (
        <Loading />
      ) : lineage.error ? (
        <ErrorView error={lineage.error} title="Cannot load the lineage" />
      ) : (
        <div className="flex flex-col gap-4">
          <Panel>
            <Facts
              items={[
                ['Commit', <span className="font-mono">{lineage.data.commit}</span>],
                ['Message', lineage.data.message || '—'],
                [
                  'Made by',
                  provenance ? (
                    <>
                      <Link
                        className="text-accent hover:underline"
                        to={`/runs/${encodeURIComponent(provenance.runId)}`}
                      >
                        run {shortId(provenance.runId)}
                      </Link>{' '}
                      of pipeline{' '}
                      <Link
                        className="text-accent hover:underline"
                        to={`/pipelines/${encodeURIComponent(provenance.pipeline)}`}
                      >
                        {provenance.pipeline}
                      </Link>
                    </>
                  ) : (
                    'an upload (no pipeline made it)'
                  ),
                ],
                [
                  'Upstream',
                  `${lineage.data.upstream.length} input commit${lineage.data.upstream.length === 1 ? '' : 's'}`,
                ],
                [
                  'Downstream',
                  `${lineage.data.downstream.length} derived commit${lineage.data.downstream.length === 1 ? '' : 's'}`,
                ],
              ]}
            />
          </Panel>
          <Panel title="Graph">
            {built && built.graph.nodes.size > 1 ? (
              <LineageDiagram
                graph={built.graph}
                focus={built.focus}
                label={`Lineage of ${repo}@${shortId(commit)}`}
              />
            ) : (
              <p className="text-muted">
                This commit was uploaded and nothing has been derived from it yet. Pipelines that read{' '}
                <span className="font-mono">{repo}</span> will appear here once they run on it.
              </p>
            )}
          </Panel>
        </div>
      )}
    </div>
  );
}
