// Validation and shape inference over a graph document: pure, synchronous and linear in the
// size of the graph, because the renderer runs it on every edit. It reports every problem it
// can find without cascading: a node whose inputs are unknown is skipped, not blamed.

import { specOf } from './catalog/index.js';
import { isFault, type NodeSpec, type ParamSpec, type ParamValue, type Params, type PortShapes } from './catalog/types.js';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { GraphDocument, GraphEdge, GraphNode } from './document.js';
import { formatShape, sizeOf, type Shape } from './shape.js';
import { text, type Text } from './text.js';

export const DEFAULT_MEMORY_BUDGET = 2 * 1024 ** 3;
const BYTES_PER_VALUE = 4; // float32
/** Per parameter: the weight, its gradient and two optimizer moments (Adam's worst case). */
const VALUES_PER_PARAM = 4;
/** Per activation: the value kept for backward and its gradient. */
const VALUES_PER_ACTIVATION = 2;

export interface ValidateOptions {
  /** Bytes training may use; graphs estimated above it are refused. Default 2 GiB. */
  readonly memoryBudget?: number;
}

export interface NodeInfo {
  readonly id: string;
  readonly spec: NodeSpec;
  /** Params with defaults filled in; only present when every param is valid. */
  readonly params?: Params;
  readonly inputs: PortShapes;
  /** Output shapes in the order of spec.outputs; absent when inference did not reach the node. */
  readonly outputs?: readonly Shape[];
  readonly paramCount: number;
  readonly flops: number;
  readonly memoryBytes: number;
}

export interface GraphReport {
  readonly diagnostics: readonly Diagnostic[];
  /** Every node of a known type, by id. */
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  /** The tensor shape carried by each edge whose source shape is known. */
  readonly edgeShapes: ReadonlyMap<string, Shape>;
  /** Node ids in topological order (nodes on a cycle are left out). */
  readonly order: readonly string[];
  readonly totals: { readonly paramCount: number; readonly flops: number; readonly memoryBytes: number };
}

