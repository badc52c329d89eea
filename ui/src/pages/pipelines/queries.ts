/**
 * The pipeline section's queries, under the app's key conventions so run events refresh
 * them: `['pipelines']`, `['pipeline', name]`, `['runs', ...]`, `['run', id, ...]`, `['models']`.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api, unwrap } from '../../api/client';
import { useRunChanges } from '../../api/events';

/** Registered pipelines with triggers and recent runs; refreshed when any run changes. */
export function usePipelines() {
  const client = useQueryClient();
  const refresh = useCallback(() => void client.invalidateQueries({ queryKey: ['pipelines'] }), [client]);
  useRunChanges(refresh);
  return useQuery({ queryKey: ['pipelines'], queryFn: () => unwrap(api.GET('/api/pipelines')) });
}

/** One pipeline: its record, every version, the compiled spec and the spec text. */
export function usePipeline(name: string) {
  return useQuery({
    queryKey: ['pipeline', name],
    queryFn: () => unwrap(api.GET('/api/pipelines/{name}', { params: { path: { name } } })),
  });
}

/** The pipeline's runs, newest first. */
export function usePipelineRuns(name: string, limit = 500) {
  return useQuery({
    queryKey: ['runs', { pipeline: name, limit }],
    queryFn: () => unwrap(api.GET('/api/runs', { params: { query: { pipeline: name, limit } } })),
  });
}

/** A run with its tasks (for per-step states); disabled without an id. */
export function useRunTasks(id: string | undefined) {
  return useQuery({
    queryKey: ['run', id ?? ''],
    queryFn: () => unwrap(api.GET('/api/runs/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: id !== undefined,
  });
}

/** The model registry's models, for model-param suggestions. */
export function useModelSuggestions() {
  return useQuery({ queryKey: ['models'], queryFn: () => unwrap(api.GET('/api/models')) });
}
