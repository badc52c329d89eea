/**
 * Turning lineage answers into a drawable graph of commits, runs and model versions:
 * an input commit → the run that read it → the commit (or model version) the run made.
 * Pure, so the shape is easy to check; node ids are `commit:<id>`, `run:<id>`, `model:<name>:<v>`.
 */
import type { Lineage } from '../../api/types';

/** A lineage node as the API gives it (a commit with its inputs or its derived commits). */
export interface LineageTreeNode {
  commit: string;
  repo: string;
  branch: string;
  pipeline: string | null;
  runId: string | null;
  children: LineageTreeNode[];
}

/** One node of the drawn lineage. */
export type LineageNode =
  | { id: string; kind: 'commit'; repo: string; commit: string; branch: string | null }
  | { id: string; kind: 'run'; runId: string; pipeline: string }
  | { id: string; kind: 'model'; name: string; version: number };

/** A graph under construction: nodes by id (first writer wins), edges without duplicates. */
export class LineageGraph {
  readonly nodes = new Map<string, LineageNode>();
  private readonly edgeKeys = new Set<string>();
  readonly edges: { from: string; to: string }[] = [];

  /** Adds a node unless one with its id is there; answers its id. */
  add(node: LineageNode): string {
    if (!this.nodes.has(node.id)) this.nodes.set(node.id, node);
    return node.id;
  }

  /** Adds the edge `from → to` once. */
  link(from: string, to: string): void {
    const key = `${from}->${to}`;
    if (from === to || this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push({ from, to });
  }

  /** The node of a commit. */
  commit(repo: string, commit: string, branch: string | null = null): string {
    return this.add({ id: `commit:${commit}`, kind: 'commit', repo, commit, branch });
  }

  /** The node of a run (of `pipeline`). */
  run(runId: string, pipeline: string): string {
    return this.add({ id: `run:${runId}`, kind: 'run', runId, pipeline });
  }

  /** `target` made by run `runId` from `inputs`: inputs → run → target (inputs → target without a run). */
  produced(target: string, runId: string | null, pipeline: string | null, inputs: string[]): void {
    const via = runId ? this.run(runId, pipeline ?? 'run') : null;
    if (via) this.link(via, target);
    for (const input of inputs) this.link(input, via ?? target);
  }

  /** Adds the upstream tree of `target` (made by `runId`): each input node, recursively. */
  upstream(
    target: string,
    runId: string | null,
    pipeline: string | null,
    inputs: readonly LineageTreeNode[],
  ): void {
    const ids = inputs.map((input) => this.commit(input.repo, input.commit, input.branch));
    this.produced(target, runId, pipeline, ids);
    inputs.forEach((input, index) => {
      if (input.children.length > 0 || input.runId)
        this.upstream(ids[index]!, input.runId, input.pipeline, input.children);
    });
  }

  /** Adds the downstream tree of `source`: each derived commit through the run that made it. */
  downstream(source: string, derived: readonly LineageTreeNode[]): void {
    for (const node of derived) {
      const id = this.commit(node.repo, node.commit, node.branch);
      this.produced(id, node.runId, node.pipeline, [source]);
      this.downstream(id, node.children);
    }
  }
}

function runOf(provenance: Lineage['provenance']): { runId: string | null; pipeline: string | null } {
  const runId = typeof provenance?.runId === 'string' ? provenance.runId : null;
  const pipeline = typeof provenance?.pipeline === 'string' ? provenance.pipeline : null;
  return { runId, pipeline };
}

/** The graph of one commit's lineage both ways; answers the focus node's id too. */
export function commitGraph(
  lineage: Lineage,
  graph = new LineageGraph(),
): { graph: LineageGraph; focus: string } {
  const focus = graph.commit(lineage.repo, lineage.commit);
  const { runId, pipeline } = runOf(lineage.provenance);
  graph.upstream(focus, runId, pipeline, lineage.upstream as LineageTreeNode[]);
  graph.downstream(focus, lineage.downstream as LineageTreeNode[]);
  return { graph, focus };
}
