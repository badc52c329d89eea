/**
 * The Gantt chart's rows, computed once per run refresh: a row per step (first start to
 * last finish) and, for expanded steps, a row per datum with a segment per attempt.
 */
import type { Attempt, RunDetail, Task } from '../../api/types';
import { aggregateState, countByStep } from './run-state';

/** A coloured piece of a bar, in epoch milliseconds (`end` null: still running). */
export interface Segment {
  start: number;
  end: number | null;
  state: string;
  title: string;
}

export type TimelineRow =
  | { kind: 'step'; step: string; state: string; datums: number; segments: Segment[] }
  | { kind: 'datum'; step: string; datum: string; state: string; segments: Segment[] };

/** Tasks grouped by step (steps in the order they first started) and attempts by task. */
export interface TimelineIndex {
  steps: string[];
  tasks: Map<string, Task[]>;
  attempts: Map<string, Attempt[]>;
  start: number | null;
  end: number | null;
  running: boolean;
}

const time = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);

/** Groups a run's tasks and attempts once; the rows are cheap to derive from this. */
export function indexRun(detail: RunDetail): TimelineIndex {
  const tasks = new Map<string, Task[]>();
  for (const task of detail.tasks) {
    const list = tasks.get(task.step);
    if (list) list.push(task);
    else tasks.set(task.step, [task]);
  }
  const attempts = new Map<string, Attempt[]>();
  for (const attempt of detail.attempts) {
    const key = `${attempt.step}\0${attempt.datum}`;
    const list = attempts.get(key);
    if (list) list.push(attempt);
    else attempts.set(key, [attempt]);
  }
  let start = time(detail.run.startedAt);
  let end = time(detail.run.finishedAt);
  let running = false;
  for (const task of detail.tasks) {
    const began = time(task.startedAt);
    if (began !== null && (start === null || began < start)) start = began;
    const ended = time(task.finishedAt);
    if (ended !== null && (end === null || ended > end) && detail.run.finishedAt === null) end = ended;
    if (task.status === 'running') running = true;
  }
  return {
    steps: [...tasks.keys()],
    tasks,
    attempts,
    start,
    end,
    running: running || detail.run.finishedAt === null,
  };
}

function stepSegment(step: string, tasks: Task[], counts: Record<string, number>): Segment[] {
  let start: number | null = null;
  let end: number | null = null;
  let open = false;
  for (const task of tasks) {
    const began = time(task.startedAt);
    if (began === null) continue;
    if (start === null || began < start) start = began;
    const ended = time(task.finishedAt);
    if (ended === null) open = true;
    else if (end === null || ended > end) end = ended;
  }
  if (start === null) return [];
  return [{ start, end: open ? null : end, state: aggregateState(counts), title: step }];
}

function datumSegments(task: Task, attempts: Attempt[] | undefined): Segment[] {
  if (attempts && attempts.length > 0)
    return attempts.map((attempt) => ({
      start: Date.parse(attempt.startedAt),
      end: time(attempt.finishedAt),
      state: attempt.status,
      title: `attempt ${attempt.attempt}: ${attempt.status}${attempt.error ? ` — ${attempt.error.message}` : ''}`,
    }));
  const start = time(task.startedAt);
  return start === null
    ? []
    : [{ start, end: time(task.finishedAt), state: task.status, title: task.status }];
}

/** The visible rows: every step, and the datums of the `expanded` steps. */
export function timelineRows(index: TimelineIndex, expanded: ReadonlySet<string>): TimelineRow[] {
  const counts = countByStep([...index.tasks.values()].flat());
  const rows: TimelineRow[] = [];
  for (const step of index.steps) {
    const tasks = index.tasks.get(step) ?? [];
    const stepCounts = counts[step] ?? {};
    rows.push({
      kind: 'step',
      step,
      state: aggregateState(stepCounts),
      datums: tasks.length,
      segments: stepSegment(step, tasks, stepCounts),
    });
    if (!expanded.has(step)) continue;
    for (const task of tasks)
      rows.push({
        kind: 'datum',
        step,
        datum: task.datum,
        state: task.status === 'success' && task.attempts > 1 ? 'recovered' : task.status,
        segments: datumSegments(task, index.attempts.get(`${step}\0${task.datum}`)),
      });
  }
  return rows;
}
