// A runnable model built from a graph document: validated against the catalog, one layer per node
// in topological order, parameters initialised from the seed, and a forward pass that runs each
// node inside its own tape span so the debugger can step forward and backward node by node.

import type { Backend } from '../backends/backend.js';
import { Random } from '../core/random.js';
import type { Shape } from '../core/shape.js';
import { Tensor, variable } from '../core/tensor.js';
import type { Tape } from '../autograd/tape.js';
import * as ops from '../ops/index.js';
import { validateGraph, type GraphDocument, type GraphReport, type ValidateOptions } from '../protocol/index.js';
import { buildLayer, FEED_PORT, type Layer, type LayerContext, type ParamRequest, type ParamRole } from '../layers/index.js';
import { GLOROT_UNIFORM, initialValues, ONES, ZEROS, type InitializerSpec } from './initializers.js';
import { weightPenalty, type WeightPenalty } from './regularizers.js';

export interface ModelOptions {
  readonly backend: Backend;
  /** Seed of initialisation and dropout; the document's training.seed by default. */
  readonly seed?: number;
  /** The initializer of every weight (Dense and Conv2D W); Glorot uniform by default (Keras). */
  readonly weightInitializer?: InitializerSpec;
  /**
   * Per-parameter overrides: the key 'nodeId' sets that node's weight, 'nodeId.name' any of its
   * parameters ('fc1.bias', 'bn1.gamma'). A key that names no parameter is an error.
   */
  readonly initializers?: Readonly<Record<string, InitializerSpec>>;
  /** L1/L2 weight penalties by node id, added to the loss (engine/train/regularizers.ts). */
  readonly regularizers?: Readonly<Record<string, WeightPenalty>>;
  /** Passed to validateGraph (the memory budget). */
  readonly validation?: ValidateOptions;
}

export interface ModelParameter {
  readonly nodeId: string;
  readonly name: string;
  readonly role: ParamRole;
  readonly tensor: Tensor;
}

export interface ModelStateTensor {
  readonly nodeId: string;
  readonly name: string;
  readonly tensor: Tensor;
}

/** The batch for the Input nodes: one tensor when the graph has one Input, else by node id. */
export type ModelInputs = Tensor | Readonly<Record<string, Tensor>>;

export interface ForwardOptions {
  /** Training mode (dropout on, BatchNorm batch statistics); false for evaluation and prediction. */
  readonly training: boolean;
  /** Records every node in its own span (`tape.span(nodeId, …)`) for backward and the debugger. */
  readonly tape?: Tape;
  /** The training step, which varies the dropout masks; 0 by default. */
  readonly step?: number;
  /**
   * Computes a ReLU whose only consumer is a MaxPool as MaxPool then ReLU, in the pool's span and
   * in the pool's kernel (PoolAttrs.relu, forward and backward): the same values and gradients
   * (ReLU is monotonic and zero exactly where it clips), with no pass of its own over memory
   * (before, a separate ReLU after the pool, a quarter of the traffic for a 2×2 pool, and its
   * gradient kernel). The ReLU's own output is then not computed:
   * it is absent from `outputs` and its span is empty. For training and evaluation; the
   * debugger and activation views leave it off (the default).
   */
  readonly fuse?: boolean;
}

export interface ForwardResult {
  /**
   * The scalar to minimise: the sum of the loss nodes' outputs plus the weight penalties. Null when
   * no loss ran (prediction without labels skips losses whose target comes from the dataset).
   */
  readonly loss: Tensor | null;
  /** Each loss node's output (batch mean of per-sample sums). */
  readonly losses: ReadonlyMap<string, Tensor>;
  /** The summed weight penalties, when any are configured. */
  readonly penalty: Tensor | null;
  /** Every node's outputs, batch axis first, by node id (skipped nodes are absent). */
  readonly outputs: ReadonlyMap<string, readonly Tensor[]>;
}

/** Where a node's input port reads from: a node (by position in `order`) and its output index. */
interface Wire {
  readonly port: string;
  readonly source: number;
  readonly output: number;
}

