/** The selected file: its name, size and a download button, and a preview chosen by its type. */
import { useQuery } from '@tanstack/react-query';
import { Download, X } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { fetchBlob } from '../../api/client';
import { Button } from '../../components/Button';
import { ErrorView, Loading } from '../../components/States';
import { formatBytes } from '../../lib/format';
import { CsvPreview } from './preview/CsvPreview';
import { DicomPreview } from './preview/DicomPreview';
import { previewKind, PREVIEW_LIMIT } from './preview/file-kind';
import { ImagePreview } from './preview/ImagePreview';
import { JsonPreview } from './preview/JsonPreview';
import { TextPreview } from './preview/TextPreview';
import { baseName, fileUrl } from './queries';

/** Saves a blob under `name` through a temporary link. */
function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function DownloadButton({ url, name }: { url: string; name: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      saveBlob(await fetchBlob(url), name);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button disabled={busy} onClick={() => void download()}>
        <Download className="size-4" aria-hidden /> {busy ? 'Downloading…' : 'Download'}
      </Button>
      {error !== null && <ErrorView error={error} title="Download failed" />}
    </>
  );
}

function Body({
  repo,
  at,
  path,
  size,
}: {
  repo: string;
  at: string | undefined;
  path: string;
  size: number | undefined;
}) {
  const kind = previewKind(path);
  const url = fileUrl(repo, path, at);
  const tooBig = size !== undefined && size > PREVIEW_LIMIT[kind];
  const blob = useQuery({
    queryKey: ['repos', repo, 'file', at ?? '', path],
    queryFn: () => fetchBlob(url),
    enabled: kind !== 'binary' && !tooBig,
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (kind === 'binary' || tooBig)
    return (
      <p className="text-muted">
        {tooBig
          ? `This file (${formatBytes(size ?? 0)}) is too large to preview here; download it instead.`
          : `No preview for this type of file (${formatBytes(size ?? 0)}); download it to open it.`}
      </p>
    );
  if (blob.isPending) return <Loading label="Loading the file…" />;
  if (blob.error) return <ErrorView error={blob.error} title="Cannot load the file" />;
  switch (kind) {
    case 'image':
      return <ImagePreview blob={blob.data} path={path} />;
    case 'dicom':
      return <DicomPreview blob={blob.data} />;
    case 'csv':
      return <CsvPreview blob={blob.data} delimiter={path.toLowerCase().endsWith('.tsv') ? '\t' : ','} />;
    case 'json':
      return <JsonPreview blob={blob.data} />;
    default:
      return <TextPreview blob={blob.data} />;
  }
}

export function FilePreview({
  repo,
  at,
  path,
  size,
  closeHref,
}: {
  repo: string;
  at: string | undefined;
  path: string;
  size: number | undefined;
  closeHref: string;
}) {
  const name = baseName(path);
  return (
    <section aria-label={`Preview of ${name}`} className="min-w-0 rounded-lg border border-line bg-panel">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-line px-4 py-2">
        <div className="min-w-0">
          <h2 className="truncate font-semibold" title={path}>
            {name}
          </h2>
          <div className="truncate font-mono text-xs text-muted">
            {path}
            {size !== undefined && ` · ${formatBytes(size)}`}
          </div>
        </div>
        <div className="flex items-center gap-2">
          <DownloadButton url={fileUrl(repo, path, at)} name={name} />
          <Link
            to={closeHref}
            aria-label="Close the preview"
            className="rounded p-1.5 text-muted hover:bg-sunken hover:text-fg"
          >
            <X className="size-4" aria-hidden />
          </Link>
        </div>
      </div>
      <div className="p-4">
        <Body repo={repo} at={at} path={path} size={size} />
      </div>
    </section>
  );
}
