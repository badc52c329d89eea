/**
 * Uploading into the folder on screen: a button with a file input, a drop zone around the
 * listing, and the progress and outcome of the upload. Each batch of files is one commit.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Upload } from 'lucide-react';
import { useCallback, useRef, useState, type DragEvent, type ReactNode } from 'react';
import type { CommitRow as Commit } from './provenance';
import { buttonClass } from '../../components/Button';
import { ErrorView } from '../../components/States';
import { shortId } from '../../lib/format';
import { droppedFiles, type DroppedFile } from './dropped-files';
import { joinRepoPath, uploadFiles } from './upload';

type UploadState =
  | { phase: 'idle' }
  | { phase: 'uploading'; count: number; fraction: number }
  | { phase: 'done'; commit: Commit | null; count: number }
  | { phase: 'failed'; error: unknown };

/** Upload state and a `start(files)` for the folder `folder` of `branch` (none: uploads are off). */
export function useUpload(repo: string, branch: string | undefined, folder: string) {
  const [state, setState] = useState<UploadState>({ phase: 'idle' });
  const client = useQueryClient();
  const start = useCallback(
    async (files: readonly DroppedFile[]) => {
      if (!branch || files.length === 0) return;
      const items = files.map(({ relativePath, file }) => ({
        path: joinRepoPath(folder, relativePath),
        file,
      }));
      const message = `upload ${files.length === 1 ? items[0]!.path : `${files.length} files to ${folder}`}`;
      setState({ phase: 'uploading', count: files.length, fraction: 0 });
      try {
        const commit = await uploadFiles(repo, branch, items, message, (fraction) =>
          setState({ phase: 'uploading', count: files.length, fraction }),
        );
        setState({ phase: 'done', commit, count: files.length });
        await client.invalidateQueries({ queryKey: ['repos'] });
      } catch (error) {
        setState({ phase: 'failed', error });
      }
    },
    [branch, client, folder, repo],
  );
  return {
    state,
    start,
    enabled: Boolean(branch),
    dismiss: () => setState({ phase: 'idle' }),
    fail: (error: unknown) => setState({ phase: 'failed', error }),
  };
}

type Upload = ReturnType<typeof useUpload>;

/** The "Upload" button (a labelled file input). */
export function UploadButton({ upload }: { upload: Upload }) {
  const input = useRef<HTMLInputElement>(null);
  const busy = upload.state.phase === 'uploading';
  return (
    <label
      className={buttonClass(
        'secondary',
        upload.enabled && !busy ? 'cursor-pointer' : 'cursor-not-allowed opacity-50',
      )}
      title={upload.enabled ? 'Upload files into this folder as one commit' : 'Select a branch to upload to'}
    >
      <Upload className="size-4" aria-hidden /> Upload
      <input
        ref={input}
        type="file"
        multiple
        aria-label="Upload files"
        className="sr-only"
        disabled={!upload.enabled || busy}
        onChange={(event) => {
          const files = Array.from(event.target.files ?? [], (file) => ({ relativePath: file.name, file }));
          if (input.current) input.current.value = '';
          void upload.start(files);
        }}
      />
    </label>
  );
}

/** The progress or outcome of the latest upload. */
export function UploadStatus({ upload }: { upload: Upload }) {
  const { state } = upload;
  if (state.phase === 'idle') return null;
  if (state.phase === 'failed')
    return (
      <div className="mb-3">
        <ErrorView error={state.error} title="The upload failed" />
      </div>
    );
  if (state.phase === 'uploading')
    return (
      <div role="status" className="mb-3 rounded-lg border border-line bg-panel p-3">
        <div className="mb-1.5 text-muted">
          Uploading {state.count} file{state.count === 1 ? '' : 's'}… {Math.round(state.fraction * 100)}%
        </div>
        <div className="h-1.5 overflow-hidden rounded bg-sunken">
          <div className="h-full bg-accent transition-all" style={{ width: `${state.fraction * 100}%` }} />
        </div>
      </div>
    );
  return (
    <div
      role="status"
      className="mb-3 flex items-center justify-between rounded-lg border border-ok/40 bg-ok/10 p-3"
    >
      <span>
        {state.commit
          ? `Committed ${state.count} file${state.count === 1 ? '' : 's'} as ${shortId(state.commit.id)}.`
          : 'Nothing changed: the files were already there.'}
      </span>
      <button type="button" className="text-muted hover:text-fg" onClick={upload.dismiss}>
        Dismiss
      </button>
    </div>
  );
}

/** A region that takes dropped files (with a hint while something is dragged over it). */
export function DropZone({ upload, children }: { upload: Upload; children: ReactNode }) {
  const [over, setOver] = useState(false);
  const accepts = (event: DragEvent) => upload.enabled && event.dataTransfer.types.includes('Files');
  return (
    <div
      className="relative"
      onDragOver={(event) => {
        if (!accepts(event)) return;
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={(event) => {
        if (!accepts(event)) return;
        event.preventDefault();
        setOver(false);
        // NOTE: the entries must be taken before the event ends; the walk then runs async.
        void droppedFiles(event.dataTransfer).then(upload.start, (error: unknown) => upload.fail(error));
      }}
    >
      {children}
      {over && (
        <div className="pointer-events-none absolute inset-0 flex items-center justify-center rounded-lg border-2 border-dashed border-accent bg-accent/10 font-medium text-accent">
          Drop files or folders to upload them here as one commit
        </div>
      )}
    </div>
  );
}
