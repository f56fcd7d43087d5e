// The graph builder of the public API (engine/index.ts): code builds the same GraphDocument the
// editor saves, one method per catalog node type, so a graph written in TypeScript and one drawn
// on the canvas train identically. The exported TypeScript (engine/export/typescript.ts) uses it.

import {
  completeDocument,
  GRAPH_FORMAT,
  SCHEMA_VERSION,
  specOf,
  type GraphDocument,
  type GraphDocumentInput,
} from '../protocol/index.js';

/** One output of a node: what the next node's input connects to. */
export interface Port {
  readonly node: string;
  readonly port: string;
}

/** Options every node takes. `id` names the node (and its weights, `id.weight`); default: type + counter. */
export interface NodeOptions {
  readonly id?: string;
  readonly label?: string;
  /** Where the node sits on the canvas, when the document is opened in the editor. */
  readonly position?: { readonly x: number; readonly y: number };
}

type Pair = readonly [number, number];
type Padding = 'valid' | 'same' | 'explicit';

export interface InputOptions extends NodeOptions { readonly kind?: 'image' | 'vector' | 'sequence' }
export interface DenseOptions extends NodeOptions { readonly units?: number; readonly bias?: boolean }
export interface AlphaOptions extends NodeOptions { readonly alpha?: number }
export interface SoftmaxOptions extends NodeOptions { readonly axis?: number }
export interface Conv2DOptions extends NodeOptions {
  readonly filters?: number;
  readonly kernel?: Pair;
  readonly stride?: Pair;
  readonly padding?: Padding;
  readonly pad?: Pair;
  readonly dilation?: Pair;
  readonly groups?: number;
  readonly bias?: boolean;
}
export interface PoolOptions extends NodeOptions {
  readonly kernel?: Pair;
  readonly stride?: Pair;
  readonly padding?: Padding;
  readonly pad?: Pair;
}
export interface LpPoolOptions extends PoolOptions { readonly p?: number }
export interface DropoutOptions extends NodeOptions { readonly rate?: number }
export interface BatchNormOptions extends NodeOptions { readonly momentum?: number; readonly epsilon?: number }
export interface LrnOptions extends NodeOptions { readonly size?: number; readonly alpha?: number; readonly beta?: number; readonly k?: number }
export interface ConcatOptions extends NodeOptions { readonly axis?: number }
/** Losses: `target` connects a target tensor; without it the trainer uses the dataset's labels. */
export interface LossOptions extends NodeOptions { readonly target?: Port }
export interface BinaryCrossEntropyOptions extends LossOptions { readonly fromLogits?: boolean }
export interface SmoothL1Options extends LossOptions { readonly beta?: number }

/** The training section as written by hand: every field optional, defaults filled in by document(). */
export type TrainingInput = NonNullable<GraphDocumentInput['training']>;

type ParamValue = number | boolean | string | number[];
type NodeInput = GraphDocumentInput['nodes'][number];
type EdgeInput = NonNullable<GraphDocumentInput['edges']>[number];

/** Keys of NodeOptions and LossOptions that are not catalog params. */
const NOT_PARAMS = new Set(['id', 'label', 'position', 'target']);

/**
 * Builds a graph document node by node. Each method adds one node, wires its inputs, and returns
 * its output port. Nodes and edges keep the order they are added in: the engine draws each
 * node's initial weights in topological order, ties broken by document order, so building in the
 * same order gives the same weights for the same seed.
 */
export class GraphBuilder {
  private readonly nodes: NodeInput[] = [];
  private readonly edges: EdgeInput[] = [];
  private readonly ids = new Set<string>();
  private trainingConfig: TrainingInput = {};

  constructor(private readonly meta: { readonly name?: string; readonly description?: string } = {}) {}

