/** `/pipelines/:name`: a pipeline's header with Launch, and its Overview, Spec, Versions and Runs tabs. */
import { Play } from 'lucide-react';
import { useParams } from 'react-router';
import { LinkButton } from '../../components/Button';
import { PageHeader } from '../../components/Page';
import { ErrorView, Loading } from '../../components/States';
import { UrlTabs } from '../../components/Tabs';
import { PipelineOverview } from './PipelineOverview';
import { usePipeline } from './queries';
import { RunsTab } from './RunsTab';
import { SpecView } from './SpecView';
import { VersionsTab } from './VersionsTab';

export function PipelinePage() {
  const name = useParams().name ?? '';
  const query = usePipeline(name);
  const crumbs = [{ label: 'Pipelines', to: '/pipelines' }];
  if (query.isPending) return <Loading />;
  if (query.isError)
    return (
      <>
        <PageHeader title={name} crumbs={crumbs} />
        <ErrorView error={query.error} title={`Cannot show pipeline ${name}`} />
      </>
    );
  const { pipeline, definition, problems } = query.data;
  return (
    <>
      <PageHeader
        title={
          <span className="flex items-baseline gap-2">
            {pipeline.name}
            <span className="font-mono text-sm font-normal text-muted">v{pipeline.version}</span>
          </span>
        }
        crumbs={crumbs}
        actions={
          <LinkButton to={`/pipelines/${name}/launch`} variant="primary">
            <Play className="size-4" aria-hidden /> Launch
          </LinkButton>
        }
      >
        {definition?.description}
      </PageHeader>
      {problems.length > 0 && (
        <div role="alert" className="mb-4 rounded-lg border border-warn/40 bg-warn/10 p-3 text-sm">
          <div className="font-semibold text-warn">The spec file does not load now</div>
          <ul className="mt-1 list-disc pl-5 font-mono text-xs">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      )}
      <UrlTabs
        tabs={[
          { id: 'overview', label: 'Overview', content: <PipelineOverview detail={query.data} /> },
          { id: 'spec', label: 'Spec', content: <SpecView detail={query.data} /> },
          {
            id: 'versions',
            label: `Versions (${query.data.versions.length})`,
            content: <VersionsTab versions={query.data.versions} />,
          },
          { id: 'runs', label: 'Runs', content: <RunsTab name={name} /> },
        ]}
      />
    </>
  );
}
