/** The repo page's Files tab: breadcrumbs, the folder's entries, uploads, and the selected file's preview. */
import { File, Folder } from 'lucide-react';
import { Link, useSearchParams } from 'react-router';
import type { ListEntry } from '../../api/types';
import type { CommitRow as Commit } from './provenance';
import { Command, EmptyState, ErrorView, Loading } from '../../components/States';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatBytes } from '../../lib/format';
import { CommitBanner } from './CommitBanner';
import { FilePreview } from './FilePreview';
import { baseName, useListing } from './queries';
import { useSearchLink } from './repo-url';
import { DropZone, UploadButton, UploadStatus, useUpload } from './Uploader';

function Breadcrumbs({ path, repo }: { path: string; repo: string }) {
  const link = useSearchLink();
  const parts = path.split('/').filter(Boolean);
  const crumbs = [
    { label: repo, to: '/' },
    ...parts.map((part, index) => ({ label: part, to: `/${parts.slice(0, index + 1).join('/')}` })),
  ];
  return (
    <nav aria-label="Folder" className="flex min-w-0 flex-wrap items-center gap-1 font-mono text-sm">
      {crumbs.map((crumb, index) => (
        <span key={crumb.to} className="flex items-center gap-1">
          {index > 0 && <span className="text-muted">/</span>}
          {index === crumbs.length - 1 ? (
            <span aria-current="location" className="font-semibold">
              {crumb.label}
            </span>
          ) : (
            <Link
              className="text-accent hover:underline"
              to={link({ path: crumb.to === '/' ? null : crumb.to, file: null })}
            >
              {crumb.label}
            </Link>
          )}
        </span>
      ))}
    </nav>
  );
}

function columns(selected: string | null): Column<ListEntry>[] {
  return [
    {
      id: 'name',
      header: 'Name',
      width: 'minmax(10rem, 1fr)',
      cell: (entry) => (
        <span
          className={`flex items-center gap-2 ${entry.path === selected ? 'font-semibold text-accent' : ''}`}
        >
          {entry.type === 'dir' ? (
            <Folder className="size-4 shrink-0 text-accent" aria-hidden />
          ) : (
            <File className="size-4 shrink-0 text-muted" aria-hidden />
          )}
          <span className="truncate">{baseName(entry.path)}</span>
        </span>
      ),
    },
    {
      id: 'files',
      header: 'Files',
      width: '5rem',
      className: 'text-right tabular-nums text-muted',
      cell: (entry) => (entry.type === 'dir' ? entry.files.toLocaleString('en-US') : ''),
    },
    {
      id: 'size',
      header: 'Size',
      width: '6rem',
      className: 'text-right tabular-nums',
      cell: (entry) => formatBytes(entry.size),
    },
  ];
}

export function FilesTab({
  repo,
  at,
  branch,
  head,
}: {
  repo: string;
  at: string | undefined;
  branch: string | undefined;
  head: Commit | undefined;
}) {
  const [search] = useSearchParams();
  const link = useSearchLink();
  const path = search.get('path') ?? '/';
  const selected = search.get('file');
  const listing = useListing(repo, at, path);
  const upload = useUpload(repo, branch, path);
  const entries = [...((listing.data ?? []) as ListEntry[])].sort((a, b) =>
    a.type === b.type ? a.path.localeCompare(b.path) : a.type === 'dir' ? -1 : 1,
  );
  const selectedEntry = entries.find((entry) => entry.path === selected);
  const table = listing.isPending ? (
    <Loading />
  ) : listing.error ? (
    <ErrorView error={listing.error} title={`Cannot list ${path}`} />
  ) : (
    <VirtualTable
      label={`Files in ${path}`}
      rows={entries}
      columns={columns(selected)}
      rowKey={(entry) => entry.path}
      rowHref={(entry) =>
        link(entry.type === 'dir' ? { path: entry.path, file: null } : { file: entry.path })
      }
      maxHeight="65vh"
      empty={
        <EmptyState title={head ? 'This folder is empty' : 'No files yet'}>
          {branch
            ? 'Drop files here or use Upload, or add a folder with the CLI:'
            : 'Add files with the CLI:'}
          <div>
            <Command>{`sluice put ${repo} ./folder`}</Command>
          </div>
        </EmptyState>
      }
    />
  );
  return (
    <div>
      {head && <CommitBanner repo={repo} commit={head} isBranch={Boolean(branch)} />}
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <Breadcrumbs path={path} repo={repo} />
        <UploadButton upload={upload} />
      </div>
      <UploadStatus upload={upload} />
      <div className={`grid gap-4 ${selected ? 'xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]' : ''}`}>
        <DropZone upload={upload}>{table}</DropZone>
        {selected && (
          <FilePreview
            key={`${at}:${selected}`}
            repo={repo}
            at={head?.id ?? at}
            path={selected}
            size={selectedEntry?.size}
            closeHref={link({ file: null })}
          />
        )}
      </div>
    </div>
  );
}
