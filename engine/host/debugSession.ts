// The backprop debugger's engine side: one batch, its forward pass recorded on a tape with one
// span per graph node, and cursors that step forward (revealing each node's outputs) and backward
// (running the tape one node at a time). The Engine (engineServer.ts) owns at most one session
// and delegates every debug.* method here.

import { Tape, type RecordedOp } from '../autograd/tape.js';
import type { Backend, Values } from '../backends/backend.js';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { fill, fromValues, type Tensor } from '../core/tensor.js';
import type { Dataset } from '../data/index.js';
import { FEED_PORT } from '../layers/index.js';
import { ChannelError, toWireTensor, wireNumber, type EngineProtocol, type GraphDocument, type ResultOf, type WireTensor } from '../protocol/index.js';
import { buildModel, type Model } from '../train/model.js';
import { createOptimizer, type Optimizer } from '../train/optimizers.js';
import { planTask } from '../train/trainer.js';

export interface DebugStartOptions {
  readonly document: GraphDocument;
  /** The training split the samples are taken from. */
  readonly dataset: Dataset;
  readonly backend: Backend;
  /** The engine's trained (or loaded) model to debug instead of a fresh one; the session does not own it. */
  readonly trained: Model | null;
  readonly samples: readonly number[];
  readonly elementary: boolean;
}

function toFloat(values: Values): Float32Array | Int32Array {
  return values instanceof Float64Array ? Float32Array.from(values) : values;
}

async function readWire(t: Tensor): Promise<WireTensor> {
  return toWireTensor(toFloat(await t.backend.read(t.id)), t.shape);
}

/** Tensors up to this size carry their values in debug.expand (the numbers on the op graph's edges). */
const EXPAND_VALUES = 256;
/** The denominator's floor in the gradient check's relative error: both gradients below it count as equal. */
const TINY = 1e-10;
/**
 * One-sided slopes further apart than this (relative) mark a kink. On a smooth function they differ
 * by about ε·f″ (1e-5 relative for ε = 1e-5); across a ReLU's corner by the whole jump in slope.
 */
const KINK = 1e-3;

type Stats = ResultOf<EngineProtocol, 'debug.expand'>['ops'][number]['output']['valueStats'];

function statsOf(values: Values): Stats {
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return { min: wireNumber(min), max: wireNumber(max), mean: wireNumber(mean), std: wireNumber(Math.sqrt(squares / values.length)) };
}

/** The scalar attributes of an op, for labels ('scale' alpha 1 beta 1 → "+1"). */
function scalarAttrs(attrs: unknown): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  if (typeof attrs !== 'object' || attrs === null) return out;
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

/** Σ g·y over every output that has an upstream gradient: the scalar whose derivative the input check takes. */
function weightedSum(outputs: readonly Tensor[], upstream: readonly (Float64Array | null)[]): number {
  let total = 0;
  outputs.forEach((y, o) => {
    const g = upstream[o];
    if (g === null || g === undefined) return;
    const values = y.readSync();
    for (let i = 0; i < g.length; i++) total += g[i]! * values[i]!;
  });
  return total;
}

/** `count` indices spread over [0, size), rather than the first few of one row. */
function spread(size: number, count: number): number[] {
  const n = Math.min(size, count);
  return Array.from({ length: n }, (_, k) => Math.floor((k * size) / n));
}

function relativeError(analytic: number, numeric: number): number {
  return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), TINY);
}

export class DebugSession {
  private forwardAt = 0;
  private backwardAt = 0;
  private optimizer: Optimizer | null = null;

  private constructor(
    readonly document: GraphDocument,
    readonly model: Model,
    private readonly ownsModel: boolean,
    private readonly tape: Tape,
    private readonly x: Tensor,
    private readonly labels: Tensor,
    private readonly loss: Tensor,
    private readonly outputs: ReadonlyMap<string, readonly Tensor[]>,
    private readonly forwardOrder: readonly string[],
    private readonly backwardOrder: readonly (string | null)[],
    /** debug.start's answer, kept for the Engine to return. */
    readonly summary: ResultOf<EngineProtocol, 'debug.start'>,
  ) {}