/** One node, compiled: its layer, its wiring, and a reusable inputs record. */
interface CompiledNode {
  readonly id: string;
  readonly layer: Layer;
  readonly wires: readonly Wire[];
  readonly isInput: boolean;
  readonly isLoss: boolean;
  /** A loss whose target comes from the dataset: skipped when no labels are given. */
  readonly needsLabels: boolean;
  readonly weights: readonly Tensor[];
  readonly penalty: WeightPenalty | undefined;
  /** Refilled on every forward; layers must not keep it. */
  readonly inputs: Record<string, Tensor>;
  /**
   * A ReLU whose only consumer is a MaxPool (skipped when fusing: its input passes through),
   * and that MaxPool (applies the ReLU in its own kernel when fusing: LayerContext.fusedRelu).
   * See ForwardOptions.fuse.
   */
  fused: 'relu' | 'pool' | null;
}

/**
 * Validates `doc` and builds its model. Refuses a graph with errors, naming the first one (the
 * editor shows them all); warnings (dead nodes, a double softmax) do not stop it.
 */
export function buildModel(doc: GraphDocument, options: ModelOptions): Model {
  const report = validateGraph(doc, options.validation);
  const error = report.diagnostics.find((d) => d.severity === 'error');
  if (error !== undefined) {
    const where = error.nodeId !== undefined ? ` (node '${error.nodeId}')` : '';
    throw new Error(`cannot build the model: ${error.message.en}${where} ${error.hint.en}`);
  }
  return new Model(doc, report, options);
}

export class Model {
  readonly report: GraphReport;
  readonly backend: Backend;
  /** Node ids in the order forward runs them (topological). */
  readonly order: readonly string[];
  readonly inputIds: readonly string[];
  readonly lossIds: readonly string[];
  readonly seed: number;

  private readonly nodes: readonly CompiledNode[];
  private readonly byId: ReadonlyMap<string, CompiledNode>;
  private readonly params: readonly ModelParameter[];
  private readonly stateTensors: readonly ModelStateTensor[];
  /**
   * Derived from the seed; dropout layers derive their masks from it. Public so that the
   * debugger's per-node gradient check can re-run one layer exactly as forward ran it.
   */
  readonly randomSeed: number;

  /** Whether a forward without labels still computes a loss (some loss has its target wired). */
  private readonly lossWithoutLabels: boolean;

  /**
   * Per-forward scratch, so the per-node span callback is made once, at build (forward is
   * therefore not re-entrant). `values` holds each node's outputs by position in `order`.
   */
  private context: LayerContext = { training: false, seed: 0, step: 0 };
  private current: CompiledNode | null = null;
  private fusing = false;
  private readonly values: (readonly Tensor[] | undefined)[];
  private penalties: Tensor[] = [];

  constructor(doc: GraphDocument, report: GraphReport, options: ModelOptions) {
    this.report = report;
    this.backend = options.backend;
    this.order = report.order;
    this.seed = options.seed ?? doc.training.seed;
    const root = new Random(this.seed);
    this.randomSeed = root.fork();

    const position = new Map(this.order.map((id, i) => [id, i]));
    const incoming = new Map<string, Wire[]>();
    for (const edge of doc.edges) {
      const source = report.nodes.get(edge.source.node)!;
      const wires = incoming.get(edge.target.node) ?? [];
      wires.push({
        port: edge.target.port,
        source: position.get(edge.source.node)!,
        output: source.spec.outputs.findIndex((o) => o.name === edge.source.port),
      });
      incoming.set(edge.target.node, wires);
    }

    const initializers = options.initializers ?? {};
    const usedKeys = new Set<string>();
    const params: ModelParameter[] = [];
    const stateTensors: ModelStateTensor[] = [];
    const nodes: CompiledNode[] = [];
    try {
      for (const id of this.order) {
        const info = report.nodes.get(id)!;
        const random = new Random(root.fork());
        const weights: Tensor[] = [];
        const createParam = (request: ParamRequest): Tensor => {
          const spec = chooseInitializer(id, request, initializers, options.weightInitializer, usedKeys);
          const values = initialValues(spec, random, sizeOfShape(request.shape), request.fans);
          const tensor = variable(this.backend, request.shape, values);
          params.push({ nodeId: id, name: request.name, role: request.role, tensor });
          if (request.role === 'weight') weights.push(tensor);
          return tensor;
        };
        const layer = buildLayer(
          { id, type: info.spec.type, params: info.params!, inputs: info.inputs, outputs: info.outputs!, backend: this.backend },
          createParam,
        );
        for (const [name, tensor] of Object.entries(layer.state)) stateTensors.push({ nodeId: id, name, tensor });
        const isLoss = info.spec.role === 'loss';
        nodes.push({
          id,
          layer,
          wires: incoming.get(id) ?? [],
          isInput: info.spec.role === 'input',
          isLoss,
          needsLabels: isLoss && info.inputs['target'] === undefined,
          weights,
          penalty: options.regularizers?.[id],
          inputs: {},
          fused: null,
        });
      }
      markReluPoolPairs(doc, nodes, position);
      checkOverrides(initializers, usedKeys, options.regularizers ?? {}, nodes);
    } catch (error) {
      // Nothing of a half-built model may stay allocated.
      for (const p of params) p.tensor.dispose();
      for (const t of stateTensors) t.tensor.dispose();
      throw error;
    }
    this.nodes = nodes;
    this.values = new Array<readonly Tensor[] | undefined>(nodes.length).fill(undefined);
    this.byId = new Map(nodes.map((n) => [n.id, n]));
    this.params = params;
    this.stateTensors = stateTensors;
    this.inputIds = nodes.filter((n) => n.isInput).map((n) => n.id);
    this.lossIds = nodes.filter((n) => n.isLoss).map((n) => n.id);
    this.lossWithoutLabels = nodes.some((n) => n.isLoss && !n.needsLabels);
  }

