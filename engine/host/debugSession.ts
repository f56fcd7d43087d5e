// The backprop debugger's engine side: one batch, its forward pass recorded on a tape with one
// span per graph node, and cursors that step forward (revealing each node's outputs) and backward
// (running the tape one node at a time). The Engine (engineServer.ts) owns at most one session
// and delegates every debug.* method here.

import { Tape } from '../autograd/tape.js';
import type { Backend, Values } from '../backends/backend.js';
import { fromValues, type Tensor } from '../core/tensor.js';
import type { Dataset } from '../data/index.js';
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
    const paramGrads = [];
    for (const p of this.model.parameters()) {
      if (p.nodeId !== nodeId || !tape.gradReady(p.tensor)) continue;
      const g = tape.gradOf(p.tensor);
      if (g !== null) paramGrads.push({ name: p.name, tensor: await readWire(g) });
    }
    return { nodeId, index, outputGrads, paramGrads, done: this.backwardAt >= this.backwardOrder.length };
  }

  expand(nodeId: string | null): ResultOf<EngineProtocol, 'debug.expand'> {
    if (nodeId !== null && !this.forwardOrder.includes(nodeId)) throw new ChannelError('BAD_ARGS', `the debugged graph has no node "${nodeId}"`);
    return {
      nodeId,
      ops: this.tape.opsOf(nodeId).map((op) => ({
        index: op.index,
        name: op.def.name,
        inputs: op.inputs.map((t) => ({ shape: [...t.shape], dtype: t.dtype })),
        output: { shape: [...op.output.shape], dtype: op.output.dtype },
      })),
    };
  }

  /** Gradients of a fresh forward/backward of the session's batch (the stepped tape may be half done). */
  private fullGradients(): Map<Tensor, Tensor> {
    const tape = new Tape();
    const result = this.model.forward(this.x, this.labels, { training: true, tape, step: 0 });
    if (result.loss === null) throw new ChannelError('DEBUG', 'the graph computed no loss');
    return tape.backward(result.loss);
  }

  private lossNow(): number {
    const result = this.model.forward(this.x, this.labels, { training: true, step: 0 });
    const backend = this.model.backend;
    if (result.loss === null || backend.readSync === undefined) throw new ChannelError('DEBUG', 'cannot evaluate the loss');
    return backend.readSync(result.loss.id)[0]!;
  }

  gradCheck(nodeId: string, elements: number, epsilon: number): ResultOf<EngineProtocol, 'debug.gradCheck'> {
    if (!this.ownsModel) throw new ChannelError('DEBUG', 'a gradient check perturbs the weights: start the debugger without useTrained');
    const params = this.model.parameters().filter((p) => p.nodeId === nodeId);
    if (params.length === 0) throw new ChannelError('BAD_ARGS', `node "${nodeId}" has no parameters to check`);
    const backend = this.model.backend;
    if (backend.readSync === undefined) throw new ChannelError('NOT_AVAILABLE', 'gradient checks need synchronous reads');
    const grads = this.fullGradients();
    const checks = [];
    let maxRelativeError = 0;
    for (const p of params) {
      const g = grads.get(p.tensor);
      const analyticAll = g !== undefined ? backend.readSync(g.id) : new Float32Array(p.tensor.size);
      const original = Float32Array.from(backend.readSync(p.tensor.id));
      const count = Math.min(elements, original.length);
      for (let k = 0; k < count; k++) {
        // Spread the checked elements over the tensor rather than the first few of one row.
        const index = Math.floor((k * original.length) / count);
        const perturbed = original.slice();
        perturbed[index] = original[index]! + epsilon;
        backend.write(p.tensor.id, perturbed);
        const plus = this.lossNow();
        perturbed[index] = original[index]! - epsilon;
        backend.write(p.tensor.id, perturbed);
        const minus = this.lossNow();
        backend.write(p.tensor.id, original);
        const numeric = (plus - minus) / (2 * epsilon);
        const analytic = analyticAll[index] ?? 0;
        const relativeError = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), 1e-8);
        maxRelativeError = Math.max(maxRelativeError, relativeError);
        checks.push({ param: p.name, index, analytic, numeric: wireNumber(numeric) ?? 0, relativeError: wireNumber(relativeError) ?? 1 });
      }
    }
    return { nodeId, checks, maxRelativeError };
  }

  optimizerStep(): ResultOf<EngineProtocol, 'debug.optimizerStep'> {
    if (!this.ownsModel) throw new ChannelError('DEBUG', 'an optimizer step changes the weights: start the debugger without useTrained');
    const backend = this.model.backend;
    if (backend.readSync === undefined) throw new ChannelError('NOT_AVAILABLE', 'the optimizer view needs synchronous reads');
    const params = this.model.parameters();
    this.optimizer ??= createOptimizer(this.document.training.optimizer, params.map((p) => p.tensor));
    const before = params.map((p) => Float32Array.from(backend.readSync!(p.tensor.id)));
    this.optimizer.step(this.fullGradients());
    const updates = params.map((p, i) => {
      const after = backend.readSync!(p.tensor.id);
      const delta = new Float32Array(after.length);
      for (let j = 0; j < delta.length; j++) delta[j] = after[j]! - before[i]![j]!;
      return { nodeId: p.nodeId, name: p.name, delta: toWireTensor(delta, p.tensor.shape) };
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