  /** Builds (or reuses) the model, runs the forward pass on the chosen samples and prepares backward. */
  static async start(options: DebugStartOptions): Promise<DebugSession> {
    const { document, dataset, backend, trained, samples, elementary } = options;
    for (const s of samples) if (s >= dataset.size) throw new ChannelError('BAD_ARGS', `sample ${s} is past the end of the dataset (${dataset.size} samples)`);
    const model = trained ?? buildModel(document, { backend });
    let started = false;
    try {
      const plan = planTask(model, document, dataset);
      const n = samples.length;
      const x = new Float32Array(n * plan.features);
      const labels = plan.task === 'classification' ? new Int32Array(n * plan.labelWidth) : new Float32Array(n * plan.labelWidth);
      samples.forEach((s, i) => {
        x.set(dataset.x.subarray(s * plan.features, (s + 1) * plan.features), i * plan.features);
        labels.set(dataset.y.subarray(s * plan.labelWidth, (s + 1) * plan.labelWidth), i * plan.labelWidth);
      });
      const xt = fromValues(backend, [n, ...plan.inputShape], x);
      // So the Input node too shows a gradient, dL/dx (which inputs the loss is sensitive to).
      xt.requiresGrad = true;
      const yt = fromValues(backend, [n, ...plan.labelShape], labels, plan.task === 'classification' ? 'int32' : 'float32');
      const tape = new Tape({ elementary });
      // Training mode, as a training step sees the graph (dropout on, batch statistics).
      const result = model.forward(xt, yt, { training: true, tape, step: 0 });
      if (result.loss === null) throw new ChannelError('DEBUG', 'the graph computed no loss for this batch');
      tape.beginBackward(result.loss);
      const nodes = tape.nodes();
      const forwardOrder = nodes.filter((id): id is string => id !== null);
      const loss = (await backend.read(result.loss.id))[0] ?? Number.NaN;
      const summary = {
        samples: [...samples],
        loss: wireNumber(loss),
        forwardOrder,
        backwardOrder: [...nodes].reverse(),
        nodes: forwardOrder.map((id) => ({
          nodeId: id,
          type: document.nodes.find((node) => node.id === id)?.type ?? '',
          outputs: (result.outputs.get(id) ?? []).map((t) => [...t.shape]),
          ops: tape.opsOf(id).length,
        })),
      };
      started = true;
      return new DebugSession(document, model, trained === null, tape, xt, yt, result.loss, result.outputs, forwardOrder, [...nodes].reverse(), summary);
    } catch (error) {
      throw error instanceof ChannelError ? error : new ChannelError('DEBUG', error instanceof Error ? error.message : String(error));
    } finally {
      if (!started) {
        backend.endStep();
        if (trained === null) model.dispose();
      }
    }
  }

  /**
   * Forward stepping shows each node's outputs in order. The model runs the pass as a whole
   * (Model.forward is not steppable), so the values exist already; stepping reveals them node by
   * node, which is what the debugger view needs. Backward, by contrast, truly runs per node.
   */
  async forward(): Promise<ResultOf<EngineProtocol, 'debug.forward'>> {
    const index = this.forwardAt;
    const nodeId = this.forwardOrder[index];
    if (nodeId === undefined) throw new ChannelError('DEBUG', 'the forward pass is complete');
    this.forwardAt++;
    const outputs = await Promise.all((this.outputs.get(nodeId) ?? []).map((t) => readWire(t)));
    return { nodeId, index, outputs, done: this.forwardAt >= this.forwardOrder.length };
  }

  async backward(): Promise<ResultOf<EngineProtocol, 'debug.backward'>> {
    const index = this.backwardAt;
    if (index >= this.backwardOrder.length) throw new ChannelError('DEBUG', 'the backward pass is complete');
    const nodeId = this.backwardOrder[index]!;
    const { tape } = this;
    if (!tape.canRunBackward(nodeId)) throw new ChannelError('DEBUG', `node ${String(nodeId)} cannot run backward yet`);
    try {
      tape.backwardSpan(nodeId);
    } catch (error) {
      throw new ChannelError('DEBUG', error instanceof Error ? error.message : String(error));
    }
    this.backwardAt++;
    const outputs = nodeId === null ? [this.loss] : (this.outputs.get(nodeId) ?? []);
    const outputGrads = await Promise.all(
      outputs.map(async (t) => {
        if (!tape.gradReady(t)) return null;
        const g = tape.gradOf(t);
        return g === null ? null : readWire(g);
      }),
    );
    const inputGrads = [];
    if (nodeId !== null) {
      for (const { port, tensor } of this.inputsOf(nodeId, this.x, this.outputs)) {
        const g = tape.gradReady(tensor) ? tape.gradOf(tensor) : null;
        inputGrads.push({ port, tensor: g === null ? null : await readWire(g) });
      }
    }
    const paramGrads = [];
    for (const p of this.model.parameters()) {
      if (p.nodeId !== nodeId || !tape.gradReady(p.tensor)) continue;
      const g = tape.gradOf(p.tensor);
      if (g !== null) paramGrads.push({ name: p.name, tensor: await readWire(g) });
    }
    return { nodeId, index, outputGrads, inputGrads, paramGrads, done: this.backwardAt >= this.backwardOrder.length };
  }

