/** A lineage graph drawn with `Graph`: commits, runs and model versions, each linking to its page. */
import { Boxes, Database, Play } from 'lucide-react';
import { useEffect, useMemo, useRef } from 'react';
import { Graph, type DrawnNode } from '../../components/Graph';
import { shortId } from '../../lib/format';
import type { LineageGraph, LineageNode } from './lineage-graph';

const ACCENTS: Record<LineageNode['kind'], string> = {
  commit: 'var(--color-info)',
  run: 'var(--color-accent)',
  model: 'var(--color-ok)',
};

function hrefOf(node: LineageNode): string {
  switch (node.kind) {
    case 'commit':
      return `/repos/${encodeURIComponent(node.repo)}?ref=${encodeURIComponent(node.commit)}`;
    case 'run':
      return `/runs/${encodeURIComponent(node.runId)}`;
    default:
      return `/models/${encodeURIComponent(node.name)}?version=${node.version}`;
  }
}

function Content({ node }: { node: LineageNode }) {
  const [Icon, kind, title, detail] =
    node.kind === 'commit'
      ? [Database, 'commit', node.repo, `${node.branch ? `${node.branch} · ` : ''}${shortId(node.commit)}`]
      : node.kind === 'run'
        ? [Play, 'run', node.pipeline, shortId(node.runId)]
        : [Boxes, 'model', node.name, `version ${node.version}`];
  return (
    <div className="flex h-full flex-col justify-center gap-0.5 leading-tight">
      <div className="flex min-w-0 items-center gap-1.5 font-semibold text-fg" title={title}>
        <Icon className="size-3.5 shrink-0 text-muted" aria-hidden />
        <span className="truncate">{title}</span>
      </div>
      <div className="truncate text-xs text-muted">
        {kind} <span className="font-mono">{detail}</span>
      </div>
    </div>
  );
}

/** The graph of `graph` with `focus` highlighted. */
export function LineageDiagram({
  graph,
  focus,
  label,
}: {
  graph: LineageGraph;
  focus: string;
  label: string;
}) {
  const nodes = useMemo<DrawnNode[]>(
    () =>
      [...graph.nodes.values()].map((node) => ({
        id: node.id,
        content: <Content node={node} />,
        href: hrefOf(node),
        accent: ACCENTS[node.kind],
        highlighted: node.id === focus,
      })),
    [graph, focus],
  );
  const frame = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // NOTE: a wide graph scrolls; bring the chosen node into view.
    frame.current
      ?.querySelector(`[data-node="${CSS.escape(focus)}"]`)
      ?.scrollIntoView({ block: 'nearest', inline: 'center' });
  }, [focus, nodes]);
  return (
    <div ref={frame}>
      <Graph nodes={nodes} edges={graph.edges} label={label} />
      <p className="mt-3 flex flex-wrap gap-4 text-xs text-muted">
        {(['commit', 'run', 'model'] as const).map((kind) => (
          <span key={kind} className="flex items-center gap-1.5">
            <span
              className="inline-block size-2.5 rounded-sm"
              style={{ background: ACCENTS[kind] }}
              aria-hidden
            />
            {kind === 'commit' ? 'commit of a repo' : kind === 'run' ? 'pipeline run' : 'model version'}
          </span>
        ))}
        <span>
          Arrows point from inputs to what was made from them; the highlighted node is the one you chose.
        </span>
      </p>
    </div>
  );
}
