/** The commit on screen: id, message, producer, and (on demand) its diff against its parent. */
import { GitCommitHorizontal } from 'lucide-react';
import { useState } from 'react';
import type { CommitRow as Commit } from './provenance';
import { Button, LinkButton } from '../../components/Button';
import { ErrorView, Loading } from '../../components/States';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatAgo, formatBytes, formatTime, shortId } from '../../lib/format';
import { ChangeCounts, ProducedBy } from './CommitsTab';
import { useDiff } from './queries';
import { repoHref } from './repo-url';

type Diff = { path: string; before: { size: number } | null; after: { size: number } | null };

const DIFF_COLUMNS: Column<Diff>[] = [
  {
    id: 'kind',
    header: 'Change',
    width: '6rem',
    cell: (diff) =>
      !diff.before ? (
        <span className="text-ok">added</span>
      ) : !diff.after ? (
        <span className="text-bad">removed</span>
      ) : (
        <span className="text-warn">changed</span>
      ),
  },
  {
    id: 'path',
    header: 'Path',
    width: 'minmax(12rem, 1fr)',
    className: 'font-mono text-xs',
    cell: (diff) => diff.path,
  },
  {
    id: 'size',
    header: 'Size',
    width: '12rem',
    className: 'text-right tabular-nums text-muted',
    cell: (diff) =>
      diff.before && diff.after
        ? `${formatBytes(diff.before.size)} → ${formatBytes(diff.after.size)}`
        : formatBytes((diff.after ?? diff.before)?.size ?? 0),
  },
];

function DiffView({ repo, commit }: { repo: string; commit: Commit }) {
  const diff = useDiff(repo, commit.parent, commit.id);
  if (diff.isPending) return <Loading />;
  if (diff.error) return <ErrorView error={diff.error} />;
  return (
    <VirtualTable
      label={`Changes from ${shortId(commit.parent)} to ${shortId(commit.id)}`}
      rows={diff.data}
      columns={DIFF_COLUMNS}
      rowKey={(entry) => entry.path}
      maxHeight="40vh"
      empty={<p className="text-muted">No file changed in this commit.</p>}
    />
  );
}

export function CommitBanner({
  repo,
  commit,
  isBranch,
}: {
  repo: string;
  commit: Commit;
  isBranch: boolean;
}) {
  const [showDiff, setShowDiff] = useState(false);
  return (
    <section aria-label="Commit" className="mb-4 rounded-lg border border-line bg-panel p-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1">
          <GitCommitHorizontal className="size-4 shrink-0 text-muted" aria-hidden />
          <span className="font-mono text-xs" title={commit.id}>
            {isBranch ? `${commit.branch} at ` : 'commit '}
            {shortId(commit.id)}
          </span>
          <span className="min-w-0 truncate font-medium">{commit.message || '—'}</span>
          <ChangeCounts commit={commit} />
          <span className="text-muted" title={formatTime(commit.createdAt)}>
            {formatAgo(commit.createdAt)}
          </span>
          <ProducedBy commit={commit} />
        </div>
        <div className="flex gap-2">
          {commit.parent && (
            <Button aria-expanded={showDiff} onClick={() => setShowDiff((value) => !value)}>
              {showDiff ? 'Hide diff' : 'Diff vs parent'}
            </Button>
          )}
          {!isBranch && (
            <LinkButton to={repoHref(repo, commit.branch, 'files')}>Back to {commit.branch}</LinkButton>
          )}
        </div>
      </div>
      {showDiff && (
        <div className="mt-3">
          <DiffView repo={repo} commit={commit} />
        </div>
      )}
    </section>
  );
}
