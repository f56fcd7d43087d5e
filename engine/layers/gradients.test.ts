// Every catalog layer's backward against central finite differences, on the float64 reference
// backend: the tape's gradient of Σ output·seed (or of the loss itself) with respect to every
// input AND every parameter matches (L(v + h) − L(v − h)) / 2h within 1e-6. Inputs are chosen
// away from kinks and ties; Step and the Perceptron must give their documented zero gradient.

import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { Tape } from '../autograd/tape.js';
import { Random } from '../core/random.js';
import { sizeOf, type Shape } from '../core/shape.js';
import { fromValues, variable, type Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { CATALOG, type ParamValue } from '../protocol/index.js';
import { buildLayer, FEED_PORT, layerNode, type Layer, type LayerContext, type ParamRequest } from './index.js';

// ---------------------------------------------------------------------------------------------
// Value generators

type Gen = (rng: Random, n: number) => number[];

const uniform =
  (lo: number, hi: number): Gen =>
  (rng, n) =>
    Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());

/** Uniform, but at least `margin` away from every kink (ReLU's 0, ReLU6's 6 …). */
const awayFrom =
  (lo: number, hi: number, kinks: readonly number[], margin = 0.05): Gen =>
  (rng, n) =>
    Array.from({ length: n }, () => {
      for (;;) {
        const x = lo + (hi - lo) * rng.uniform();
        if (kinks.every((k) => Math.abs(x - k) >= margin)) return x;
      }
    });

/** Distinct values at least (hi − lo)/n apart, shuffled: no ties for max pooling. */
const distinct =
  (lo: number, hi: number): Gen =>
  (rng, n) =>
    rng.shuffle(Array.from({ length: n }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / n));

/** One of `values` per element, plus a jitter in [−jitter, jitter]. */
const choice =
  (values: readonly number[], jitter: number): Gen =>
  (rng, n) =>
    Array.from({ length: n }, () => values[rng.int(values.length)]! + jitter * (2 * rng.uniform() - 1));

// ---------------------------------------------------------------------------------------------
// Cases

interface Labels {
  readonly dtype: 'int32' | 'float32';
  /** Per-sample shape of float labels ([] for class indices). */
  readonly shape: Shape;
  readonly values: Gen;
}

interface GradCase {
  readonly name: string;
  readonly type: string;
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** Per-sample shapes of the tensors fed, by port (values checked for gradients too). */
  readonly ports: Readonly<Record<string, Shape>>;
  /** Shapes the catalog sees, when they differ from `ports` (Input is fed on FEED_PORT). */
  readonly nodeInputs?: Readonly<Record<string, Shape>>;
  readonly batch?: number;
  /** Generator per port (default uniform(−2, 2)). */
  readonly values?: Readonly<Record<string, Gen>>;
  /** Generator per parameter name (default uniform(−0.6, 0.6)). */
  readonly paramValues?: Readonly<Record<string, Gen>>;
  readonly labels?: Labels;
  readonly training?: boolean;
  /** Step and Perceptron: the documented gradient is zero everywhere. */
  readonly zeroGradient?: boolean;
}

const classLabels = (classes: number): Labels => ({ dtype: 'int32', shape: [], values: (rng, n) => Array.from({ length: n }, () => rng.int(classes)) });

