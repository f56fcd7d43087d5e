// The document (+ its validation report) → React Flow's nodes and edges. The canvas never holds
// its own copy of the graph: it re-derives this on every revision. To keep that cheap on big
// graphs, a node or edge equal to the previous conversion's is returned as the *same object*,
// so React Flow and the memoised node components skip it (editing one node re-renders one node).
import { formatShape, specOf, type Diagnostic, type GraphDocument, type GraphReport } from '../../../engine/protocol/index.js';
import { groupNodeId, type FlowEdge, type FlowNode, type GroupNodeData, type GroupPort, type NetNodeData, type NodeIssue } from './nodes/nodeModel';

export interface FlowGraph {
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly FlowEdge[];
}

export const EMPTY_FLOW: FlowGraph = { nodes: [], edges: [] };

// A typical node's size before React Flow has measured it: with it, virtualisation
// (onlyRenderVisibleElements) can skip off-screen nodes from the first frame instead of
// rendering all of them once to measure them — the difference on a 1,000-node graph.
const INITIAL_SIZE = { initialWidth: 200, initialHeight: 90 } as const;

/** Diagnostics by node id, errors first (the badge shows the first). */
export function issuesByNode(diagnostics: readonly Diagnostic[]): Map<string, Diagnostic[]> {
  const byNode = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    if (d.nodeId === undefined) continue;
    const list = byNode.get(d.nodeId);
    if (list) list.push(d);
    else byNode.set(d.nodeId, [d]);
  }
  for (const list of byNode.values()) list.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return byNode;
}

function issueOf(list: readonly Diagnostic[] | undefined): NodeIssue | undefined {
  const first = list?.[0];
  return first ? { severity: first.severity, message: first.message, hint: first.hint, count: list.length } : undefined;
}

function sameIssue(a: NodeIssue | undefined, b: NodeIssue | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.severity === b.severity && a.count === b.count && a.message.en === b.message.en && a.hint.en === b.hint.en);
}

function samePorts(a: readonly GroupPort[], b: readonly GroupPort[]): boolean {
  return a.length === b.length && a.every((port, i) => port.handle === b[i]!.handle && port.label === b[i]!.label);
}

function sameNode(a: FlowNode, b: FlowNode): boolean {
  if (a.type !== b.type || a.position.x !== b.position.x || a.position.y !== b.position.y) return false;
  if (a.type === 'layer' && b.type === 'layer') {
    const x = a.data;
    const y = b.data;
    return x.type === y.type && x.params === y.params && x.label === y.label && x.group === y.group && x.paramCount === y.paramCount && sameIssue(x.issue, y.issue);
  }
  if (a.type === 'groupBlock' && b.type === 'groupBlock') {
    const x = a.data;
    const y = b.data;
    return x.label === y.label && x.memberCount === y.memberCount && x.paramCount === y.paramCount && samePorts(x.inputs, y.inputs) && samePorts(x.outputs, y.outputs) && sameIssue(x.issue, y.issue);
  }
  return false;
}

function sameEdge(a: FlowEdge, b: FlowEdge): boolean {
  return (
    a.source === b.source &&
    a.target === b.target &&
    a.sourceHandle === b.sourceHandle &&
    a.targetHandle === b.targetHandle &&
    a.label === b.label &&
    a.data?.invalid === b.data?.invalid
  );
}

/**
 * Converts the document for the canvas. Members of a collapsed group are replaced by one group
 * block; edges crossing its boundary attach to the block's `${member}:${port}` handles and edges
 * inside it are hidden. `previous` is the last result, whose unchanged objects are reused.
 */