  input(shape: readonly number[], options: InputOptions = {}): Port {
    return this.node('Input', [], { ...options, shape: [...shape] });
  }
  dense(x: Port, options: DenseOptions = {}): Port {
    return this.node('Dense', [['in', x]], options);
  }
  /** Rosenblatt's perceptron (Dense then a step); the trainer trains it with the perceptron rule. */
  perceptron(x: Port, options: DenseOptions = {}): Port {
    return this.node('Perceptron', [['in', x]], options);
  }
  step(x: Port, options: NodeOptions = {}): Port {
    return this.node('Step', [['in', x]], options);
  }
  sigmoid(x: Port, options: NodeOptions = {}): Port {
    return this.node('Sigmoid', [['in', x]], options);
  }
  tanh(x: Port, options: NodeOptions = {}): Port {
    return this.node('Tanh', [['in', x]], options);
  }
  softsign(x: Port, options: NodeOptions = {}): Port {
    return this.node('Softsign', [['in', x]], options);
  }
  relu(x: Port, options: NodeOptions = {}): Port {
    return this.node('ReLU', [['in', x]], options);
  }
  relu6(x: Port, options: NodeOptions = {}): Port {
    return this.node('ReLU6', [['in', x]], options);
  }
  leakyRelu(x: Port, options: AlphaOptions = {}): Port {
    return this.node('LeakyReLU', [['in', x]], options);
  }
  softplus(x: Port, options: NodeOptions = {}): Port {
    return this.node('Softplus', [['in', x]], options);
  }
  elu(x: Port, options: AlphaOptions = {}): Port {
    return this.node('ELU', [['in', x]], options);
  }
  identity(x: Port, options: NodeOptions = {}): Port {
    return this.node('Identity', [['in', x]], options);
  }
  softmax(x: Port, options: SoftmaxOptions = {}): Port {
    return this.node('Softmax', [['in', x]], options);
  }
  conv2d(x: Port, options: Conv2DOptions = {}): Port {
    return this.node('Conv2D', [['in', x]], options);
  }
  maxPool(x: Port, options: PoolOptions = {}): Port {
    return this.node('MaxPool', [['in', x]], options);
  }
  avgPool(x: Port, options: PoolOptions = {}): Port {
    return this.node('AvgPool', [['in', x]], options);
  }
  lpPool(x: Port, options: LpPoolOptions = {}): Port {
    return this.node('LpPool', [['in', x]], options);
  }
  globalAvgPool(x: Port, options: NodeOptions = {}): Port {
    return this.node('GlobalAvgPool', [['in', x]], options);
  }
  flatten(x: Port, options: NodeOptions = {}): Port {
    return this.node('Flatten', [['in', x]], options);
  }
  /** `shape` is per sample (the batch axis stays first); one entry may be −1. */
  reshape(x: Port, shape: readonly number[], options: NodeOptions = {}): Port {
    return this.node('Reshape', [['in', x]], { ...options, shape: [...shape] });
  }
  dropout(x: Port, options: DropoutOptions = {}): Port {
    return this.node('Dropout', [['in', x]], options);
  }
  batchNorm(x: Port, options: BatchNormOptions = {}): Port {
    return this.node('BatchNorm', [['in', x]], options);
  }
  lrn(x: Port, options: LrnOptions = {}): Port {
    return this.node('LRN', [['in', x]], options);
  }
  /** Elementwise sum of 2–8 inputs (a residual connection). */
  add(xs: readonly Port[], options: NodeOptions = {}): Port {
    return this.node('Add', xs.map((x, i) => [`in${i}`, x] as const), { ...options, inputs: xs.length });
  }
  /** Joins 2–8 inputs along `axis` (counted after the batch axis). */
  concat(xs: readonly Port[], options: ConcatOptions = {}): Port {
    return this.node('Concat', xs.map((x, i) => [`in${i}`, x] as const), { ...options, inputs: xs.length });
  }
  mse(prediction: Port, options: LossOptions = {}): Port {
    return this.loss('MSE', prediction, options);
  }
  /** Softmax cross-entropy on logits (do not put a Softmax before it). */
  crossEntropy(logits: Port, options: LossOptions = {}): Port {
    return this.loss('CrossEntropy', logits, options);
  }
  binaryCrossEntropy(prediction: Port, options: BinaryCrossEntropyOptions = {}): Port {
    return this.loss('BinaryCrossEntropy', prediction, options);
  }
  l1(prediction: Port, options: LossOptions = {}): Port {
    return this.loss('L1', prediction, options);
  }
  smoothL1(prediction: Port, options: SmoothL1Options = {}): Port {
    return this.loss('SmoothL1', prediction, options);
  }
  hinge(prediction: Port, options: LossOptions = {}): Port {
    return this.loss('Hinge', prediction, options);
  }

  /** Sets the training section (dataset, optimizer, schedule, batch, epochs, seed, ...). */
  training(config: TrainingInput): this {
    this.trainingConfig = config;
    return this;
  }

  /**
   * Adds a node of any catalog type: `inputs` maps input ports to sources, `options` holds
   * the node's params plus id/label/position (every other own property is a param). The typed
   * methods above call this.
   */
  node<O extends NodeOptions>(type: string, inputs: ReadonlyArray<readonly [string, Port]>, options?: O): Port {
    const opts: NodeOptions = options ?? {};
    const spec = specOf(type);
    if (spec === undefined) throw new Error(`createGraph: unknown node type "${type}"`);
    const id = opts.id ?? this.freshId(type);
    if (this.ids.has(id)) throw new Error(`createGraph: a node with id ${JSON.stringify(id)} already exists`);
    this.ids.add(id);
    const params: Record<string, ParamValue> = {};
    for (const [key, value] of Object.entries(opts)) {
      if (NOT_PARAMS.has(key) || value === undefined) continue;
      params[key] = Array.isArray(value) ? [...(value as number[])] : (value as ParamValue);
    }
    const node: NodeInput = { id, type, params, position: opts.position ?? { x: 0, y: this.nodes.length * 100 } };
    if (opts.label !== undefined) node.label = opts.label;
    this.nodes.push(node);
    for (const [port, source] of inputs) {
      if (!this.ids.has(source.node)) throw new Error(`createGraph: ${type} ${JSON.stringify(id)} reads from unknown node ${JSON.stringify(source.node)}`);
      this.edges.push({ id: `e${this.edges.length + 1}`, source: { node: source.node, port: source.port }, target: { node: id, port } });
    }
    return { node: id, port: spec.outputs[0]?.name ?? 'out' };
  }

  /** The finished document, defaults filled in (it is checked by the engine when trained). */
  document(): GraphDocument {
    return completeDocument({
      format: GRAPH_FORMAT,
      version: SCHEMA_VERSION,
      name: this.meta.name ?? 'Untitled',
      ...(this.meta.description !== undefined ? { description: this.meta.description } : {}),
      nodes: this.nodes,
      edges: this.edges,
      training: this.trainingConfig,
    });
  }

  private loss(type: string, prediction: Port, options: LossOptions): Port {
    const inputs: Array<readonly [string, Port]> = [['in', prediction]];
    if (options.target !== undefined) inputs.push(['target', options.target]);
    return this.node(type, inputs, options);
  }

  private freshId(type: string): string {
    const base = type.toLowerCase();
    for (let n = 1; ; n++) if (!this.ids.has(`${base}${n}`)) return `${base}${n}`;
  }
}

/** Starts a graph: `const g = createGraph({ name: 'mlp' }); const x = g.input([784]); ...; g.document()`. */
export function createGraph(meta: { readonly name?: string; readonly description?: string } = {}): GraphBuilder {
  return new GraphBuilder(meta);
}
