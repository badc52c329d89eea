/**
 * Logs and live events. `GET /api/runs/{id}/logs` pages through a run's log lines;
 * `.../logs/stream` follows them as server-sent events until the run ends (each event's
 * `id:` is the line's seq, so a reconnecting EventSource resumes after `Last-Event-ID`);
 * `GET /api/events` streams run status changes.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { RunRecord, RunStatus } from '../../../store/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import { LogSchema, errorResponses, intQuery, jsonContent, pathParam } from '../schemas.js';

const TERMINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);
const RunId = z.object({ id: pathParam('id', 'run id or a unique prefix') });
const sse = (description: string) => ({
  content: { 'text/event-stream': { schema: z.string() } },
  description,
});

const logs = createRoute({
  method: 'get',
  path: '/api/runs/{id}/logs',
  tags: ['logs'],
  summary: "A run's log lines after a seq, oldest first",
  request: {
    params: RunId,
    query: z.object({
      after: intQuery('after', 'only lines with seq greater than this'),
      limit: intQuery('limit', 'at most this many lines (default 5000)', 50_000),
      step: z.string().optional().openapi({ description: 'only this step' }),
    }),
  },
  responses: { 200: jsonContent(z.array(LogSchema), 'log lines'), ...errorResponses(400, 404) },
});

const logStream = createRoute({
  method: 'get',
  path: '/api/runs/{id}/logs/stream',
  tags: ['logs'],
  summary: "Follow a run's log lines as server-sent events until the run ends",
  description:
    'Events: `log` (data: a LogLine, id: its seq) and a final `end` (data: the run). Resumes after `Last-Event-ID` or `?after=`. Accepts `?token=` since EventSource cannot send headers.',
  request: {
    params: RunId,
    query: z.object({
      after: intQuery('after', 'start after this seq'),
      step: z.string().optional().openapi({ description: 'only this step' }),
      token: z.string().optional().openapi({ description: 'API token (only for event streams)' }),
    }),
  },
  responses: { 200: sse('text/event-stream of log lines'), ...errorResponses(404) },
});

const events = createRoute({
  method: 'get',
  path: '/api/events',
  tags: ['logs'],
  summary: 'Run status changes as server-sent events',
  description: 'Event `run` (data: the Run) whenever a run appears or changes status.',
  request: {
    query: z.object({
      token: z.string().optional().openapi({ description: 'API token (only for event streams)' }),
    }),
  },
  responses: { 200: sse('text/event-stream of run changes') },
});

/** Sleeps `ms`, waking early when the stream is aborted. */
function pause(stream: SSEStreamingApi, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    stream.onAbort(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Registers the log and event routes. */
export function registerEventRoutes(app: ApiApp, deps: ApiDeps): void {
  const { workspace } = deps;
  const pollMs = deps.pollMs ?? 200;
  app.openapi(logs, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const records = await workspace.api.logs(id, {
      limit: query.limit ?? 5000,
      ...(query.after !== undefined ? { afterSeq: query.after } : {}),
      ...(query.step ? { step: query.step } : {}),
    });
    return ok(c, records);
  });

  app.openapi(logStream, async (c) => {
    const { run } = await workspace.api.runDetail(c.req.valid('param').id);
    const query = c.req.valid('query');
    const lastEventId = Number(c.req.header('last-event-id'));
    let after = Number.isInteger(lastEventId) && lastEventId > 0 ? lastEventId : (query.after ?? 0);
    const step = query.step ? { step: query.step } : {};
    return streamSSE(c, async (stream) => {
      while (!stream.aborted) {
        const records = await workspace.store.listLogs(run.id, { afterSeq: after, limit: 1000, ...step });
        for (const record of records) {
          await stream.writeSSE({ event: 'log', id: String(record.seq), data: JSON.stringify(record) });
          after = record.seq;
        }
        if (records.length === 1000) continue;
        const current = await workspace.store.getRun(run.id);
        if (!current || TERMINAL.has(current.status)) {
          const rest = await workspace.store.listLogs(run.id, { afterSeq: after, ...step });
          for (const record of rest)
            await stream.writeSSE({ event: 'log', id: String(record.seq), data: JSON.stringify(record) });
          await stream.writeSSE({ event: 'end', data: JSON.stringify(current ?? run) });
          return;
        }
        await pause(stream, pollMs);
      }
    }) as never;
  });

  app.openapi(
    events,
    (c) =>
      streamSSE(c, async (stream) => {
        let seen = new Map<string, RunStatus>();
        // NOTE: only the runs of the latest poll are remembered, so the map stays bounded.
        const changes = (runs: RunRecord[]): RunRecord[] => {
          const changed = runs.filter((run) => seen.get(run.id) !== run.status);
          seen = new Map(runs.map((run) => [run.id, run.status]));
          return changed;
        };
        changes(await workspace.store.listRuns({ limit: 500 }));
        await stream.writeSSE({ event: 'ready', data: '{}' });
        while (!stream.aborted) {
          await pause(stream, pollMs);
          if (stream.aborted) break;
          const runs = await workspace.store.listRuns({ limit: 500 });
          for (const run of changes(runs).reverse())
            await stream.writeSSE({ event: 'run', id: `${run.id}:${run.status}`, data: JSON.stringify(run) });
        }
      }) as never,
  );
}