export function documentToFlow(doc: GraphDocument, report: GraphReport, previous: FlowGraph = EMPTY_FLOW): FlowGraph {
  const issues = issuesByNode(report.diagnostics);
  const collapsed = new Map(doc.groups.filter((g) => g.collapsed).map((g) => [g.id, g]));
  const hiddenIn = new Map<string, string>(); // member node id → collapsed group id
  for (const node of doc.nodes) if (node.group !== undefined && collapsed.has(node.group)) hiddenIn.set(node.id, node.group);

  const prevNodes = new Map(previous.nodes.map((n) => [n.id, n]));
  const prevEdges = new Map(previous.edges.map((e) => [e.id, e]));
  const keep = <T extends FlowNode>(next: T): FlowNode => {
    const old = prevNodes.get(next.id);
    return old && sameNode(old, next) ? old : next;
  };

  const nodes: FlowNode[] = [];
  for (const node of doc.nodes) {
    if (hiddenIn.has(node.id)) continue;
    const data: NetNodeData = {
      type: node.type,
      params: node.params,
      ...(node.label !== undefined ? { label: node.label } : {}),
      ...(node.group !== undefined ? { group: node.group } : {}),
      ...(report.nodes.get(node.id)?.outputs ? { paramCount: report.nodes.get(node.id)!.paramCount } : {}),
      ...(issues.has(node.id) ? { issue: issueOf(issues.get(node.id)) } : {}),
    };
    nodes.push(keep({ id: node.id, type: 'layer', position: node.position, data, ...INITIAL_SIZE }));
  }

  // Collapsed groups: one block each, at the top-left of its members, with their external ports.
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  for (const group of collapsed.values()) {
    const members = doc.nodes.filter((n) => n.group === group.id);
    if (members.length === 0) continue;
    const inputs: GroupPort[] = [];
    const outputs: GroupPort[] = [];
    const seen = new Set<string>();
    const portLabel = (nodeId: string, port: string, side: 'in' | 'out') => {
      const member = byId.get(nodeId);
      const spec = member ? specOf(member.type) : undefined;
      const name = member?.label ?? spec?.label.en ?? nodeId;
      return side === 'in' && port === 'in' ? name : side === 'out' && port === 'out' ? name : `${name}.${port}`;
    };
    for (const edge of doc.edges) {
      const inside = (id: string) => hiddenIn.get(id) === group.id;
      if (inside(edge.target.node) && !inside(edge.source.node)) {
        const handle = `${edge.target.node}:${edge.target.port}`;
        if (!seen.has(`in ${handle}`)) inputs.push({ handle, label: portLabel(edge.target.node, edge.target.port, 'in') });
        seen.add(`in ${handle}`);
      }
      if (inside(edge.source.node) && !inside(edge.target.node)) {
        const handle = `${edge.source.node}:${edge.source.port}`;
        if (!seen.has(`out ${handle}`)) outputs.push({ handle, label: portLabel(edge.source.node, edge.source.port, 'out') });
        seen.add(`out ${handle}`);
      }
    }
    const memberIssues = members.flatMap((m) => issues.get(m.id) ?? []);
    const data: GroupNodeData = {
      groupId: group.id,
      label: group.label,
      memberCount: members.length,
      paramCount: members.reduce((sum, m) => sum + (report.nodes.get(m.id)?.paramCount ?? 0), 0),
      inputs,
      outputs,
      ...(memberIssues.length > 0 ? { issue: issueOf(memberIssues) } : {}),
    };
    const position = { x: Math.min(...members.map((m) => m.position.x)), y: Math.min(...members.map((m) => m.position.y)) };
    nodes.push(keep({ id: groupNodeId(group.id), type: 'groupBlock', position, data, ...INITIAL_SIZE }));
  }

  const invalidEdges = new Set(report.diagnostics.filter((d) => d.edgeId !== undefined && d.severity === 'error').map((d) => d.edgeId));
  const edges: FlowEdge[] = [];
  for (const edge of doc.edges) {
    const sourceGroup = hiddenIn.get(edge.source.node);
    const targetGroup = hiddenIn.get(edge.target.node);
    if (sourceGroup !== undefined && sourceGroup === targetGroup) continue;
    const shape = report.edgeShapes.get(edge.id);
    const next: FlowEdge = {
      id: edge.id,
      source: sourceGroup !== undefined ? groupNodeId(sourceGroup) : edge.source.node,
      sourceHandle: sourceGroup !== undefined ? `${edge.source.node}:${edge.source.port}` : edge.source.port,
      target: targetGroup !== undefined ? groupNodeId(targetGroup) : edge.target.node,
      targetHandle: targetGroup !== undefined ? `${edge.target.node}:${edge.target.port}` : edge.target.port,
      ...(shape ? { label: formatShape(shape) } : {}),
      data: invalidEdges.has(edge.id) ? { invalid: true } : {},
    };
    const old = prevEdges.get(edge.id);
    edges.push(old && sameEdge(old, next) ? old : next);
  }
  return { nodes, edges };
}