export function validateGraph(doc: GraphDocument, options: ValidateOptions = {}): GraphReport {
  const diagnostics: Diagnostic[] = [];
  const report = (d: Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity'] }) =>
    diagnostics.push({ severity: 'error', ...d });

  checkTraining(doc, report);

  // Nodes: unique ids, known types, valid params, existing groups.
  const groupIds = new Set<string>();
  for (const group of doc.groups) {
    if (groupIds.has(group.id)) report(duplicateGroup(group.id));
    groupIds.add(group.id);
  }
  const nodes = new Map<string, GraphNode>();
  const specs = new Map<string, NodeSpec>();
  const params = new Map<string, Params>();
  for (const node of doc.nodes) {
    if (nodes.has(node.id)) {
      report({ code: 'NODE_ID_DUPLICATE', nodeId: node.id, ...duplicateNode(node.id) });
      continue;
    }
    nodes.set(node.id, node);
    if (node.group !== undefined && !groupIds.has(node.group)) report(unknownGroup(node));
    const spec = specOf(node.type);
    if (!spec) {
      report({ code: 'NODE_TYPE_UNKNOWN', nodeId: node.id, ...unknownType(node) });
      continue;
    }
    specs.set(node.id, spec);
    const resolved = resolveParams(spec, node, report);
    if (resolved) params.set(node.id, resolved);
  }

  // Edges: unique ids, existing nodes and ports, one edge per input port.
  const incoming = new Map<string, Map<string, GraphEdge>>();
  const outgoing = new Map<string, GraphEdge[]>();
  const edgeIds = new Set<string>();
  for (const edge of doc.edges) {
    if (edgeIds.has(edge.id)) {
      report({ code: 'EDGE_ID_DUPLICATE', edgeId: edge.id, ...duplicateEdge(edge.id) });
      continue;
    }
    edgeIds.add(edge.id);
    if (!checkEdge(edge, nodes, specs, params, report)) continue;
    const into = incoming.get(edge.target.node) ?? new Map<string, GraphEdge>();
    const existing = into.get(edge.target.port);
    if (existing) {
      report(multipleEdges(edge, existing, nodes));
      continue;
    }
    into.set(edge.target.port, edge);
    incoming.set(edge.target.node, into);
    const from = outgoing.get(edge.source.node) ?? [];
    from.push(edge);
    outgoing.set(edge.source.node, from);
  }

  // The graph as a whole: not empty, has an input and a loss, no cycles.
  if (nodes.size === 0) report({ code: 'GRAPH_EMPTY', ...MESSAGES.GRAPH_EMPTY });
  else {
    const roles = new Set([...specs.values()].map((s) => s.role));
    if (!roles.has('input')) report({ code: 'GRAPH_NO_INPUT', ...MESSAGES.GRAPH_NO_INPUT });
    if (!roles.has('loss')) report({ code: 'GRAPH_NO_LOSS', ...MESSAGES.GRAPH_NO_LOSS });
  }
  const order = topologicalOrder(nodes, incoming, outgoing);
  if (order.length < nodes.size) report(cycleDiagnostic(nodes, order, outgoing));

  // Required inputs must be connected.
  for (const [id, spec] of specs) {
    const p = params.get(id);
    if (!p) continue;
    for (const port of spec.inputs(p)) {
      if (!port.optional && !incoming.get(id)?.has(port.name)) report(unconnected(nodes.get(id)!, spec, port.name));
    }
  }

  // Shape inference in topological order.
  const infos = new Map<string, NodeInfo>();
  const edgeShapes = new Map<string, Shape>();
  const batch = Number.isInteger(doc.training.batchSize) && doc.training.batchSize > 0 ? doc.training.batchSize : 1;
  const totals = { paramCount: 0, flops: 0, memoryBytes: 0 };
  for (const id of order) {
    const spec = specs.get(id);
    if (!spec) continue;
    const p = params.get(id);
    const inputs: Record<string, Shape> = {};
    let ready = p !== undefined;
    for (const port of p ? spec.inputs(p) : []) {
      const edge = incoming.get(id)?.get(port.name);
      if (!edge) {
        if (!port.optional) ready = false;
        continue;
      }
      const shape = edgeShapes.get(edge.id);
      if (shape) inputs[port.name] = shape;
      else ready = false;
    }
    let info: NodeInfo = { id, spec, ...(p ? { params: p } : {}), inputs, paramCount: 0, flops: 0, memoryBytes: 0 };
    if (ready && p) {
      const result = spec.infer(inputs, p);
      if (isFault(result)) {
        const node = nodes.get(id)!;
        report({
          code: result.code,
          nodeId: id,
          ...(result.port !== undefined ? { port: result.port } : {}),
          ...(result.param !== undefined ? { param: result.param } : {}),
          message: prefix(node, spec, result.message),
          hint: result.hint,
        });
      } else {
        const paramCount = spec.paramCount(inputs, p);
        const activations = result.reduce((sum, s) => sum + sizeOf(s), 0);
        const memoryBytes = BYTES_PER_VALUE * (paramCount * VALUES_PER_PARAM + batch * activations * VALUES_PER_ACTIVATION);
        info = { ...info, outputs: result, paramCount, flops: spec.flops(inputs, result, p), memoryBytes };
        totals.paramCount += paramCount;
        totals.flops += info.flops;
        totals.memoryBytes += memoryBytes;
        for (const edge of outgoing.get(id) ?? []) {
          const index = spec.outputs.findIndex((o) => o.name === edge.source.port);
          const shape = result[index];
          if (shape) edgeShapes.set(edge.id, shape);
        }
      }
    }
    infos.set(id, info);
  }

  const budget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
  if (totals.memoryBytes > budget) report(overBudget(infos, nodes, totals.memoryBytes, budget, batch));

  // Dead-node warnings only once the graph is otherwise sound: next to a broken edge they
  // would repeat the error in other words.
  if (!diagnostics.some((d) => d.severity === 'error')) warnDeadNodes(nodes, specs, incoming, report);
  warnDoubleSoftmax(specs, incoming, nodes, report);

  return { diagnostics, nodes: infos, edgeShapes, order, totals };
}

type Report = (d: Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity'] }) => void;

// ---------------------------------------------------------------------------------------------
// Params

function resolveParams(spec: NodeSpec, node: GraphNode, report: Report): Params | undefined {
  let ok = true;
  const known = new Set(spec.params.map((p) => p.name));
  for (const name of Object.keys(node.params)) {
    if (known.has(name)) continue;
    ok = false;
    const list = [...known].join(', ') || '—';
    report({
      code: 'PARAM_UNKNOWN',
      nodeId: node.id,
      param: name,
      message: prefix(node, spec, text(`has no parameter "${name}".`, `にパラメータ "${name}" はありません。`)),
      hint: text(`Remove it, or use one of: ${list}.`, `削除するか、次のいずれかを使ってください: ${list}。`),
    });
  }
  const resolved: Record<string, ParamValue> = {};
  for (const param of spec.params) {
    const value = node.params[param.name] ?? param.default;
    const problem = checkParam(param, value);
    if (problem) {
      ok = false;
      report({
        code: problem.code,
        nodeId: node.id,
        param: param.name,
        message: prefix(node, spec, problem.message),
        hint: problem.hint,
      });
    }
    resolved[param.name] = value;
  }
  return ok ? resolved : undefined;
}

interface ParamProblem {
  code: DiagnosticCode;
  message: Text;
  hint: Text;
}

function checkParam(param: ParamSpec, value: ParamValue): ParamProblem | undefined {
  const shown = JSON.stringify(value);
  const typeProblem = (en: string, ja: string): ParamProblem => ({
    code: 'PARAM_TYPE',
    message: text(`${param.name} = ${shown} is not ${en}.`, `${param.name} = ${shown} は${ja}ではありません。`),
    hint: text(`Set ${param.name} to ${en}, e.g. ${JSON.stringify(param.default)}.`, `${param.name} を${ja}にしてください（例: ${JSON.stringify(param.default)}）。`),
  });
  const rangeProblem = (en: string, ja: string): ParamProblem => ({
    code: 'PARAM_RANGE',
    message: text(`${param.name} = ${shown} is out of range: ${en}.`, `${param.name} = ${shown} は範囲外です: ${ja}。`),
    hint: text(`Use ${en}; the default is ${JSON.stringify(param.default)}.`, `${ja}にしてください（既定値は ${JSON.stringify(param.default)}）。`),
  });
  switch (param.kind) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : typeProblem('true or false', 'true か false');
    case 'enum': {
      const options = param.options.map((o) => o.value);
      if (typeof value !== 'string') return typeProblem('a text option', '文字列の選択肢');
      return options.includes(value) ? undefined : rangeProblem(`one of ${options.join(', ')}`, `${options.join(', ')} のいずれか`);
    }
    case 'int':
    case 'float': {
      if (typeof value !== 'number') return typeProblem('a number', '数値');
      if (param.kind === 'int' && !Number.isInteger(value)) return typeProblem('a whole number', '整数');
      const low = param.kind === 'float' && param.minExclusive ? value <= param.min : value < param.min;
      const high = param.kind === 'float' && param.maxExclusive ? value >= param.max : value > param.max;
      if (!low && !high) return undefined;
      const bounds = `${param.min} ${param.kind === 'float' && param.minExclusive ? '<' : '≤'} ${param.name} ${param.kind === 'float' && param.maxExclusive ? '<' : '≤'} ${param.max}`;
      return rangeProblem(bounds, bounds);
    }
    case 'ints': {
      if (!Array.isArray(value) || !value.every((x) => typeof x === 'number' && Number.isInteger(x))) {
        return typeProblem('a list of whole numbers', '整数のリスト');
      }
      if (value.length < param.minLength || value.length > param.maxLength) {
        const n = param.minLength === param.maxLength ? `${param.minLength}` : `${param.minLength}–${param.maxLength}`;
        return rangeProblem(`a list of ${n} numbers`, `${n} 個の数のリスト`);
      }
      if (value.some((x: number) => x < param.min || x > param.max)) {
        return rangeProblem(`each entry between ${param.min} and ${param.max}`, `各要素は ${param.min} 以上 ${param.max} 以下`);
      }
      return undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Edges and graph structure

function checkEdge(
  edge: GraphEdge,
  nodes: ReadonlyMap<string, GraphNode>,
  specs: ReadonlyMap<string, NodeSpec>,
  params: ReadonlyMap<string, Params>,
  report: Report,
): boolean {
  for (const [end, ref] of [['source', edge.source], ['target', edge.target]] as const) {
    if (!nodes.has(ref.node)) {
      report({
        code: 'EDGE_NODE_MISSING',
        edgeId: edge.id,
        message: text(`Edge "${edge.id}" ${end === 'source' ? 'starts at' : 'ends at'} node "${ref.node}", which does not exist.`, `エッジ "${edge.id}" の${end === 'source' ? '始点' : '終点'}ノード "${ref.node}" が存在しません。`),
        hint: text('Delete the edge or reconnect it to an existing node.', 'エッジを削除するか、存在するノードにつなぎ直してください。'),
      });
      return false;
    }
  }
  const sourceSpec = specs.get(edge.source.node);
  if (sourceSpec && !sourceSpec.outputs.some((o) => o.name === edge.source.port)) {
    report(unknownPort(edge, 'source', sourceSpec, sourceSpec.outputs.map((o) => o.name), nodes));
    return false;
  }
  const targetSpec = specs.get(edge.target.node);
  const targetParams = params.get(edge.target.node);
  if (targetSpec && targetParams && !targetSpec.inputs(targetParams).some((i) => i.name === edge.target.port)) {
    report(unknownPort(edge, 'target', targetSpec, targetSpec.inputs(targetParams).map((i) => i.name), nodes));
    return false;
  }
  return true;
}

/** Kahn's algorithm; ties keep document order so the result is stable. */
function topologicalOrder(
  nodes: ReadonlyMap<string, GraphNode>,
  incoming: ReadonlyMap<string, ReadonlyMap<string, GraphEdge>>,
  outgoing: ReadonlyMap<string, readonly GraphEdge[]>,
): string[] {
  const indegree = new Map<string, number>();
  for (const id of nodes.keys()) indegree.set(id, incoming.get(id)?.size ?? 0);
  const queue = [...nodes.keys()].filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    order.push(id);
    for (const edge of outgoing.get(id) ?? []) {
      const left = indegree.get(edge.target.node)! - 1;
      indegree.set(edge.target.node, left);
      if (left === 0) queue.push(edge.target.node);
    }
  }
  return order;
}

/** Names one cycle among the nodes Kahn's algorithm could not order. */
function cycleDiagnostic(
  nodes: ReadonlyMap<string, GraphNode>,
  order: readonly string[],
  outgoing: ReadonlyMap<string, readonly GraphEdge[]>,
): Omit<Diagnostic, 'severity'> {
  const ordered = new Set(order);
  const stuck = [...nodes.keys()].filter((id) => !ordered.has(id));
  // Walk forward inside the stuck set until a node repeats: every stuck node has a stuck
  // predecessor, so walking backwards would also work; forward walks read naturally.
  const next = (id: string) => (outgoing.get(id) ?? []).map((e) => e.target.node).find((t) => !ordered.has(t));
  const seen = new Map<string, number>();
  const path: string[] = [];
  let at: string | undefined = stuck[0];
  while (at !== undefined && !seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    at = next(at);
  }
  const cycle = at === undefined ? path : [...path.slice(seen.get(at)), at];
  const shown = cycle.map((id) => nodeName(nodes.get(id)!)).join(' → ');
  return {
    code: 'GRAPH_CYCLE',
    nodeId: cycle[0]!,
    message: text(`The graph has a cycle: ${shown}. Data must flow one way from inputs to the loss.`, `グラフに循環があります: ${shown}。データは入力から損失へ一方向に流れる必要があります。`),
    hint: text('Remove one of the edges on the cycle. For recurrence over time use a recurrent node (RNN, LSTM, GRU).', '循環上のエッジを一つ削除してください。時間方向の再帰には RNN・LSTM・GRU ノードを使います。'),
  };
}

// ---------------------------------------------------------------------------------------------
// Training config

function checkTraining(doc: GraphDocument, report: Report): void {
  const t = doc.training;
  const checks: [string, boolean, string, string][] = [
    ['training.batchSize', Number.isInteger(t.batchSize) && t.batchSize >= 1 && t.batchSize <= 65536, 'a whole number from 1 to 65536', '1〜65536 の整数'],
    ['training.epochs', Number.isInteger(t.epochs) && t.epochs >= 1 && t.epochs <= 100000, 'a whole number from 1 to 100000', '1〜100000 の整数'],
    ['training.seed', Number.isInteger(t.seed) && t.seed >= 0 && t.seed <= 0xffffffff, 'a whole number from 0 to 4294967295', '0〜4294967295 の整数'],
    ['training.validationSplit', t.validationSplit >= 0 && t.validationSplit < 1, 'at least 0 and below 1', '0 以上 1 未満'],
    ['training.optimizer.lr', t.optimizer.lr > 0, 'above 0', '0 より大きい値'],
  ];
  for (const [path, ok, en, ja] of checks) {
    if (ok) continue;
    report({
      code: 'TRAINING_RANGE',
      path,
      message: text(`${path} is out of range: it must be ${en}.`, `${path} が範囲外です: ${ja}にしてください。`),
      hint: text(`In the training panel, set ${path} to ${en}.`, `学習パネルで ${path} を${ja}にしてください。`),
    });
  }
  // A huge learning rate is a legitimate experiment (watch training diverge, then see the NaN
  // stop), so it is a warning, not an error.
  if (t.optimizer.lr > 1) {
    report({
      severity: 'warning',
      code: 'TRAINING_LR_HIGH',
      path: 'training.optimizer.lr',
      message: text(
        `The learning rate ${t.optimizer.lr} is unusually high; training will probably diverge (the loss becomes NaN or Inf).`,
        `学習率 ${t.optimizer.lr} は非常に大きく、学習が発散する（損失が NaN や Inf になる）可能性が高いです。`,
      ),
      hint: text('Typical values are 0.1 for SGD and 0.001 for Adam.', '一般的な値は SGD で 0.1、Adam で 0.001 です。'),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Warnings: legal graphs that probably do not do what the learner meant

function warnDeadNodes(
  nodes: ReadonlyMap<string, GraphNode>,
  specs: ReadonlyMap<string, NodeSpec>,
  incoming: ReadonlyMap<string, ReadonlyMap<string, GraphEdge>>,
  report: Report,
): void {
  const losses = [...specs].filter(([, s]) => s.role === 'loss').map(([id]) => id);
  if (losses.length === 0) return;
  const live = new Set(losses);
  const stack = [...losses];
  while (stack.length > 0) {
    for (const edge of incoming.get(stack.pop()!)?.values() ?? []) {
      if (!live.has(edge.source.node)) {
        live.add(edge.source.node);
        stack.push(edge.source.node);
      }
    }
  }
  for (const [id, node] of nodes) {
    if (live.has(id)) continue;
    report({
      severity: 'warning',
      code: 'NODE_DEAD',
      nodeId: id,
      message: text(`${nodeName(node)} does not lead to any loss, so it is computed but never trained.`, `${nodeName(node)} はどの損失にもつながっていないため、計算されても学習されません。`),
      hint: text('Connect its output towards a loss node, or delete it.', '出力を損失ノードの方へつなぐか、削除してください。'),
    });
  }
}

function warnDoubleSoftmax(
  specs: ReadonlyMap<string, NodeSpec>,
  incoming: ReadonlyMap<string, ReadonlyMap<string, GraphEdge>>,
  nodes: ReadonlyMap<string, GraphNode>,
  report: Report,
): void {
  for (const [id, spec] of specs) {
    if (spec.type !== 'CrossEntropy') continue;
    const edge = incoming.get(id)?.get('in');
    if (!edge || specs.get(edge.source.node)?.type !== 'Softmax') continue;
    report({
      severity: 'warning',
      code: 'LOSS_DOUBLE_SOFTMAX',
      nodeId: id,
      port: 'in',
      message: text(
        `${nodeName(nodes.get(id)!)} already applies softmax, and its input comes from a Softmax node: softmax is applied twice, which flattens the gradients.`,
        `${nodeName(nodes.get(id)!)} は内部で softmax を計算しますが、入力も Softmax ノードから来ています。softmax が二重にかかり、勾配が小さくなります。`,
      ),
      hint: text('Connect the last Dense (the logits) directly to Cross-entropy and remove the Softmax before it.', '最後の Dense（ロジット）を交差エントロピーに直接つなぎ、その前の Softmax を削除してください。'),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

const MESSAGES = {
  GRAPH_EMPTY: {
    message: text('The graph is empty.', 'グラフが空です。'),
    hint: text('Drag an Input node from the palette, then layers, then a loss — or start from a lesson template.', 'パレットから Input ノード、層、損失の順にドラッグするか、レッスンのテンプレートから始めてください。'),
  },
  GRAPH_NO_INPUT: {
    message: text('The graph has no Input node, so there is no data to feed it.', 'Input ノードがないため、データを入れられません。'),
    hint: text('Add an Input node and connect it to the first layer.', 'Input ノードを追加し、最初の層につないでください。'),
  },
  GRAPH_NO_LOSS: {
    message: text('The graph has no loss node, so there is nothing to train towards.', '損失ノードがないため、何を目標に学習するかが決まりません。'),
    hint: text('Connect the last layer to a loss: Cross-entropy for classes, MSE for numbers.', '最後の層を損失につないでください: 分類なら交差エントロピー、数値なら MSE。'),
  },
} as const;

function nodeName(node: GraphNode): string {
  return node.label ? `"${node.label}" (${node.id})` : `"${node.id}"`;
}

function prefix(node: GraphNode, spec: NodeSpec, message: Text): Text {
  return text(`${spec.label.en} ${nodeName(node)}: ${message.en}`, `${spec.label.ja} ${nodeName(node)}: ${message.ja}`);
}

function duplicateNode(id: string): Pick<Diagnostic, 'message' | 'hint'> {
  return {
    message: text(`Two nodes share the id "${id}"; the second is ignored.`, `ID "${id}" のノードが二つあります。二つ目は無視されます。`),
    hint: text('Give every node its own id.', 'ノードごとに別の ID を付けてください。'),
  };
}

function duplicateEdge(id: string): Pick<Diagnostic, 'message' | 'hint'> {
  return {
    message: text(`Two edges share the id "${id}"; the second is ignored.`, `ID "${id}" のエッジが二つあります。二つ目は無視されます。`),
    hint: text('Give every edge its own id.', 'エッジごとに別の ID を付けてください。'),
  };
}

function duplicateGroup(id: string): Omit<Diagnostic, 'severity'> {
  return {
    code: 'GROUP_ID_DUPLICATE',
    message: text(`Two groups share the id "${id}".`, `ID "${id}" のグループが二つあります。`),
    hint: text('Give every group its own id.', 'グループごとに別の ID を付けてください。'),
  };
}

function unknownGroup(node: GraphNode): Omit<Diagnostic, 'severity'> {
  return {
    code: 'GROUP_UNKNOWN',
    nodeId: node.id,
    message: text(`${nodeName(node)} belongs to group "${node.group}", which does not exist.`, `${nodeName(node)} の所属グループ "${node.group}" が存在しません。`),
    hint: text('Remove the node from the group, or create the group.', 'ノードをグループから外すか、グループを作成してください。'),
  };
}

function unknownType(node: GraphNode): Pick<Diagnostic, 'message' | 'hint'> {
  return {
    message: text(`${nodeName(node)} has an unknown type "${node.type}".`, `${nodeName(node)} の種類 "${node.type}" は不明です。`),
    hint: text('Replace it with a node from the palette (type names are case-sensitive, e.g. "Dense", "Conv2D").', 'パレットのノードに置き換えてください（種類名は大文字・小文字を区別します。例: "Dense", "Conv2D"）。'),
  };
}

function unknownPort(
  edge: GraphEdge,
  end: 'source' | 'target',
  spec: NodeSpec,
  names: readonly string[],
  nodes: ReadonlyMap<string, GraphNode>,
): Omit<Diagnostic, 'severity'> {
  const ref = edge[end];
  const node = nodes.get(ref.node)!;
  const kind = end === 'source' ? text('output', '出力') : text('input', '入力');
  return {
    code: 'EDGE_PORT_UNKNOWN',
    edgeId: edge.id,
    nodeId: ref.node,
    port: ref.port,
    message: prefix(node, spec, text(`has no ${kind.en} port "${ref.port}" (edge "${edge.id}").`, `に${kind.ja}ポート "${ref.port}" はありません（エッジ "${edge.id}"）。`)),
    hint: text(`Connect to one of its ${kind.en} ports: ${names.join(', ') || '—'}.`, `次の${kind.ja}ポートのいずれかにつないでください: ${names.join(', ') || '—'}。`),
  };
}

function multipleEdges(edge: GraphEdge, existing: GraphEdge, nodes: ReadonlyMap<string, GraphNode>): Omit<Diagnostic, 'severity'> {
  const node = nodes.get(edge.target.node)!;
  return {
    code: 'PORT_MULTIPLE_EDGES',
    edgeId: edge.id,
    nodeId: edge.target.node,
    port: edge.target.port,
    message: text(
      `Input "${edge.target.port}" of ${nodeName(node)} already receives edge "${existing.id}"; edge "${edge.id}" is a second one.`,
      `${nodeName(node)} の入力 "${edge.target.port}" にはすでにエッジ "${existing.id}" がつながっています（"${edge.id}" は二本目）。`,
    ),
    hint: text('An input takes one edge. To combine tensors, use an Add or Concat node.', '入力は一本だけです。テンソルを合わせるには Add か Concat ノードを使います。'),
  };
}

function unconnected(node: GraphNode, spec: NodeSpec, port: string): Omit<Diagnostic, 'severity'> {
  return {
    code: 'PORT_UNCONNECTED',
    nodeId: node.id,
    port,
    message: prefix(node, spec, text(`input "${port}" is not connected.`, `入力 "${port}" がつながっていません。`)),
    hint: text('Drag an edge from the output of the previous layer to this input.', '前の層の出力からこの入力へエッジをドラッグしてください。'),
  };
}

function overBudget(
  infos: ReadonlyMap<string, NodeInfo>,
  nodes: ReadonlyMap<string, GraphNode>,
  total: number,
  budget: number,
  batch: number,
): Omit<Diagnostic, 'severity'> {
  let largest: NodeInfo | undefined;
  for (const info of infos.values()) if (!largest || info.memoryBytes > largest.memoryBytes) largest = info;
  const node = nodes.get(largest!.id)!;
  const gb = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;
  const shape = largest!.outputs?.[0];
  const detail = `${largest!.paramCount.toLocaleString('en-US')} parameters${shape ? `, output ${formatShape(shape)}` : ''}`;
  const detailJa = `パラメータ ${largest!.paramCount.toLocaleString('en-US')} 個${shape ? `、出力 ${formatShape(shape)}` : ''}`;
  return {
    code: 'MEMORY_BUDGET',
    nodeId: largest!.id,
    message: text(
      `Training would need about ${gb(total)} (batch ${batch}), over the ${gb(budget)} budget. The largest layer is ${largest!.spec.label.en} ${nodeName(node)}: ${gb(largest!.memoryBytes)} (${detail}).`,
      `学習に約 ${gb(total)}（バッチ ${batch}）が必要で、上限 ${gb(budget)} を超えます。最大の層は ${largest!.spec.label.ja} ${nodeName(node)}: ${gb(largest!.memoryBytes)}（${detailJa}）。`,
    ),
    hint: text(
      'Make that layer smaller (fewer units or filters), downsample earlier (pooling or stride), or lower the batch size.',
      'その層を小さくする（ユニット数やフィルタ数を減らす）、早めにダウンサンプリングする（プーリングやストライド）、またはバッチサイズを下げてください。',
    ),
  };
}