  /** A node's input tensors by port, as `outputs` (a forward's) holds them; an Input node's is the batch. */
  private inputsOf(nodeId: string, x: Tensor, outputs: ReadonlyMap<string, readonly Tensor[]>): { port: string; tensor: Tensor }[] {
    if (this.model.inputIds.includes(nodeId)) return [{ port: FEED_PORT, tensor: x }];
    const inputs = [];
    for (const edge of this.document.edges) {
      if (edge.target.node !== nodeId) continue;
      const spec = this.model.report.nodes.get(edge.source.node)?.spec;
      const tensor = outputs.get(edge.source.node)?.[Math.max(0, spec?.outputs.findIndex((o) => o.name === edge.source.port) ?? 0)];
      if (tensor !== undefined) inputs.push({ port: edge.target.port, tensor });
    }
    return inputs;
  }

  /**
   * The op-level graph of a node (Dense: matMul, add; sigmoid in elementary mode: neg, exp, +1,
   * reciprocal) with each tensor's forward value and, once backward has passed it, its gradient.
   */
  async expand(nodeId: string | null): Promise<ResultOf<EngineProtocol, 'debug.expand'>> {
    if (nodeId !== null && !this.forwardOrder.includes(nodeId)) throw new ChannelError('BAD_ARGS', `the debugged graph has no node "${nodeId}"`);
    const { tape } = this;
    const producers = new Map<Tensor, RecordedOp>();
    for (const op of tape.ops) producers.set(op.output, op);
    const params = new Map(this.model.parameters().map((p) => [p.tensor, p.name]));
    const describe = async (t: Tensor, local?: Tensor | null) => {
      const producer = producers.get(t);
      const small = t.size <= EXPAND_VALUES;
      const values = await t.backend.read(t.id);
      const g = t.dtype === 'float32' && tape.gradReady(t) ? tape.gradOf(t) : null;
      const gradValues = g === null ? null : await g.backend.read(g.id);
      const param = params.get(t);
      return {
        shape: [...t.shape],
        dtype: t.dtype,
        producer: producer === undefined ? null : { op: producer.index, nodeId: producer.node },
        ...(param !== undefined ? { param } : {}),
        value: small ? toWireTensor(toFloat(values), t.shape) : null,
        valueStats: statsOf(values),
        grad: small && gradValues !== null ? toWireTensor(toFloat(gradValues), t.shape) : null,
        gradStats: gradValues === null ? null : statsOf(gradValues),
        ...(local !== undefined ? { local: local === null || !small ? null : toWireTensor(toFloat(await local.backend.read(local.id)), t.shape) } : {}),
      };
    };
    const ops = [];
    for (const op of tape.opsOf(nodeId)) {
      const locals = localDerivatives(op);
      ops.push({
        index: op.index,
        name: op.def.name,
        attrs: scalarAttrs(op.attrs),
        inputs: await Promise.all(op.inputs.map((t, j) => describe(t, locals === null ? undefined : (locals[j] ?? null)))),
        output: await describe(op.output),
      });
    }
    return { nodeId, ops };
  }

