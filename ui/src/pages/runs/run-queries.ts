/**
 * The runs pages' queries, under the app's key conventions (`['runs', ...]`, `['run', id, ...]`)
 * so the app-wide event stream refreshes them. A run that is queued or running is also
 * re-read every 2 s: its tasks progress without the run changing state.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { isActive } from './run-state';

const FOLLOW_MS = 2000;

/** A run with its tasks, attempts and metrics; re-read every 2 s while it runs. */
export function useRunDetail(id: string) {
  return useQuery({
    queryKey: ['run', id],
    queryFn: () => unwrap(api.GET('/api/runs/{id}', { params: { path: { id } } })),
    refetchInterval: (query) =>
      query.state.data && isActive(query.state.data.run.status) ? FOLLOW_MS : false,
  });
}

/** A run's datums, optionally of one step and state (the counts always cover every datum). */
export function useRunDatums(id: string, filter: { step?: string; state?: string }, active: boolean) {
  return useQuery({
    queryKey: ['run', id, 'datums', filter.step ?? '', filter.state ?? ''],
    queryFn: () =>
      unwrap(
        api.GET('/api/runs/{id}/datums', {
          params: {
            path: { id },
            query: {
              ...(filter.step ? { step: filter.step } : {}),
              ...(filter.state ? { state: filter.state as 'failed' } : {}),
            },
          },
        }),
      ),
    refetchInterval: active ? FOLLOW_MS : false,
    placeholderData: (previous) => previous,
  });
}

/** Registered pipelines, for filters. */
export function usePipelineNames() {
  return useQuery({
    queryKey: ['pipelines'],
    queryFn: () => unwrap(api.GET('/api/pipelines')),
    select: (pipelines) => pipelines.map((pipeline) => pipeline.name).sort(),
  });
}

/** The current time, ticking every second while `live` (for durations of running things). */
export function useNow(live: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live]);
  return now;
}
