// Pure edits on the graph document: each takes a document and returns a new one (never mutating
// the old: the store's history keeps references), so every user gesture is one `documentStore.apply`
// and one undo step. Unit-tested in Node (graphOps.test.ts); nothing here knows about React Flow.
import {
  specOf,
  type GraphDocument,
  type GraphEdge,
  type GraphGroup,
  type GraphNode,
  type ParamValue,
  type PortRef,
} from '../../../engine/protocol/index.js';

export interface XY {
  readonly x: number;
  readonly y: number;
}

/** The first `${prefix}${k}` (k = 1, 2 …) not in `taken`; adds it to `taken` so repeated calls differ. */
export function freshId(prefix: string, taken: Set<string>): string {
  let k = 1;
  while (taken.has(`${prefix}${k}`)) k++;
  const id = `${prefix}${k}`;
  taken.add(id);
  return id;
}

function nodeIds(doc: GraphDocument): Set<string> {
  return new Set(doc.nodes.map((node) => node.id));
}

type DocParamValue = GraphNode['params'][string];

/** A param value as the document stores it: arrays copied, so no two nodes share one. */
function docValue(value: ParamValue): DocParamValue {
  return Array.isArray(value) ? [...(value as readonly number[])] : (value as string | number | boolean);
}

/** Params at the catalog's defaults. */
export function defaultParamsOf(type: string): GraphNode['params'] {
  const spec = specOf(type);
  if (!spec) return {};
  return Object.fromEntries(spec.params.map((param) => [param.name, docValue(param.default)]));
}

