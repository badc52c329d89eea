/** `/repos/:repo`: a repo at a branch or commit, with its files, commits and branches. */
import { Network } from 'lucide-react';
import { useParams, useSearchParams } from 'react-router';
import { LinkButton } from '../../components/Button';
import { PageHeader } from '../../components/Page';
import { ErrorView, Loading } from '../../components/States';
import { UrlTabs } from '../../components/Tabs';
import { BranchesTab } from './BranchesTab';
import { CommitsTab } from './CommitsTab';
import { FilesTab } from './FilesTab';
import { useBranches, useLog, useRepos } from './queries';
import { RefSelect } from './RefSelect';
import { withSearch } from './repo-url';

/** The repo page. */
export function RepoPage() {
  const { repo = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const branches = useBranches(repo);
  const repos = useRepos();
  const fallback = branches.data
    ? (branches.data.find((branch) => branch.name === 'main') ?? branches.data[0])?.name
    : undefined;
  const ref = search.get('ref') ?? fallback;
  const isBranch = Boolean(branches.data?.some((branch) => branch.name === ref));
  const log = useLog(repo, ref);
  // NOTE: a repo without branches takes its first upload on main (the commit makes the branch).
  const uploadBranch = isBranch ? ref : branches.data?.length === 0 ? 'main' : undefined;
  const head = log.data?.[0];
  const description = repos.data?.find((entry) => entry.name === repo)?.description;
  if (branches.isPending) return <Loading />;
  if (branches.error) return <ErrorView error={branches.error} title={`Cannot open repo ${repo}`} />;
  const setRef = (next: string) =>
    setSearch(new URLSearchParams(withSearch(search, { ref: next, file: null, path: null }).slice(1)));
  return (
    <div>
      <PageHeader
        title={repo}
        crumbs={[{ label: 'Repos', to: '/repos' }]}
        actions={
          <>
            <RefSelect branches={branches.data} value={ref ?? ''} onChange={setRef} />
            {head && (
              <LinkButton
                to={`/lineage/commit/${encodeURIComponent(repo)}/${encodeURIComponent(head.id)}`}
                title="Where this commit came from and what was derived from it"
                aria-label={`Lineage of commit ${head.id}`}
              >
                <Network className="size-4" aria-hidden /> Lineage
              </LinkButton>
            )}
          </>
        }
      >
        {description}
      </PageHeader>
      {log.error ? (
        <ErrorView error={log.error} title={`Cannot read ${ref ?? 'the repo'}`} />
      ) : (
        <UrlTabs
          tabs={[
            {
              id: 'files',
              label: 'Files',
              content: <FilesTab repo={repo} at={ref} branch={uploadBranch} head={head} />,
            },
            { id: 'commits', label: 'Commits', content: <CommitsTab repo={repo} at={ref} /> },
            {
              id: 'branches',
              label: `Branches (${branches.data.length})`,
              content: <BranchesTab repo={repo} branches={branches.data} />,
            },
          ]}
        />
      )}
    </div>
  );
}
