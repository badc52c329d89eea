/** The layered layout the UI draws pipeline DAGs and lineage with. */
import { describe, expect, it } from 'vitest';
import { layoutGraph } from '../ui/src/lib/graph-layout.js';

const SIZE = { nodeWidth: 100, nodeHeight: 40, gapX: 50, gapY: 10 };

describe('layoutGraph', () => {
  it('puts each node one column right of its deepest parent', () => {
    const layout = layoutGraph(
      [{ id: 'load' }, { id: 'clean' }, { id: 'train' }, { id: 'report' }],
      [
        { from: 'load', to: 'clean' },
        { from: 'clean', to: 'train' },
        { from: 'load', to: 'train' },
        { from: 'train', to: 'report' },
      ],
      SIZE,
    );
    expect(['load', 'clean', 'train', 'report'].map((id) => layout.nodes.get(id)?.column)).toEqual([
      0, 1, 2, 3,
    ]);
    expect(layout.width).toBe(4 * 150 - 50);
  });

  it('routes an edge that skips a column through a free slot, never through a node', () => {
    const layout = layoutGraph(
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'a', to: 'c' },
      ],
      SIZE,
    );
    const waypoints = layout.waypoints.get('a->c');
    expect(waypoints).toHaveLength(1);
    const b = layout.nodes.get('b')!;
    const [point] = waypoints!;
    expect(point!.x).toBe(b.x + SIZE.nodeWidth / 2);
    expect(Math.abs(point!.y - (b.y + SIZE.nodeHeight / 2))).toBeGreaterThanOrEqual(SIZE.nodeHeight);
    expect([...layout.nodes.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(layout.waypoints.has('a->b')).toBe(false);
  });

  it('orders a column to follow its parents, so parallel chains do not cross', () => {
    const layout = layoutGraph(
      [{ id: 'x1' }, { id: 'y1' }, { id: 'y2' }, { id: 'x2' }],
      [
        { from: 'x1', to: 'x2' },
        { from: 'y1', to: 'y2' },
      ],
      SIZE,
    );
    expect(layout.nodes.get('x2')!.row).toBe(layout.nodes.get('x1')!.row);
    expect(layout.nodes.get('y2')!.row).toBe(layout.nodes.get('y1')!.row);
  });

  it('survives a cycle by ignoring the back edge', () => {
    const layout = layoutGraph(
      [{ id: 'a' }, { id: 'b' }],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
      SIZE,
    );
    expect(layout.nodes.size).toBe(2);
  });
});
