/**
 * A pipeline's graph: data inputs as sources, steps wired by the values they read (an input
 * that another step outputs, or a data input), and each step's state in a run from the
 * counts of its tasks.
 */
import type { Task } from '../../api/types';
import type { PipelineDefinition } from './types';

/** A step's tasks of one run, counted, and the state they add up to. */
export interface StepState {
  status: 'succeeded' | 'failed' | 'running' | 'pending' | 'cancelled' | 'upstream_failed' | 'not run';
  done: number;
  failed: number;
  running: number;
  pending: number;
  total: number;
}

const DONE = new Set(['success', 'skipped', 'recovered']);

/** Counts each step's tasks by kind and derives its state (failed wins, then running). */
export function stepStates(tasks: readonly Task[]): Map<string, StepState> {
  const counts = new Map<
    string,
    {
      done: number;
      failed: number;
      running: number;
      pending: number;
      cancelled: number;
      upstream: number;
      total: number;
    }
  >();
  for (const task of tasks) {
    let entry = counts.get(task.step);
    if (!entry) {
      entry = { done: 0, failed: 0, running: 0, pending: 0, cancelled: 0, upstream: 0, total: 0 };
      counts.set(task.step, entry);
    }
    entry.total += 1;
    if (DONE.has(task.status)) entry.done += 1;
    else if (task.status === 'failed') entry.failed += 1;
    else if (task.status === 'running') entry.running += 1;
    else if (task.status === 'cancelled') entry.cancelled += 1;
    else if (task.status === 'upstream_failed') entry.upstream += 1;
    else entry.pending += 1;
  }
  const states = new Map<string, StepState>();
  for (const [step, c] of counts) {
    const status: StepState['status'] =
      c.failed > 0
        ? 'failed'
        : c.running > 0
          ? 'running'
          : c.pending > 0
            ? 'pending'
            : c.upstream > 0
              ? 'upstream_failed'
              : c.cancelled > 0
                ? 'cancelled'
                : 'succeeded';
    states.set(step, {
      status,
      done: c.done,
      failed: c.failed,
      running: c.running,
      pending: c.pending + c.cancelled + c.upstream,
      total: c.total,
    });
  }
  return states;
}

/** Node ids of the graph: data inputs and steps live in separate namespaces. */
export const inputNode = (name: string) => `input:${name}`;
export const stepNode = (name: string) => `step:${name}`;

/** The edges of the pipeline's graph, one per (producer, consumer) pair. */
export function pipelineEdges(definition: PipelineDefinition): { from: string; to: string }[] {
  const seen = new Set<string>();
  const edges: { from: string; to: string }[] = [];
  for (const step of definition.steps) {
    for (const input of step.inputs) {
      const from =
        input.kind === 'step'
          ? stepNode(input.producer)
          : input.kind === 'input'
            ? inputNode(input.name)
            : null;
      if (!from) continue;
      const key = `${from}->${step.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ from, to: stepNode(step.name) });
    }
  }
  return edges;
}
