// Auto-layout: a simple layered layout, left to right. Each node's column is its longest-path
// rank from the graph's sources (topological order, so cycles are tolerated: the nodes on one
// keep their rank 0); within a column nodes are ordered by the mean row of their parents, which
// untangles most chains and branches without a layout library.
import type { GraphDocument } from '../../../engine/protocol/index.js';
import type { XY } from './graphOps';

export const LAYOUT_SPACING = { column: 280, row: 150 } as const;

export function layeredPositions(doc: GraphDocument, origin: XY = { x: 0, y: 0 }): Map<string, XY> {
  const ids = doc.nodes.map((node) => node.id);
  const known = new Set(ids);
  const parents = new Map<string, string[]>(ids.map((id) => [id, []]));
  const children = new Map<string, string[]>(ids.map((id) => [id, []]));
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const edge of doc.edges) {
    const { node: from } = edge.source;
    const { node: to } = edge.target;
    if (!known.has(from) || !known.has(to) || from === to) continue;
    children.get(from)!.push(to);
    parents.get(to)!.push(from);
    indegree.set(to, indegree.get(to)! + 1);
  }

  // Kahn's algorithm; rank = 1 + the largest parent rank (longest path from a source).
  const rank = new Map<string, number>(ids.map((id) => [id, 0]));
  const queue = ids.filter((id) => indegree.get(id) === 0);
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    for (const child of children.get(id)!) {
      rank.set(child, Math.max(rank.get(child)!, rank.get(id)! + 1));
      const left = indegree.get(child)! - 1;
      indegree.set(child, left);
      if (left === 0) queue.push(child);
    }
  }

  const columns: string[][] = [];
  for (const id of ids) (columns[rank.get(id)!] ??= []).push(id);

  const row = new Map<string, number>();
  const positions = new Map<string, XY>();
  columns.forEach((column, c) => {
    // Barycentre ordering: nodes sit near their parents; ties keep document order (stable sort).
    const weight = (id: string) => {
      const rows = parents.get(id)!.map((p) => row.get(p)).filter((r): r is number => r !== undefined);
      return rows.length === 0 ? Number.POSITIVE_INFINITY : rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    const ordered = [...column].sort((a, b) => weight(a) - weight(b));
    ordered.forEach((id, r) => {
      row.set(id, r);
      positions.set(id, { x: origin.x + c * LAYOUT_SPACING.column, y: origin.y + r * LAYOUT_SPACING.row });
    });
  });
  return positions;
}
