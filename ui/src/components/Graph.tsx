/**
 * A drawn DAG: boxes in layered columns with curved edges, for pipeline graphs and lineage.
 * Nodes render their own content and may link somewhere; the SVG scrolls when wide.
 */
import { useMemo, type ReactNode } from 'react';
import { Link } from 'react-router';
import { layoutGraph, type GraphEdge } from '../lib/graph-layout';

export interface DrawnNode {
  id: string;
  content: ReactNode;
  href?: string;
  /** CSS colour of the node's left bar (e.g. a status colour). */
  accent?: string;
  highlighted?: boolean;
}

const SIZE = { nodeWidth: 200, nodeHeight: 56, gapX: 64, gapY: 20 };

export function Graph({ nodes, edges, label }: { nodes: DrawnNode[]; edges: GraphEdge[]; label: string }) {
  const layout = useMemo(() => layoutGraph(nodes, edges, SIZE), [nodes, edges]);
  const pad = 8;
  return (
    <div className="overflow-auto" role="group" aria-label={label}>
      <div className="relative" style={{ width: layout.width + pad * 2, height: layout.height + pad * 2 }}>
        <svg
          className="absolute inset-0"
          width={layout.width + pad * 2}
          height={layout.height + pad * 2}
          aria-hidden
        >
          {edges.map((edge) => {
            const from = layout.nodes.get(edge.from);
            const to = layout.nodes.get(edge.to);
            if (!from || !to) return null;
            // The edge leaves the right side of `from`, passes each waypoint, enters `to`.
            const points = [
              { x: from.x + SIZE.nodeWidth + pad, y: from.y + SIZE.nodeHeight / 2 + pad },
              ...(layout.waypoints.get(`${edge.from}->${edge.to}`) ?? []).flatMap((point) => [
                { x: point.x - SIZE.nodeWidth / 2 + pad, y: point.y + pad },
                { x: point.x + SIZE.nodeWidth / 2 + pad, y: point.y + pad },
              ]),
              { x: to.x + pad, y: to.y + SIZE.nodeHeight / 2 + pad },
            ];
            let d = `M${points[0]!.x},${points[0]!.y}`;
            for (let i = 1; i < points.length; i += 1) {
              const a = points[i - 1]!;
              const b = points[i]!;
              const mid = (a.x + b.x) / 2;
              d += i % 2 === 1 ? ` C${mid},${a.y} ${mid},${b.y} ${b.x},${b.y}` : ` L${b.x},${b.y}`;
            }
            return (
              <path
                key={`${edge.from}->${edge.to}`}
                d={d}
                fill="none"
                stroke="var(--color-line)"
                strokeWidth={2}
                markerEnd="url(#arrow)"
              />
            );
          })}
          <defs>
            <marker
              id="arrow"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="6"
              markerHeight="6"
              orient="auto"
            >
              <path d="M0,0 L10,5 L0,10 z" fill="var(--color-line)" />
            </marker>
          </defs>
        </svg>
        {nodes.map((node) => {
          const placed = layout.nodes.get(node.id);
          if (!placed) return null;
          const body = (
            <div
              className={`flex h-full overflow-hidden rounded-md border bg-panel text-left shadow-sm ${node.highlighted ? 'border-accent ring-2 ring-accent/40' : 'border-line'}`}
            >
              <span className="w-1.5 shrink-0" style={{ background: node.accent ?? 'var(--color-line)' }} />
              <div className="min-w-0 flex-1 px-2 py-1.5">{node.content}</div>
            </div>
          );
          const style = {
            left: placed.x + pad,
            top: placed.y + pad,
            width: SIZE.nodeWidth,
            height: SIZE.nodeHeight,
          };
          return node.href ? (
            <Link
              key={node.id}
              to={node.href}
              className="absolute block hover:brightness-95"
              style={style}
              data-node={node.id}
            >
              {body}
            </Link>
          ) : (
            <div key={node.id} className="absolute" style={style} data-node={node.id}>
              {body}
            </div>
          );
        })}
      </div>
    </div>
  );
}
