/**
 * Live updates: one EventSource on `/api/events` for the whole app. A run that appears or
 * changes state refreshes the queries that show runs; pages never poll for run states.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { streamUrl } from './client';
import type { Run } from './types';

/** Listeners of run changes beyond the query cache (e.g. a toast). */
const listeners = new Set<(run: Run) => void>();

/** Calls `listener` for every run change while the component is mounted. */
export function useRunChanges(listener: (run: Run) => void): void {
  useEffect(() => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, [listener]);
}

/** Connects the event stream; answers whether it is connected. Mount once, in the layout. */
export function useLiveEvents(token: string | null): boolean {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const source = new EventSource(streamUrl('/api/events'));
    source.addEventListener('ready', () => setConnected(true));
    source.addEventListener('error', () => setConnected(false));
    source.addEventListener('run', (event) => {
      const run = JSON.parse((event as MessageEvent<string>).data) as Run;
      void client.invalidateQueries({ queryKey: ['runs'] });
      void client.invalidateQueries({ queryKey: ['run', run.id] });
      void client.invalidateQueries({ queryKey: ['pipeline', run.pipeline] });
      if (run.status !== 'running' && run.status !== 'queued') {
        void client.invalidateQueries({ queryKey: ['repos'] });
        void client.invalidateQueries({ queryKey: ['models'] });
      }
      for (const listener of listeners) listener(run);
    });
    return () => source.close();
  }, [client, token]);
  return connected;
}