/** Adds a node of `type` at `position`; returns the document and the new node's id. */
export function addNode(doc: GraphDocument, type: string, position: XY): { doc: GraphDocument; id: string } {
  const id = freshId('n', nodeIds(doc));
  const node: GraphNode = { id, type, params: { ...defaultParamsOf(type) }, position: { x: position.x, y: position.y } };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

/** Removes nodes and edges by id, with every edge touching a removed node; empty groups go too. */
export function removeElements(doc: GraphDocument, nodes: ReadonlySet<string>, edges: ReadonlySet<string> = new Set()): GraphDocument {
  if (nodes.size === 0 && edges.size === 0) return doc;
  const keptNodes = doc.nodes.filter((node) => !nodes.has(node.id));
  const keptEdges = doc.edges.filter((edge) => !edges.has(edge.id) && !nodes.has(edge.source.node) && !nodes.has(edge.target.node));
  if (keptNodes.length === doc.nodes.length && keptEdges.length === doc.edges.length) return doc;
  const usedGroups = new Set(keptNodes.map((node) => node.group));
  return { ...doc, nodes: keptNodes, edges: keptEdges, groups: doc.groups.filter((group) => usedGroups.has(group.id)) };
}

/** Adds an edge source → target with a fresh id. */
export function addEdge(doc: GraphDocument, source: PortRef, target: PortRef): GraphDocument {
  const ids = new Set(doc.edges.map((edge) => edge.id));
  const edge: GraphEdge = { id: freshId('e', ids), source: { ...source }, target: { ...target } };
  return { ...doc, edges: [...doc.edges, edge] };
}

/** Moves nodes to new positions (one undo step for a whole drag). Unchanged positions keep the node object. */
export function moveNodes(doc: GraphDocument, positions: ReadonlyMap<string, XY>): GraphDocument {
  let changed = false;
  const nodes = doc.nodes.map((node) => {
    const to = positions.get(node.id);
    if (!to || (to.x === node.position.x && to.y === node.position.y)) return node;
    changed = true;
    return { ...node, position: { x: to.x, y: to.y } };
  });
  return changed ? { ...doc, nodes } : doc;
}

function updateNode(doc: GraphDocument, id: string, update: (node: GraphNode) => GraphNode): GraphDocument {
  const index = doc.nodes.findIndex((node) => node.id === id);
  if (index < 0) return doc;
  const before = doc.nodes[index]!;
  const after = update(before);
  if (after === before) return doc;
  const nodes = [...doc.nodes];
  nodes[index] = after;
  return { ...doc, nodes };
}

function sameValue(a: ParamValue | undefined, b: ParamValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * Sets one param. Add and Concat grow ports with their `inputs` param, so lowering it drops the
 * edges into ports that no longer exist (otherwise they would dangle as EDGE_PORT_UNKNOWN).
 */
export function setParam(doc: GraphDocument, id: string, name: string, value: ParamValue): GraphDocument {
  const next = updateNode(doc, id, (node) =>
    sameValue(node.params[name], value) ? node : { ...node, params: { ...node.params, [name]: docValue(value) } },
  );
  if (next === doc) return doc;
  const node = next.nodes.find((n) => n.id === id)!;
  const spec = specOf(node.type);
  if (!spec) return next;
  const ports = new Set(spec.inputs({ ...defaultParamsOf(node.type), ...node.params }).map((port) => port.name));
  const edges = next.edges.filter((edge) => edge.target.node !== id || ports.has(edge.target.port));
  return edges.length === next.edges.length ? next : { ...next, edges };
}

/** Sets (or, with an empty string, clears) a node's free-text label. */
export function setLabel(doc: GraphDocument, id: string, label: string): GraphDocument {
  return updateNode(doc, id, (node) => {
    const trimmed = label.trim();
    if ((node.label ?? '') === trimmed) return node;
    const { label: _old, ...rest } = node;
    return trimmed === '' ? rest : { ...rest, label: trimmed };
  });
}

// ── Clipboard ────────────────────────────────────────────────────────────────────────────────

/** What Ctrl+C keeps: the selected nodes and only the edges between them. */
export interface ClipboardContent {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export function copySelection(doc: GraphDocument, selected: ReadonlySet<string>): ClipboardContent | null {
  const nodes = doc.nodes.filter((node) => selected.has(node.id));
  if (nodes.length === 0) return null;
  const edges = doc.edges.filter((edge) => selected.has(edge.source.node) && selected.has(edge.target.node));
  return structuredClone({ nodes, edges });
}

/**
 * Pastes clipboard content offset by `offset`, with fresh node and edge ids (edges remapped to
 * the new nodes). Pasted nodes leave their group: a pasted copy is not part of the original's group.
 */
export function paste(doc: GraphDocument, content: ClipboardContent, offset: XY): { doc: GraphDocument; ids: string[] } {
  const takenNodes = nodeIds(doc);
  const takenEdges = new Set(doc.edges.map((edge) => edge.id));
  const remap = new Map<string, string>();
  const nodes = content.nodes.map((node): GraphNode => {
    const id = freshId('n', takenNodes);
    remap.set(node.id, id);
    const { group: _group, ...rest } = structuredClone(node);
    return { ...rest, id, position: { x: node.position.x + offset.x, y: node.position.y + offset.y } };
  });
  const edges = content.edges.flatMap((edge): GraphEdge[] => {
    const source = remap.get(edge.source.node);
    const target = remap.get(edge.target.node);
    if (source === undefined || target === undefined) return [];
    return [{ id: freshId('e', takenEdges), source: { node: source, port: edge.source.port }, target: { node: target, port: edge.target.port } }];
  });
  return { doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, ids: nodes.map((node) => node.id) };
}

// ── Groups ───────────────────────────────────────────────────────────────────────────────────

/** Puts the nodes in a new group (leaving any group they were in); returns its id. */
export function groupNodes(doc: GraphDocument, ids: ReadonlySet<string>, label: string): { doc: GraphDocument; groupId: string | null } {
  if (ids.size === 0) return { doc, groupId: null };
  const groupId = freshId('g', new Set(doc.groups.map((group) => group.id)));
  const nodes = doc.nodes.map((node) => (ids.has(node.id) ? { ...node, group: groupId } : node));
  const used = new Set(nodes.map((node) => node.group));
  const groups: GraphGroup[] = [...doc.groups.filter((group) => used.has(group.id)), { id: groupId, label, collapsed: false }];
  return { doc: { ...doc, nodes, groups }, groupId };
}

export function setGroupCollapsed(doc: GraphDocument, groupId: string, collapsed: boolean): GraphDocument {
  const group = doc.groups.find((g) => g.id === groupId);
  if (!group || group.collapsed === collapsed) return doc;
  return { ...doc, groups: doc.groups.map((g) => (g.id === groupId ? { ...g, collapsed } : g)) };
}

export function ungroup(doc: GraphDocument, groupId: string): GraphDocument {
  if (!doc.groups.some((g) => g.id === groupId)) return doc;
  return {
    ...doc,
    groups: doc.groups.filter((g) => g.id !== groupId),
    nodes: doc.nodes.map((node) => {
      if (node.group !== groupId) return node;
      const { group: _group, ...rest } = node;
      return rest;
    }),
  };
}
