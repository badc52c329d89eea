/**
 * Layered layout of a directed acyclic graph, for pipeline DAGs and lineage graphs: nodes go
 * in columns by longest path from a source, then each column is ordered by the mean row of
 * its neighbours (a few sweeps each way) to reduce crossings. An edge that spans several
 * columns gets a waypoint in each column it crosses, which takes a slot like a node, so the
 * edge never runs behind a node. Graphs here have tens of nodes, so the simple method is
 * enough. Cycles (which a valid DAG has none of) are broken by ignoring back edges.
 */

export interface GraphNode {
  id: string;
}
export interface GraphEdge {
  from: string;
  to: string;
}
export interface PlacedNode {
  id: string;
  column: number;
  row: number;
  x: number;
  y: number;
}
export interface Layout {
  nodes: Map<string, PlacedNode>;
  /** Per edge (`from->to`), the centres of its waypoints in the columns it crosses. */
  waypoints: Map<string, { x: number; y: number }[]>;
  width: number;
  height: number;
}

/** Places `nodes` on a grid of `nodeWidth + gapX` by `nodeHeight + gapY` cells. */
export function layoutGraph(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  size: { nodeWidth: number; nodeHeight: number; gapX: number; gapY: number },
): Layout {
  const ids = nodes.map((node) => node.id);
  const known = new Set(ids);
  const parents = new Map<string, string[]>(ids.map((id) => [id, []]));
  const children = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const edge of edges) {
    if (!known.has(edge.from) || !known.has(edge.to) || edge.from === edge.to) continue;
    parents.get(edge.to)!.push(edge.from);
    children.get(edge.from)!.push(edge.to);
  }
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const done = column.get(id);
    if (done !== undefined) return done;
    if (visiting.has(id)) return 0; // NOTE: a back edge; ignored.
    visiting.add(id);
    const value = Math.max(-1, ...parents.get(id)!.map(depth)) + 1;
    visiting.delete(id);
    column.set(id, value);
    return value;
  };
  ids.forEach(depth);
  // NOTE: a broken cycle can leave a column empty; close the gaps.
  const used = [...new Set(column.values())].sort((a, b) => a - b);
  for (const [id, c] of column) column.set(id, used.indexOf(c));
  // NOTE: waypoints are ordered with the nodes; their ids cannot clash with node ids.
  const chains = new Map<string, string[]>();
  for (const edge of edges) {
    const from = column.get(edge.from);
    const to = column.get(edge.to);
    if (from === undefined || to === undefined || to - from < 2) continue;
    const chain: string[] = [];
    let previous = edge.from;
    for (let c = from + 1; c < to; c += 1) {
      const id = `\u0000${edge.from}->${edge.to}#${c}`;
      column.set(id, c);
      parents.set(id, [previous]);
      children.set(id, []);
      children.get(previous)!.push(id);
      chain.push(id);
      previous = id;
    }
    children.get(previous)!.push(edge.to);
    parents.get(edge.to)!.push(previous);
    chains.set(`${edge.from}->${edge.to}`, chain);
  }
  const columns: string[][] = [];
  for (const [id, c] of column) (columns[c] ??= []).push(id);
  const row = new Map<string, number>();
  const number = () => columns.forEach((col) => col.forEach((id, index) => row.set(id, index)));
  number();
  const mean = (list: string[]) =>
    list.length === 0
      ? Number.POSITIVE_INFINITY
      : list.reduce((sum, id) => sum + row.get(id)!, 0) / list.length;
  for (let sweep = 0; sweep < 4; sweep += 1) {
    const forward = sweep % 2 === 0;
    const order = forward ? columns : [...columns].reverse();
    for (const col of order) {
      const key = new Map(col.map((id) => [id, mean(forward ? parents.get(id)! : children.get(id)!)]));
      col.sort((a, b) =>
        key.get(a)! === key.get(b)! ? row.get(a)! - row.get(b)! : key.get(a)! - key.get(b)!,
      );
      col.forEach((id, index) => row.set(id, index));
    }
  }
  const tallest = Math.max(1, ...columns.map((col) => col?.length ?? 0));
  const placed = new Map<string, PlacedNode>();
  columns.forEach((col, c) => {
    const offset = ((tallest - col.length) * (size.nodeHeight + size.gapY)) / 2;
    col.forEach((id, r) =>
      placed.set(id, {
        id,
        column: c,
        row: r,
        x: c * (size.nodeWidth + size.gapX),
        y: offset + r * (size.nodeHeight + size.gapY),
      }),
    );
  });
  const waypoints = new Map<string, { x: number; y: number }[]>();
  for (const [key, chain] of chains)
    waypoints.set(
      key,
      chain.map((id) => {
        const point = placed.get(id)!;
        placed.delete(id);
        return { x: point.x + size.nodeWidth / 2, y: point.y + size.nodeHeight / 2 };
      }),
    );
  return {
    nodes: placed,
    waypoints,
    width: Math.max(size.nodeWidth, columns.length * (size.nodeWidth + size.gapX) - size.gapX),
    height: Math.max(size.nodeHeight, tallest * (size.nodeHeight + size.gapY) - size.gapY),
  };
}