  /**
   * The gradient check of one node, in float64: the debugged model is rebuilt on a reference
   * backend with the same weights and batch. Parameters are checked through the whole loss
   * (perturb one weight, run forward); inputs through the node alone, as the scalar Σ g·y with g
   * the node's upstream gradient dL/dy (so its derivative is dL/dx by the chain rule).
   */
  async gradCheck(nodeId: string, elements: number, epsilon: number): Promise<ResultOf<EngineProtocol, 'debug.gradCheck'>> {
    if (!this.forwardOrder.includes(nodeId)) throw new ChannelError('BAD_ARGS', `the debugged graph has no node "${nodeId}"`);
    const reference = new ReferenceBackend();
    try {
      const model = buildModel(this.document, { backend: reference, seed: this.model.seed });
      try {
        const source = this.model.parameters();
        for (const [i, p] of model.parameters().entries()) reference.write(p.tensor.id, await this.model.backend.read(source[i]!.tensor.id));
        const state = this.model.state();
        for (const [i, s] of model.state().entries()) reference.write(s.tensor.id, await this.model.backend.read(state[i]!.tensor.id));
        return await this.checkOn(model, nodeId, elements, epsilon);
      } finally {
        model.dispose();
      }
    } catch (error) {
      throw error instanceof ChannelError ? error : new ChannelError('DEBUG', `gradient check of "${nodeId}": ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      reference.dispose();
    }
  }

  private async checkOn(model: Model, nodeId: string, elements: number, epsilon: number): Promise<ResultOf<EngineProtocol, 'debug.gradCheck'>> {
    const backend = model.backend;
    const x = fromValues(backend, this.x.shape, await this.x.backend.read(this.x.id), this.x.dtype);
    x.requiresGrad = x.dtype === 'float32';
    const labels = fromValues(backend, this.labels.shape, await this.labels.backend.read(this.labels.id), this.labels.dtype);
    const options = { training: true, step: 0 } as const;

    const started = performance.now();
    const tape = new Tape();
    const result = model.forward(x, labels, { ...options, tape });
    if (result.loss === null) throw new ChannelError('DEBUG', 'the graph computed no loss');
    const grads = tape.backward(result.loss);
    const gradient = (t: Tensor): Float64Array => {
      const g = grads.get(t);
      return g === undefined ? new Float64Array(t.size) : Float64Array.from(g.readSync());
    };
    const analyticMs = performance.now() - started;

    let numericMs = 0;
    let evaluations = 0;
    const checks: ResultOf<EngineProtocol, 'debug.gradCheck'>['checks'] = [];
    /**
     * Central difference of `f` in element `index` of `values`, written back through `write`;
     * `f0` is f unperturbed. A kink (ReLU at 0, a max-pool tie) inside [x − ε, x + ε] shows as
     * one-sided slopes that disagree: such an element is flagged, since no finite difference
     * measures a derivative there.
     */
    const central = (values: Float64Array, index: number, write: (v: Float64Array) => void, f: () => number, f0: number): { numeric: number; kink: boolean } => {
      const start = performance.now();
      const original = values[index]!;
      values[index] = original + epsilon;
      write(values);
      const plus = f();
      values[index] = original - epsilon;
      write(values);
      const minus = f();
      values[index] = original;
      write(values);
      numericMs += performance.now() - start;
      evaluations += 2;
      const right = (plus - f0) / epsilon;
      const left = (f0 - minus) / epsilon;
      return { numeric: (plus - minus) / (2 * epsilon), kink: Math.abs(right - left) > KINK * Math.max(Math.abs(right), Math.abs(left)) + TINY };
    };
    const record = (kind: 'param' | 'input', name: string, index: number, analytic: number, { numeric, kink }: { numeric: number; kink: boolean }): void => {
      checks.push({ kind, param: name, index, analytic, numeric: wireNumber(numeric) ?? 0, relativeError: wireNumber(relativeError(analytic, numeric)) ?? 1, kink });
    };
    const timed = (f: () => number): number => {
      const start = performance.now();
      const value = f();
      numericMs += performance.now() - start;
      evaluations++;
      return value;
    };

    // Parameters, through the whole loss.
    const lossNow = (): number => model.forward(x, labels, options).loss!.readSync()[0]!;
    const params = model.parameters().filter((p) => p.nodeId === nodeId);
    const loss0 = params.length > 0 ? timed(lossNow) : 0;
    for (const p of params) {
      const analytic = gradient(p.tensor);
      const values = Float64Array.from(p.tensor.readSync());
      for (const index of spread(values.length, elements)) {
        record('param', p.name, index, analytic[index]!, central(values, index, (v) => backend.write(p.tensor.id, v), lossNow, loss0));
      }
    }

    // Inputs, through the node alone (its layer, run as forward ran it).
    const outputs = result.outputs.get(nodeId) ?? [];
    const upstream = outputs.map((y) => (grads.has(y) ? gradient(y) : null));
    if (upstream.some((g) => g !== null)) {
      const layer = model.layer(nodeId);
      const context = { training: true, seed: model.randomSeed, step: 0, labels };
      const inputs = this.inputsOf(nodeId, x, result.outputs);
      const record0: Record<string, Tensor> = Object.fromEntries(inputs.map((i) => [i.port, i.tensor]));
      for (const { port, tensor } of inputs) {
        if (tensor.dtype !== 'float32' || !grads.has(tensor)) continue;
        const analytic = gradient(tensor);
        const values = Float64Array.from(tensor.readSync());
        let perturbed = tensor;
        const write = (v: Float64Array): void => {
          perturbed = fromValues(backend, tensor.shape, v);
        };
        const f = (): number => weightedSum(layer.forward({ ...record0, [port]: perturbed }, context), upstream);
        const f0 = timed(f);
        for (const index of spread(values.length, elements)) record('input', port, index, analytic[index]!, central(values, index, write, f, f0));
      }
    }
    if (checks.length === 0) throw new ChannelError('BAD_ARGS', `node "${nodeId}" has neither parameters nor inputs with a gradient to check`);
    return {
      nodeId,
      backend: 'reference (float64)',
      epsilon,
      checks,
      // Elements at a kink are reported but not counted: the derivative is one-sided there.
      maxRelativeError: checks.reduce((m, c) => (c.kink ? m : Math.max(m, c.relativeError)), 0),
      kinks: checks.filter((c) => c.kink).length,
      analyticMs,
      numericMs,
      evaluations,
    };
  }

  /** Gradients of a fresh forward/backward of the session's batch (the stepped tape may be half done). */
  private fullGradients(): Map<Tensor, Tensor> {
    const tape = new Tape();
    const result = this.model.forward(this.x, this.labels, { training: true, tape, step: 0 });
    if (result.loss === null) throw new ChannelError('DEBUG', 'the graph computed no loss');
    return tape.backward(result.loss);
  }

  optimizerStep(): ResultOf<EngineProtocol, 'debug.optimizerStep'> {
    if (!this.ownsModel) throw new ChannelError('DEBUG', 'an optimizer step changes the weights: start the debugger without useTrained');
    const backend = this.model.backend;
    if (backend.readSync === undefined) throw new ChannelError('NOT_AVAILABLE', 'the optimizer view needs synchronous reads');
    const params = this.model.parameters();
    this.optimizer ??= createOptimizer(this.document.training.optimizer, params.map((p) => p.tensor));
    const before = params.map((p) => Float32Array.from(backend.readSync!(p.tensor.id)));
    const grads = this.fullGradients();
    const used = params.map((p) => {
      const g = grads.get(p.tensor);
      return g === undefined ? new Float32Array(p.tensor.size) : Float32Array.from(backend.readSync!(g.id));
    });
    this.optimizer.step(grads);
    const updates = params.map((p, i) => {
      const after = Float32Array.from(backend.readSync!(p.tensor.id));
      const delta = new Float32Array(after.length);
      for (let j = 0; j < delta.length; j++) delta[j] = after[j]! - before[i]![j]!;
      return { nodeId: p.nodeId, name: p.name, grad: toWireTensor(used[i]!, p.tensor.shape), delta: toWireTensor(delta, p.tensor.shape), value: toWireTensor(after, p.tensor.shape) };
    });
    return { optimizer: this.optimizer.type, lr: this.optimizer.lr, updates };
  }

  /** Frees the session's tensors (all step storage), its optimizer, and its model if it made one. */
  end(): void {
    // Every tensor of the session (the batch, the tape's values, gradients) is step storage.
    this.model.backend.endStep();
    this.optimizer?.dispose();
    if (this.ownsModel) this.model.dispose();
  }
}

/**
 * For an elementwise op (every input shaped like the output): ∂output/∂input per element, the
 * op's own gradient run on ones. Null for other ops (a matMul's local derivative is a matrix).
 */
function localDerivatives(op: RecordedOp): (Tensor | null)[] | null {
  const gradient = op.def.gradient;
  if (gradient === undefined || op.output.dtype !== 'float32') return null;
  if (!op.inputs.every((t) => t.size === op.output.size && t.rank === op.output.rank)) return null;
  return [...gradient.call(op.def, fill(op.output.backend, op.output.shape, 1), op)];
}
