/** The repos section's queries, all under the `['repos', ...]` key so commits refresh them. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { CommitRow } from './provenance';

/** Every repo with its branches and the head commit of main. */
export function useRepos() {
  return useQuery({ queryKey: ['repos'], queryFn: () => unwrap(api.GET('/api/repos')) });
}

/** A repo's branches. */
export function useBranches(repo: string) {
  return useQuery({
    queryKey: ['repos', repo, 'branches'],
    queryFn: () => unwrap(api.GET('/api/repos/{repo}/branches', { params: { path: { repo } } })),
  });
}

/** Commits reachable from `ref`, newest first (the first one is `ref`'s commit). */
export function useLog(repo: string, ref: string | undefined, limit = 1000) {
  return useQuery({
    queryKey: ['repos', repo, 'log', ref ?? '', limit],
    enabled: Boolean(repo),
    queryFn: () =>
      unwrap(api.GET('/api/repos/{repo}/log', { params: { path: { repo }, query: { ref, limit } } })).then(
        (commits) => commits.filter((commit): commit is CommitRow => commit !== null),
      ),
  });
}

/** Files and folders directly under `path` at `ref`. */
export function useListing(repo: string, ref: string | undefined, path: string) {
  return useQuery({
    queryKey: ['repos', repo, 'ls', ref ?? '', path],
    queryFn: () =>
      unwrap(api.GET('/api/repos/{repo}/ls', { params: { path: { repo }, query: { ref, path } } })),
  });
}

/** Files added, changed and removed from commit `from` to commit `to`. */
export function useDiff(repo: string, from: string | null, to: string) {
  return useQuery({
    queryKey: ['repos', repo, 'diff', from ?? '', to],
    enabled: from !== null,
    queryFn: () =>
      unwrap(api.GET('/api/repos/{repo}/diff', { params: { path: { repo }, query: { from: from!, to } } })),
  });
}

/** The URL of a file's bytes at `ref` (each path segment encoded). */
export function fileUrl(repo: string, path: string, ref: string | undefined): string {
  const encoded = path
    .split('/')
    .filter(Boolean)
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  const query = ref ? `?ref=${encodeURIComponent(ref)}` : '';
  return `/api/repos/${encodeURIComponent(repo)}/files/${encoded}${query}`;
}

/** The last segment of a repo path. */
export function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? '/';
}