const CASES: readonly GradCase[] = [
  { name: 'Input', type: 'Input', params: { shape: [4] }, ports: { [FEED_PORT]: [4] }, nodeInputs: {} },
  { name: 'Input image', type: 'Input', params: { shape: [2, 3, 3], kind: 'image' }, ports: { [FEED_PORT]: [2, 3, 3] }, nodeInputs: {} },

  { name: 'Dense', type: 'Dense', params: { units: 3 }, ports: { in: [4] } },
  { name: 'Dense without bias', type: 'Dense', params: { units: 2, bias: false }, ports: { in: [5] } },
  { name: 'Perceptron', type: 'Perceptron', params: { units: 2 }, ports: { in: [3] }, zeroGradient: true },

  { name: 'Step', type: 'Step', ports: { in: [6] }, values: { in: awayFrom(-2, 2, [0]) }, zeroGradient: true },
  { name: 'Sigmoid', type: 'Sigmoid', ports: { in: [6] }, values: { in: uniform(-4, 4) } },
  { name: 'Tanh', type: 'Tanh', ports: { in: [2, 3] }, values: { in: uniform(-3, 3) } },
  { name: 'Softsign', type: 'Softsign', ports: { in: [6] }, values: { in: awayFrom(-3, 3, [0]) } },
  { name: 'ReLU', type: 'ReLU', ports: { in: [6] }, values: { in: awayFrom(-2, 2, [0]) } },
  { name: 'ReLU6', type: 'ReLU6', ports: { in: [8] }, values: { in: awayFrom(-2, 8, [0, 6]) } },
  { name: 'LeakyReLU', type: 'LeakyReLU', params: { alpha: 0.1 }, ports: { in: [6] }, values: { in: awayFrom(-2, 2, [0]) } },
  { name: 'Softplus', type: 'Softplus', ports: { in: [6] }, values: { in: uniform(-4, 4) } },
  { name: 'ELU', type: 'ELU', params: { alpha: 1.5 }, ports: { in: [6] }, values: { in: awayFrom(-3, 2, [0]) } },
  { name: 'Identity', type: 'Identity', ports: { in: [5] } },
  { name: 'Softmax last axis', type: 'Softmax', ports: { in: [5] } },
  { name: 'Softmax channel axis of an image', type: 'Softmax', params: { axis: 0 }, ports: { in: [3, 2, 2] } },
  { name: 'Softmax middle axis', type: 'Softmax', params: { axis: 1 }, ports: { in: [2, 3, 2] } },

  { name: 'Conv2D valid', type: 'Conv2D', params: { filters: 3, kernel: [3, 3] }, ports: { in: [2, 5, 5] } },
  {
    name: 'Conv2D same, stride 2',
    type: 'Conv2D',
    params: { filters: 2, kernel: [3, 2], stride: [2, 2], padding: 'same' },
    ports: { in: [2, 6, 5] },
  },
  {
    name: 'Conv2D explicit pad, dilation, groups, no bias',
    type: 'Conv2D',
    params: { filters: 4, kernel: [2, 2], pad: [1, 2], padding: 'explicit', dilation: [2, 1], groups: 2, bias: false },
    ports: { in: [4, 4, 4] },
  },
  { name: 'MaxPool 2×2', type: 'MaxPool', ports: { in: [2, 4, 4] }, values: { in: distinct(-2, 2) } },
  {
    name: 'MaxPool same 3×3 stride 2',
    type: 'MaxPool',
    params: { kernel: [3, 3], stride: [2, 2], padding: 'same' },
    ports: { in: [1, 5, 6] },
    values: { in: distinct(-2, 2) },
  },
  {
    name: 'MaxPool explicit pad',
    type: 'MaxPool',
    params: { kernel: [3, 3], stride: [1, 1], padding: 'explicit', pad: [1, 1] },
    ports: { in: [1, 3, 3] },
    values: { in: distinct(-2, 2) },
  },
  { name: 'AvgPool 2×2', type: 'AvgPool', ports: { in: [2, 4, 4] } },
  { name: 'AvgPool same 3×3 stride 2', type: 'AvgPool', params: { kernel: [3, 3], stride: [2, 2], padding: 'same' }, ports: { in: [1, 5, 6] } },
  { name: 'LpPool p = 2', type: 'LpPool', ports: { in: [2, 4, 4] }, values: { in: awayFrom(-2, 2, [0], 0.1) } },
  {
    name: 'LpPool p = 3, explicit pad',
    type: 'LpPool',
    params: { p: 3, kernel: [2, 2], stride: [1, 1], padding: 'explicit', pad: [1, 1] },
    ports: { in: [1, 3, 3] },
    values: { in: awayFrom(-2, 2, [0], 0.1) },
  },
  { name: 'GlobalAvgPool', type: 'GlobalAvgPool', ports: { in: [3, 2, 3] } },
  { name: 'Flatten', type: 'Flatten', ports: { in: [2, 3, 2] } },
  { name: 'Reshape with −1', type: 'Reshape', params: { shape: [3, -1] }, ports: { in: [12] } },

  { name: 'Dropout in training (fixed seed)', type: 'Dropout', params: { rate: 0.3 }, ports: { in: [4, 3] } },
  { name: 'Dropout in evaluation', type: 'Dropout', params: { rate: 0.3 }, ports: { in: [6] }, training: false },
  {
    name: 'BatchNorm features, training',
    type: 'BatchNorm',
    ports: { in: [3] },
    batch: 5,
    paramValues: { gamma: uniform(0.5, 1.5) },
  },
  {
    name: 'BatchNorm image channels, training',
    type: 'BatchNorm',
    params: { momentum: 0.8, epsilon: 1e-3 },
    ports: { in: [2, 2, 3] },
    paramValues: { gamma: uniform(0.5, 1.5) },
  },
  { name: 'BatchNorm evaluation (running statistics)', type: 'BatchNorm', ports: { in: [2, 2, 2] }, training: false },
  { name: 'LRN', type: 'LRN', params: { size: 3, alpha: 0.1, beta: 0.75, k: 2 }, ports: { in: [5, 2, 2] } },

  { name: 'Add, three inputs', type: 'Add', params: { inputs: 3 }, ports: { in0: [2, 3], in1: [2, 3], in2: [2, 3] } },
  { name: 'Concat axis 0', type: 'Concat', ports: { in0: [2, 3], in1: [4, 3] } },
  { name: 'Concat last axis, three inputs', type: 'Concat', params: { inputs: 3, axis: -1 }, ports: { in0: [2, 1], in1: [2, 3], in2: [2, 2] } },

  { name: 'MSE with a target', type: 'MSE', ports: { in: [3], target: [3] } },
  { name: 'MSE with class labels (one-hot)', type: 'MSE', ports: { in: [4] }, labels: classLabels(4) },
  { name: 'CrossEntropy with class labels', type: 'CrossEntropy', ports: { in: [5] }, labels: classLabels(5) },
  {
    name: 'CrossEntropy with a probability target',
    type: 'CrossEntropy',
    ports: { in: [4], target: [4] },
    values: { target: uniform(0, 1) },
  },
  {
    name: 'BinaryCrossEntropy with a target',
    type: 'BinaryCrossEntropy',
    ports: { in: [3], target: [3] },
    values: { in: uniform(0.05, 0.95), target: uniform(0, 1) },
  },
  {
    name: 'BinaryCrossEntropy from logits, 0/1 labels',
    type: 'BinaryCrossEntropy',
    params: { fromLogits: true },
    ports: { in: [1] },
    labels: classLabels(2),
    values: { in: uniform(-3, 3) },
  },
  {
    name: 'L1 with a target',
    type: 'L1',
    ports: { in: [4], target: [4] },
    values: { in: uniform(-1, 1), target: choice([-2.5, 2.5], 0.5) },
  },
  {
    name: 'SmoothL1, both branches',
    type: 'SmoothL1',
    params: { beta: 0.5 },
    ports: { in: [6], target: [6] },
    values: { in: uniform(-0.1, 0.1), target: choice([-1.5, -0.2, 0.2, 1.5], 0.1) },
  },
  {
    name: 'SmoothL1 with float dataset targets',
    type: 'SmoothL1',
    ports: { in: [3] },
    labels: { dtype: 'float32', shape: [3], values: choice([-3, -0.4, 0.4, 3], 0.05) },
    values: { in: uniform(-0.1, 0.1) },
  },
  {
    name: 'Hinge with ±1 target',
    type: 'Hinge',
    ports: { in: [4], target: [4] },
    values: { in: awayFrom(-3, 3, [-1, 1], 0.1), target: choice([-1, 1], 0) },
  },
  { name: 'Hinge with class labels (−1/+1 one-hot)', type: 'Hinge', ports: { in: [3] }, labels: classLabels(3), values: { in: awayFrom(-3, 3, [-1, 1], 0.1) } },
];

