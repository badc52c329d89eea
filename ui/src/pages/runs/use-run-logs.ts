/**
 * A run's log lines: the history page by page from `/api/runs/{id}/logs`, then, while the
 * run may still write, the live tail from `/logs/stream` (EventSource, resuming after the
 * last seq). Lines arrive in batches of one animation frame, so a chatty step does not
 * re-render per line.
 */
import { useEffect, useRef, useState } from 'react';
import { api, streamUrl, unwrap } from '../../api/client';
import type { LogLine } from '../../api/types';

const PAGE = 10_000;
const MAX_LINES = 500_000;

export interface RunLogs {
  /** Every line so far, oldest first (one array, appended to; `count` tells it changed). */
  lines: readonly LogLine[];
  count: number;
  loading: boolean;
  error: unknown;
  /** Whether the live stream is open. */
  following: boolean;
}

/** The log lines of `runId` (of one step, if given); follows them live when `follow` at load. */
export function useRunLogs(runId: string, step: string, follow: boolean): RunLogs {
  const followAtLoad = useRef(follow);
  followAtLoad.current = follow;
  const [state, setState] = useState<RunLogs>({
    lines: [],
    count: 0,
    loading: true,
    error: null,
    following: false,
  });
  useEffect(() => {
    const lines: LogLine[] = [];
    let lastSeq = 0;
    let closed = false;
    let source: EventSource | undefined;
    let frame = 0;
    const publish = (patch: Partial<RunLogs> = {}) =>
      setState((previous) => ({ ...previous, lines, count: lines.length, ...patch }));
    const schedule = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (!closed) publish();
      });
    };
    setState({ lines, count: 0, loading: true, error: null, following: false });
    const load = async () => {
      for (;;) {
        const page = await unwrap(
          api.GET('/api/runs/{id}/logs', {
            params: {
              path: { id: runId },
              query: { after: lastSeq, limit: PAGE, ...(step ? { step } : {}) },
            },
          }),
        );
        if (closed) return;
        for (const line of page) lines.push(line);
        if (page.length > 0) lastSeq = page[page.length - 1]!.seq;
        if (page.length < PAGE || lines.length >= MAX_LINES) break;
      }
      if (!followAtLoad.current) return publish({ loading: false });
      source = new EventSource(
        streamUrl(`/api/runs/${encodeURIComponent(runId)}/logs/stream`, {
          after: lastSeq,
          ...(step ? { step } : {}),
        }),
      );
      publish({ loading: false, following: true });
      source.addEventListener('log', (event) => {
        const line = JSON.parse((event as MessageEvent<string>).data) as LogLine;
        if (line.seq <= lastSeq) return;
        lastSeq = line.seq;
        lines.push(line);
        schedule();
      });
      source.addEventListener('end', () => {
        source?.close();
        publish({ following: false });
      });
      source.addEventListener('error', () => {
        if (source?.readyState === EventSource.CLOSED) publish({ following: false });
      });
    };
    load().catch((error: unknown) => {
      if (!closed) publish({ loading: false, error });
    });
    return () => {
      closed = true;
      source?.close();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [runId, step]);
  return state;
}
