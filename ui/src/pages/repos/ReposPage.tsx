/** `/repos`: every repo with its description, head commit, file count and size. */
import { Database } from 'lucide-react';
import { useMemo } from 'react';
import type { Repo } from '../../api/types';
import type { CommitRow as Commit } from './provenance';
import { PageHeader } from '../../components/Page';
import { Command, EmptyState, ErrorView, Loading } from '../../components/States';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatAgo, formatBytes, formatTime, shortId } from '../../lib/format';
import { CreateRepoDialog } from './CreateRepoDialog';
import { useRepos } from './queries';

type Row = Repo & { head: Commit | null; branches: { name: string }[] };

const COLUMNS: Column<Row>[] = [
  {
    id: 'name',
    header: 'Repo',
    width: 'minmax(10rem, 1fr)',
    cell: (repo) => (
      <span className="flex items-center gap-2 font-medium">
        <Database className="size-4 shrink-0 text-muted" aria-hidden />
        <span className="truncate">{repo.name}</span>
      </span>
    ),
  },
  {
    id: 'description',
    header: 'Description',
    width: 'minmax(10rem, 1.4fr)',
    cell: (repo) => <span className="text-muted">{repo.description || '—'}</span>,
  },
  {
    id: 'head',
    header: 'Head of main',
    width: 'minmax(12rem, 1.6fr)',
    cell: (repo) =>
      repo.head ? (
        <span className="flex min-w-0 items-baseline gap-2">
          <span className="font-mono text-xs text-accent">{shortId(repo.head.id)}</span>
          <span className="truncate">{repo.head.message}</span>
        </span>
      ) : (
        <span className="text-muted">no commits</span>
      ),
  },
  {
    id: 'when',
    header: 'When',
    width: '7rem',
    cell: (repo) => (
      <span className="text-muted" title={formatTime(repo.head?.createdAt)}>
        {repo.head ? formatAgo(repo.head.createdAt) : '—'}
      </span>
    ),
  },
  {
    id: 'branches',
    header: 'Branches',
    width: '7rem',
    className: 'text-right tabular-nums',
    cell: (repo) => repo.branches.length,
  },
  {
    id: 'files',
    header: 'Files',
    width: '5rem',
    className: 'text-right tabular-nums',
    cell: (repo) => (repo.head ? repo.head.fileCount.toLocaleString('en-US') : 0),
  },
  {
    id: 'size',
    header: 'Size',
    width: '6rem',
    className: 'text-right tabular-nums',
    cell: (repo) => formatBytes(repo.head?.bytes ?? 0),
  },
];

/** The repos list page. */
export function ReposPage() {
  const repos = useRepos();
  const rows = useMemo(() => (repos.data ?? []) as Row[], [repos.data]);
  return (
    <div>
      <PageHeader title="Repos" actions={<CreateRepoDialog />}>
        Versioned data: each repo is a tree of files with a history of commits.
      </PageHeader>
      {repos.isPending ? (
        <Loading />
      ) : repos.error ? (
        <ErrorView error={repos.error} />
      ) : (
        <VirtualTable
          label="Repos"
          rows={rows}
          columns={COLUMNS}
          rowKey={(repo) => repo.name}
          rowHref={(repo) => `/repos/${encodeURIComponent(repo.name)}`}
          empty={
            <EmptyState title="No repos yet">
              Create one here or with the CLI, then add files to it; pipelines read repos and write their
              outputs to repos.
              <div className="flex flex-col items-center">
                <Command>sluice repo create images</Command>
                <Command>sluice put images ./folder</Command>
              </div>
            </EmptyState>
          }
        />
      )}
    </div>
  );
}