// ---------------------------------------------------------------------------------------------
// The check

const FD_STEP = 1e-5;
const RTOL = 1e-6;
/** Below this size a gradient is compared absolutely (a relative error of a near-zero slope is noise). */
const SMALL = 1e-3;
const MAX_ELEMENTS = 48;

function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return h;
}

interface Checked {
  readonly what: string;
  readonly tensor: Tensor;
}

function setUp(c: GradCase) {
  const backend = new ReferenceBackend();
  const rng = new Random(seedOf(c.name));
  const batch = c.batch ?? 3;
  const node = layerNode(backend, `node-${c.name}`, c.type, c.params ?? {}, c.nodeInputs ?? c.ports);
  const createParam = (request: ParamRequest): Tensor => {
    const gen = c.paramValues?.[request.name] ?? uniform(-0.6, 0.6);
    return variable(backend, request.shape, gen(rng, sizeOf(request.shape)));
  };
  const layer: Layer = buildLayer(node, createParam);

  const feeds: Record<string, Tensor> = {};
  const checked: Checked[] = [];
  for (const [port, shape] of Object.entries(c.ports)) {
    const full = [batch, ...shape];
    const gen = c.values?.[port] ?? uniform(-2, 2);
    const t = variable(backend, full, gen(rng, sizeOf(full)));
    feeds[port] = t;
    checked.push({ what: `input '${port}'`, tensor: t });
  }
  for (const [name, t] of Object.entries(layer.params)) checked.push({ what: `param '${name}'`, tensor: t });

  let labels: Tensor | undefined;
  if (c.labels !== undefined) {
    const shape = [batch, ...c.labels.shape];
    labels = fromValues(backend, shape, c.labels.values(rng, sizeOf(shape)), c.labels.dtype, 'persistent');
  }
  const ctx: LayerContext = labels === undefined ? { training: c.training ?? true, seed: 1234, step: 3 } : { training: c.training ?? true, seed: 1234, step: 3, labels };
  const isLoss = CATALOG.find((s) => s.type === c.type)!.role === 'loss';
  const outShape = [batch, ...node.outputs[0]!];
  const seedTensor = fromValues(backend, outShape, uniform(-1, 1)(rng, sizeOf(outShape)), 'float32', 'persistent');

  /** The scalar whose gradient is checked: the loss itself, or Σ output·seed. */
  const objective = (): Tensor => {
    const out = layer.forward(feeds, ctx)[0]!;
    return isLoss ? out : ops.sum(ops.mul(out, seedTensor));
  };
  const evaluate = (): number => {
    const value = objective().readSync()[0]!;
    backend.endStep();
    return value;
  };
  return { backend, rng, checked, objective, evaluate, layer, feeds, ctx, outShape };
}