  /** The layer of a node. */
  layer(nodeId: string): Layer {
    const node = this.byId.get(nodeId);
    if (node === undefined) throw new Error(`the model has no node '${nodeId}'`);
    return node.layer;
  }

  /** Per-sample output shapes of a node, as the catalog inferred them. */
  outputShapes(nodeId: string): readonly Shape[] {
    return this.report.nodes.get(nodeId)?.outputs ?? [];
  }

  /** Trainable parameters in node order, each with its node id, name and role. */
  parameters(): readonly ModelParameter[] {
    return this.params;
  }

  /** Non-trainable persistent tensors (BatchNorm running statistics). */
  state(): readonly ModelStateTensor[] {
    return this.stateTensors;
  }

  /**
   * Runs the graph on a batch. With a tape, node `id`'s ops are recorded in span `id`, and the
   * sum of several losses (or of a loss and penalties) outside any span (node null).
   */
  forward(inputs: ModelInputs, labels: Tensor | undefined, options: ForwardOptions): ForwardResult {
    const tape = options.tape;
    const step = options.step ?? 0;
    this.context =
      labels === undefined
        ? { training: options.training, seed: this.randomSeed, step }
        : { training: options.training, seed: this.randomSeed, step, labels };
    this.penalties = [];
    this.fusing = options.fuse === true;
    const outputs = new Map<string, readonly Tensor[]>();
    const losses = new Map<string, Tensor>();
    const terms: Tensor[] = [];
    try {
      for (let i = 0; i < this.nodes.length; i++) {
        const node = this.nodes[i]!;
        if (node.needsLabels && labels === undefined) continue;
        if (!this.gatherInputs(node, inputs)) continue;
        if (this.fusing && node.fused === 'relu') {
          // Applied after the MaxPool that reads it (runCurrent): pass the input through.
          this.values[i] = [node.inputs['in']!];
          continue;
        }
        this.current = node;
        const out = tape === undefined ? this.runCurrent() : tape.span(node.id, this.runCurrent);
        this.values[i] = out;
        outputs.set(node.id, out);
        if (node.isLoss) {
          losses.set(node.id, out[0]!);
          terms.push(out[0]!);
        }
      }
      const penalty = this.penalties.length > 0 ? sumTerms(this.penalties, tape) : null;
      if (penalty !== null && terms.length > 0) terms.push(penalty);
      const loss = terms.length === 0 ? null : terms.length === 1 ? terms[0]! : sumTerms(terms, tape);
      return { loss, losses, penalty, outputs };
    } finally {
      // Drop this step's tensors (they die at endStep). The per-node inputs records keep theirs
      // until the next forward overwrites them: handles only, never read after endStep.
      this.current = null;
      this.values.fill(undefined);
      this.penalties = [];
    }
  }

  /** Frees every parameter and state tensor. */
  dispose(): void {
    for (const p of this.params) p.tensor.dispose();
    for (const s of this.stateTensors) s.tensor.dispose();
  }

  // -------------------------------------------------------------------------------------------

  /** Fills `node.inputs` from the outputs computed so far; false when a source was skipped. */
  private gatherInputs(node: CompiledNode, inputs: ModelInputs): boolean {
    if (node.isInput) {
      node.inputs[FEED_PORT] = this.feedFor(node.id, inputs);
      return true;
    }
    for (const wire of node.wires) {
      const source = this.values[wire.source];
      if (source === undefined) return false;
      node.inputs[wire.port] = source[wire.output]!;
    }
    return true;
  }

