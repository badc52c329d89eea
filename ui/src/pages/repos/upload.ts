/**
 * Uploads files as one commit through the multipart route (`POST /api/repos/{repo}/commits`,
 * one part per file named by its repo path), with upload progress. XMLHttpRequest because
 * fetch cannot report upload progress.
 */
import { ApiError, savedToken } from '../../api/client';
import type { CommitRow as Commit } from './provenance';

/** One file to upload and where it goes in the repo. */
export interface UploadItem {
  path: string;
  file: File;
}

/** `folder` + `name` as a repo path. */
export function joinRepoPath(folder: string, name: string): string {
  return `${folder.replace(/\/+$/, '')}/${name.replace(/^\/+/, '')}`;
}

/** Commits `items` to `branch` of `repo`; resolves the commit (null when nothing changed). */
export function uploadFiles(
  repo: string,
  branch: string,
  items: readonly UploadItem[],
  message: string,
  onProgress: (fraction: number) => void,
): Promise<Commit | null> {
  const form = new FormData();
  form.set('branch', branch);
  form.set('message', message);
  for (const item of items) form.append(item.path, item.file, item.file.name);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/repos/${encodeURIComponent(repo)}/commits`);
    const token = savedToken();
    if (token) request.setRequestHeader('authorization', `Bearer ${token}`);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('error', () =>
      reject(new ApiError(0, 'NETWORK', 'the upload failed: cannot reach the Sluice server')),
    );
    request.addEventListener('load', () => {
      let body: { commit?: Commit | null; code?: string; message?: string } = {};
      try {
        body = JSON.parse(request.responseText) as typeof body;
      } catch {
        // NOTE: a proxy's HTML error page; the status says enough.
      }
      if (request.status >= 200 && request.status < 300) resolve(body.commit ?? null);
      else
        reject(
          new ApiError(
            request.status,
            body.code ?? `HTTP_${request.status}`,
            body.message ?? `${request.status} ${request.statusText}`,
          ),
        );
    });
    request.send(form);
  });
}