function finiteDifference(backend: ReferenceBackend, t: Tensor, index: number, evaluate: () => number): number {
  const values = Array.from(t.readSync());
  const original = values[index]!;
  values[index] = original + FD_STEP;
  backend.write(t.id, values);
  const plus = evaluate();
  values[index] = original - FD_STEP;
  backend.write(t.id, values);
  const minus = evaluate();
  values[index] = original;
  backend.write(t.id, values);
  return (plus - minus) / (2 * FD_STEP);
}

describe('every catalog layer: tape gradients match central finite differences (reference, float64)', () => {
  it('covers every catalog node type', () => {
    const covered = new Set(CASES.map((c) => c.type));
    expect(CATALOG.map((s) => s.type).filter((t) => !covered.has(t))).toEqual([]);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const { backend, rng, checked, objective, evaluate, layer, feeds, ctx, outShape } = setUp(c);
      // The layer produces the shape the catalog inferred (with the batch axis).
      expect(layer.forward(feeds, ctx)[0]!.shape).toEqual(CATALOG.find((s) => s.type === c.type)!.role === 'loss' ? [] : outShape);
      backend.endStep();
      const tape = new Tape();
      const loss = tape.record(objective);
      const grads = tape.backward(loss);
      const analytic = checked.map(({ tensor }) => grads.get(tensor)?.readSync() ?? new Float64Array(tensor.size));
      backend.endStep();

      let largest = 0;
      checked.forEach(({ what, tensor }, k) => {
        const indices = Array.from({ length: tensor.size }, (_, i) => i);
        const sample = tensor.size <= MAX_ELEMENTS ? indices : rng.shuffle(indices).slice(0, MAX_ELEMENTS);
        for (const index of sample) {
          const numeric = finiteDifference(backend, tensor, index, evaluate);
          const tapeValue = analytic[k]![index]!;
          largest = Math.max(largest, Math.abs(numeric));
          if (c.zeroGradient) {
            expect(tapeValue, `${what}[${index}]: the documented gradient is zero`).toBe(0);
            expect(numeric, `${what}[${index}]: inputs must stay away from the step`).toBe(0);
            continue;
          }
          const error = Math.abs(tapeValue - numeric) / Math.max(Math.abs(numeric), SMALL);
          expect(error, `${what}[${index}]: tape ${tapeValue} vs finite difference ${numeric}`).toBeLessThanOrEqual(RTOL);
        }
      });
      // A check of all-zero slopes would prove nothing (except where zero is the documented answer).
      if (!c.zeroGradient) expect(largest).toBeGreaterThan(1e-3);
    });
  }
});
