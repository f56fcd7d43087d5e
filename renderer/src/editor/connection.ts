// Whether a connection the user is dragging may be made, and if not, why — checked on every
// hover of a port (React Flow's isValidConnection), so it must be fast: reachability is one
// linear walk, and the shape check validates a copy of the document with the edge added (about
// 5 ms on 1,000 nodes) only once the cheap checks passed.
import { validateGraph, type Diagnostic, type GraphDocument, type GraphReport, type PortRef } from '../../../engine/protocol/index.js';
import { addEdge } from './graphOps';

export type RefusalReason = 'self' | 'occupied' | 'cycle' | 'shape' | 'port';

export type ConnectionVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: RefusalReason; readonly diagnostic?: Diagnostic };

/** True when `to` can be reached from `from` along edges (so an edge to → from would close a cycle). */
export function reaches(doc: GraphDocument, from: string, to: string): boolean {
  const outgoing = new Map<string, string[]>();
  for (const edge of doc.edges) {
    const list = outgoing.get(edge.source.node);
    if (list) list.push(edge.target.node);
    else outgoing.set(edge.source.node, [edge.target.node]);
  }
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    for (const next of outgoing.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}

function errorKeys(report: GraphReport, nodeId: string): Set<string> {
  return new Set(report.diagnostics.filter((d) => d.severity === 'error' && d.nodeId === nodeId).map((d) => `${d.code}|${d.port ?? ''}|${d.param ?? ''}|${d.message.en}`));
}

/**
 * Checks source → target on `doc`. `before` is the current document's report (the caller has
 * it memoised); the edge is refused when it would add an error on the target node that the
 * current graph does not have — a shape mismatch that inference rejects.
 */
export function checkConnection(doc: GraphDocument, before: GraphReport, source: PortRef, target: PortRef): ConnectionVerdict {
  if (source.node === target.node) return { ok: false, reason: 'self' };
  const targetInfo = before.nodes.get(target.node);
  if (targetInfo?.params && !targetInfo.spec.inputs(targetInfo.params).some((port) => port.name === target.port)) return { ok: false, reason: 'port' };
  if (doc.edges.some((edge) => edge.target.node === target.node && edge.target.port === target.port)) return { ok: false, reason: 'occupied' };
  if (reaches(doc, target.node, source.node)) return { ok: false, reason: 'cycle' };

  const after = validateGraph(addEdge(doc, source, target));
  const existing = errorKeys(before, target.node);
  const introduced = after.diagnostics.find(
    (d) => d.severity === 'error' && d.nodeId === target.node && !existing.has(`${d.code}|${d.port ?? ''}|${d.param ?? ''}|${d.message.en}`),
  );
  return introduced ? { ok: false, reason: 'shape', diagnostic: introduced } : { ok: true };
}
