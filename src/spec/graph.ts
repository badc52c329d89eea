/**
 * Graph checks on a schema-valid spec: every input producible (with a suggestion for
 * typos), no cycles (reported with their path), desired outputs reachable, per-datum rules
 * (`name[]` gathers only per-datum values; one datum origin per step; scatter only from a
 * step that runs once), pruning of steps that cannot contribute, and a topological order.
 */
import type { Problems } from './problems.js';
import type { ValueSpec } from './model.js';
import type { RawPipeline } from './schema.js';

/** What the graph analysis found. */
export interface GraphAnalysis {
  /** Kept steps in topological order (ties broken by name). */
  order: string[];
  pruned: string[];
  desired: string[];
  /** Per-datum origin of every value that has one. */
  origins: Map<string, string | null>;
}

function parseRef(ref: string): { name: string; many: boolean } {
  return ref.endsWith('[]') ? { name: ref.slice(0, -2), many: true } : { name: ref, many: false };
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

function suggest(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? `; did you mean '${best}'?`
    : '';
}

export function analyseGraph(
  spec: RawPipeline,
  values: Map<string, ValueSpec & { path?: (string | number)[] }>,
  problems: Problems,
): GraphAnalysis {
  const stepNames = Object.keys(spec.steps).sort();
  // Edges: step -> the steps producing its inputs.
  const deps = new Map<string, Set<string>>();
  const broken = new Map<string, string>();
  for (const stepName of stepNames) {
    const step = spec.steps[stepName];
    const set = new Set<string>();
    step?.inputs.forEach((ref, index) => {
      const { name } = parseRef(ref);
      const value = values.get(name);
      if (!value) {
        if (!broken.has(stepName)) broken.set(stepName, name);
        problems.at(
          ['steps', stepName, 'inputs', index],
          'SPEC_MISSING_INPUT',
          `step '${stepName}' needs input '${name}', which no param, data input or step output provides${suggest(name, values.keys())}`,
        );
      } else if (value.kind === 'step') {
        set.add(value.producer);
      }
    });
    deps.set(stepName, set);
  }

  // Cycles: depth-first search with colours; each cycle reported once, by its path.
  const colour = new Map<string, 'grey' | 'black'>();
  const inCycle = new Set<string>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (step: string): void => {
    colour.set(step, 'grey');
    stack.push(step);
    for (const dep of [...(deps.get(step) ?? [])].sort()) {
      if (colour.get(dep) === 'grey') {
        const cycle = stack.slice(stack.indexOf(dep));
        for (const member of cycle) inCycle.add(member);
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          // Show the cycle in data-flow order: producer -> consumer.
          const flow = [...cycle].reverse();
          const start = flow.indexOf([...flow].sort()[0] ?? dep);
          const path = [...flow.slice(start), ...flow.slice(0, start)];
          const first = path[0] ?? dep;
          problems.atKey(
            ['steps', first],
            'SPEC_CYCLE',
            `steps form a cycle: ${[...path, first].join(' -> ')}`,
          );
        }
      } else if (!colour.has(dep)) {
        visit(dep);
      }
    }
    stack.pop();
    colour.set(step, 'black');
  };
  for (const step of stepNames) if (!colour.has(step)) visit(step);

  // A step can run when it is not in a cycle, has all inputs, and so do its ancestors.
  const runnable = new Map<string, string | true>();
  const whyNot = (step: string, seen: Set<string> = new Set()): string | true => {
    const known = runnable.get(step);
    if (known !== undefined) return known;
    if (seen.has(step)) return `step '${step}' is in a cycle`;
    seen.add(step);
    let result: string | true = true;
    if (inCycle.has(step)) result = `step '${step}' is in a cycle`;
    else if (broken.has(step))
      result = `step '${step}' needs input '${broken.get(step) ?? ''}', which nothing provides`;
    else {
      for (const dep of [...(deps.get(step) ?? [])].sort()) {
        const cause = whyNot(dep, seen);
        if (cause !== true) {
          result = `it depends on step '${dep}', and ${cause}`;
          break;
        }
      }
    }
    runnable.set(step, result);
    return result;
  };

  // Desired outputs: declared, or every step output nothing consumes.
  const consumed = new Set<string>();
  for (const step of Object.values(spec.steps))
    for (const ref of step.inputs) consumed.add(parseRef(ref).name);
  const desired =
    spec.outputs ??
    stepNames.flatMap((step) =>
      (spec.steps[step]?.outputs ?? [])
        .map((ref) => parseRef(ref).name)
        .filter((name) => !consumed.has(name)),
    );
  const keep = new Set<string>();
  desired.forEach((name, index) => {
    const value = values.get(name);
    // An implicit desired output is reported where its step declares it.
    const path = spec.outputs ? ['outputs', index] : (value?.path ?? []);
    if (!value) {
      problems.at(
        path,
        'SPEC_UNREACHABLE_OUTPUT',
        `desired output '${name}' cannot be produced: no step outputs it${suggest(name, values.keys())}`,
      );
      return;
    }
    if (value.kind !== 'step') return;
    const cause = whyNot(value.producer);
    if (cause !== true) {
      problems.at(
        path,
        'SPEC_UNREACHABLE_OUTPUT',
        `desired output '${name}' cannot be produced: ${cause.startsWith('it ') ? `step '${value.producer}' ${cause.slice(3)}` : cause}`,
      );
    }
    const todo = [value.producer];
    while (todo.length > 0) {
      const step = todo.pop() as string;
      if (keep.has(step)) continue;
      keep.add(step);
      todo.push(...(deps.get(step) ?? []));
    }
  });
  const pruned = stepNames.filter((step) => !keep.has(step));

  // Topological order of kept steps (Kahn; ties by name).
  const order: string[] = [];
  const remaining = new Map(
    [...keep].map((step) => [step, new Set([...(deps.get(step) ?? [])].filter((dep) => keep.has(dep)))]),
  );
  while (remaining.size > 0) {
    const ready = [...remaining]
      .filter(([, set]) => set.size === 0)
      .map(([step]) => step)
      .sort();
    if (ready.length === 0) break; // a cycle, already reported
    for (const step of ready) {
      order.push(step);
      remaining.delete(step);
      for (const set of remaining.values()) set.delete(step);
    }
  }

  // Per-datum rules, in dependency order over all acyclic steps.
  const origins = new Map<string, string | null>();
  for (const [name, value] of values) if (value.kind !== 'step') origins.set(name, value.origin);
  const allOrder: string[] = [];
  const pending = new Map(
    stepNames
      .filter((step) => !inCycle.has(step))
      .map((step) => [step, new Set([...(deps.get(step) ?? [])].filter((dep) => !inCycle.has(dep)))]),
  );
  while (pending.size > 0) {
    const ready = [...pending]
      .filter(([, set]) => set.size === 0)
      .map(([step]) => step)
      .sort();
    if (ready.length === 0) break;
    for (const step of ready) {
      allOrder.push(step);
      pending.delete(step);
      for (const set of pending.values()) set.delete(step);
    }
  }
  for (const stepName of allOrder) {
    const step = spec.steps[stepName];
    if (!step) continue;
    const stepOrigins = new Map<string, string>();
    step.inputs.forEach((ref, index) => {
      const { name, many } = parseRef(ref);
      if (!values.has(name)) return;
      const origin = origins.get(name) ?? null;
      if (many) {
        if (origin === null) {
          const value = values.get(name);
          const source =
            value?.kind === 'step'
              ? `it is produced once by step '${value.producer}'`
              : `it is a ${value?.kind === 'param' ? 'param' : 'value'}`;
          problems.at(
            ['steps', stepName, 'inputs', index],
            'SPEC_NOT_PER_DATUM',
            `step '${stepName}': input '${ref}' gathers '${name}', which is not per-datum (${source}); write '${name}'`,
          );
        }
        return;
      }
      if (origin !== null) stepOrigins.set(name, origin);
    });
    const distinct = [...new Set(stepOrigins.values())];
    if (distinct.length > 1) {
      const detail = [...stepOrigins].map(([name, origin]) => `'${name}' follows '${origin}'`).join(', ');
      problems.at(
        ['steps', stepName, 'inputs'],
        'SPEC_DATUM_CONFLICT',
        `step '${stepName}' reads per-datum values of different origins (${detail}); gather all but one with 'name[]'`,
      );
    }
    const origin = distinct[0] ?? null;
    step.outputs.forEach((ref, index) => {
      const { name, many } = parseRef(ref);
      if (many) {
        if (origin !== null) {
          problems.at(
            ['steps', stepName, 'outputs', index],
            'SPEC_SCATTER',
            `step '${stepName}': output '${ref}' scatters, but the step already runs per datum of '${origin}'; only a step that runs once may scatter`,
          );
        }
        origins.set(name, name);
      } else {
        origins.set(name, origin);
      }
    });
  }
  return { order, pruned, desired, origins };
}