  private feedFor(id: string, inputs: ModelInputs): Tensor {
    if (isTensor(inputs)) {
      if (this.inputIds.length !== 1) throw new Error(`the graph has ${this.inputIds.length} Input nodes; give the batch by node id`);
      return inputs;
    }
    const feed = inputs[id];
    if (feed === undefined) throw new Error(`no batch given for Input node '${id}'`);
    return feed;
  }

  /** Runs the current node's layer, and its weight penalty, inside the node's span when recording. */
  private readonly runCurrent = (): readonly Tensor[] => {
    const node = this.current!;
    const context = this.fusing && node.fused === 'pool' ? { ...this.context, fusedRelu: true } : this.context;
    const out = node.layer.forward(node.inputs, context);
    if (node.penalty !== undefined && (this.context.labels !== undefined || this.lossWithoutLabels)) {
      const term = weightPenalty(node.weights, node.penalty);
      if (term !== null) this.penalties.push(term);
    }
    return out;
  };
}

/**
 * Marks each ReLU whose output feeds exactly one port, the input of a MaxPool (ForwardOptions.fuse).
 * Only ReLU: it keeps the order of positive values and maps every other value to 0, so the pool's
 * first maximum and the gradient it routes are the same either way. (ReLU6 and LeakyReLU can turn
 * distinct values into ties after rounding, and then the first maximum may move.)
 */
function markReluPoolPairs(doc: GraphDocument, nodes: readonly CompiledNode[], position: ReadonlyMap<string, number>): void {
  const consumers = new Map<string, number>();
  for (const edge of doc.edges) consumers.set(edge.source.node, (consumers.get(edge.source.node) ?? 0) + 1);
  const typeOf = new Map(doc.nodes.map((n) => [n.id, n.type]));
  for (const edge of doc.edges) {
    if (typeOf.get(edge.source.node) !== 'ReLU' || typeOf.get(edge.target.node) !== 'MaxPool') continue;
    const relu = position.get(edge.source.node);
    const pool = position.get(edge.target.node);
    if (consumers.get(edge.source.node) !== 1 || relu === undefined || pool === undefined) continue;
    nodes[relu]!.fused = 'relu';
    nodes[pool]!.fused = 'pool';
  }
}

/** a + b + … in order; recorded outside any span (graph node null) when a tape is given. */
function sumTerms(terms: readonly Tensor[], tape: Tape | undefined): Tensor {
  const add = (): Tensor => {
    let total = terms[0]!;
    for (let k = 1; k < terms.length; k++) total = ops.add(total, terms[k]!);
    return total;
  };
  return tape === undefined ? add() : tape.record(add);
}

function chooseInitializer(
  id: string,
  request: ParamRequest,
  overrides: Readonly<Record<string, InitializerSpec>>,
  weightDefault: InitializerSpec | undefined,
  used: Set<string>,
): InitializerSpec {
  const exactKey = `${id}.${request.name}`;
  const exact = overrides[exactKey];
  if (exact !== undefined) {
    used.add(exactKey);
    return exact;
  }
  if (request.role === 'weight') {
    const byNode = overrides[id];
    if (byNode !== undefined) {
      used.add(id);
      return byNode;
    }
    return weightDefault ?? GLOROT_UNIFORM;
  }
  return request.role === 'gamma' ? ONES : ZEROS;
}

function sizeOfShape(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function isTensor(inputs: ModelInputs): inputs is Tensor {
  return inputs instanceof Tensor;
}

/** Every override key must name a parameter, every penalty a node with weights. */
function checkOverrides(
  initializers: Readonly<Record<string, InitializerSpec>>,
  usedKeys: ReadonlySet<string>,
  regularizers: Readonly<Record<string, WeightPenalty>>,
  nodes: readonly CompiledNode[],
): void {
  for (const key of Object.keys(initializers)) {
    if (!usedKeys.has(key)) throw new Error(`initializer override '${key}' names no parameter of the model (use 'nodeId' or 'nodeId.param')`);
  }
  for (const [id, penalty] of Object.entries(regularizers)) {
    const node = nodes.find((n) => n.id === id);
    if (node === undefined || node.weights.length === 0) {
      throw new Error(`weight penalty for '${id}': the model has no such node with weights (Dense, Perceptron or Conv2D)`);
    }
    weightPenalty([], penalty); // checks the strengths now rather than at the first step
  }
}
