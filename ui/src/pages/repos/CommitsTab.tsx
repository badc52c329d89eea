/** The repo page's Commits tab: the log from the selected ref, with what changed and who made it. */
import { Link } from 'react-router';
import type { CommitRow as Commit } from './provenance';
import { Command, EmptyState, ErrorView, Loading } from '../../components/States';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatAgo, formatBytes, formatTime, shortId } from '../../lib/format';
import { provenanceOf } from './provenance';
import { useLog } from './queries';
import { repoHref } from './repo-url';

/** `+3 ~1 −2` with colours, for a commit's file changes. */
export function ChangeCounts({ commit }: { commit: Commit }) {
  return (
    <span className="flex gap-2 font-mono text-xs tabular-nums">
      <span className="text-ok" title="files added">
        +{commit.added}
      </span>
      <span className="text-warn" title="files changed">
        ~{commit.changed}
      </span>
      <span className="text-bad" title="files removed">
        −{commit.removed}
      </span>
    </span>
  );
}

/** The run and pipeline that produced a commit, as links; "uploaded" otherwise. */
export function ProducedBy({ commit }: { commit: Commit }) {
  const provenance = provenanceOf(commit);
  if (!provenance) return <span className="text-muted">uploaded</span>;
  return (
    <span className="flex min-w-0 items-baseline gap-1.5">
      <Link
        to={`/runs/${encodeURIComponent(provenance.runId)}`}
        className="font-mono text-xs text-accent hover:underline"
        onClick={(event) => event.stopPropagation()}
      >
        run {shortId(provenance.runId)}
      </Link>
      <span className="truncate text-muted">of {provenance.pipeline}</span>
    </span>
  );
}

const COLUMNS: Column<Commit>[] = [
  {
    id: 'id',
    header: 'Commit',
    width: '7.5rem',
    cell: (commit) => <span className="font-mono text-xs">{shortId(commit.id)}</span>,
  },
  { id: 'message', header: 'Message', width: 'minmax(12rem, 2fr)', cell: (commit) => commit.message || '—' },
  {
    id: 'when',
    header: 'When',
    width: '7rem',
    cell: (commit) => (
      <span className="text-muted" title={formatTime(commit.createdAt)}>
        {formatAgo(commit.createdAt)}
      </span>
    ),
  },
  { id: 'changes', header: 'Changes', width: '9rem', cell: (commit) => <ChangeCounts commit={commit} /> },
  {
    id: 'files',
    header: 'Files',
    width: '8rem',
    className: 'text-right tabular-nums text-muted',
    cell: (commit) => `${commit.fileCount} · ${formatBytes(commit.bytes)}`,
  },
  {
    id: 'by',
    header: 'Produced by',
    width: 'minmax(10rem, 1fr)',
    cell: (commit) => <ProducedBy commit={commit} />,
  },
];

export function CommitsTab({ repo, at }: { repo: string; at: string | undefined }) {
  const log = useLog(repo, at);
  if (log.isPending) return <Loading />;
  if (log.error) return <ErrorView error={log.error} />;
  return (
    <div>
      {log.data.length > 0 && (
        <p className="mb-2 text-muted">
          {log.data.length.toLocaleString('en-US')} commit{log.data.length === 1 ? '' : 's'} up to{' '}
          <span className="font-mono">{at ?? 'main'}</span>, newest first; open one to browse its files and
          its changes.
        </p>
      )}
      <VirtualTable
        label="Commits"
        rows={log.data}
        columns={COLUMNS}
        rowKey={(commit) => commit.id}
        rowHref={(commit) => repoHref(repo, commit.id, 'files')}
        empty={
          <EmptyState title="No commits yet">
            Every upload or pipeline output is a commit. Add files to make the first one:
            <div>
              <Command>{`sluice put ${repo} ./folder`}</Command>
            </div>
          </EmptyState>
        }
      />
    </div>
  );
}
