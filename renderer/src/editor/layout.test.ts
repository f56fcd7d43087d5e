// Auto-layout: columns follow the longest path from the sources; a branch sits in its own row.
import { describe, expect, it } from 'vitest';
import { addEdge, addNode } from './graphOps';
import { mlp } from './testGraphs';
import { LAYOUT_SPACING, layeredPositions } from './layout';

describe('layered layout', () => {
  it('puts a chain in consecutive columns on one row', () => {
    const positions = layeredPositions(mlp());
    expect(['in', 'd1', 'r1', 'd2', 'loss'].map((id) => positions.get(id))).toEqual([0, 1, 2, 3, 4].map((c) => ({ x: c * LAYOUT_SPACING.column, y: 0 })));
  });

  it('ranks by the longest path and stacks siblings', () => {
    // in → d1 and in → n1 (a skip), both into an Add: Add sits after the longer branch.
    let doc = addNode(mlp(), 'Dense', { x: 0, y: 0 }).doc;
    doc = addEdge(doc, { node: 'in', port: 'out' }, { node: 'n1', port: 'in' });
    const positions = layeredPositions(doc);
    expect(positions.get('n1')!.x).toBe(LAYOUT_SPACING.column);
    expect(positions.get('n1')!.y).toBe(LAYOUT_SPACING.row);
    expect(positions.get('d1')!.y).toBe(0);
  });

  it('places every node even on a cycle', () => {
    let doc = mlp();
    doc = { ...doc, edges: doc.edges.filter((e) => e.id !== 'e1') };
    doc = addEdge(doc, { node: 'd2', port: 'out' }, { node: 'd1', port: 'in' });
    expect(layeredPositions(doc).size).toBe(doc.nodes.length);
  });
});
