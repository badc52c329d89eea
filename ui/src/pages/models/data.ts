/** Model registry queries and mutations (all under the `models` query key). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, fetchBlob, unwrap } from '../../api/client';
import type { ModelVersion } from '../../api/types';

/** Every model with its version count and aliases. */
export function useModels() {
  return useQuery({ queryKey: ['models'], queryFn: () => unwrap(api.GET('/api/models')) });
}

/** A model's versions, newest first. */
export function useVersions(name: string) {
  return useQuery({
    queryKey: ['models', name],
    queryFn: () => unwrap(api.GET('/api/models/{name}', { params: { path: { name } } })),
  });
}

/** Points `alias` at `version` (moving it) or removes it; refreshes registry queries. */
export function useAliasMutations(name: string) {
  const client = useQueryClient();
  const onSuccess = () => client.invalidateQueries({ queryKey: ['models'] });
  const set = useMutation({
    mutationFn: ({ alias, version }: { alias: string; version: number }) =>
      unwrap(
        api.PUT('/api/models/{name}/aliases/{alias}', {
          params: { path: { name, alias } },
          body: { version },
        }),
      ),
    onSuccess,
  });
  const remove = useMutation({
    mutationFn: (alias: string) =>
      unwrap(api.DELETE('/api/models/{name}/aliases/{alias}', { params: { path: { name, alias } } })),
    onSuccess,
  });
  return { set, remove };
}

/** Downloads one file of a version through the API (with the token) as a browser download. */
export async function downloadFile(version: ModelVersion, path: string): Promise<void> {
  const blob = await fetchBlob(
    `/api/models/${encodeURIComponent(version.name)}/versions/${version.version}/files/${path
      .split('/')
      .map(encodeURIComponent)
      .join('/')}`,
  );
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = path.split('/').pop() ?? path;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Metric keys and param keys over `versions`, sorted. */
export function keysOf(versions: readonly ModelVersion[]): { metrics: string[]; params: string[] } {
  const metrics = new Set<string>();
  const params = new Set<string>();
  for (const version of versions) {
    for (const key of Object.keys(version.metrics)) metrics.add(key);
    for (const key of Object.keys(version.params)) params.add(key);
  }
  return { metrics: [...metrics].sort(), params: [...params].sort() };
}

/** User-set aliases first, `latest` last. */
export function sortAliases(aliases: readonly string[]): string[] {
  return [...aliases].sort((a, b) => (a === 'latest' ? 1 : b === 'latest' ? -1 : a.localeCompare(b)));
}
