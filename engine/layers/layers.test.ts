// Layer behaviour with hand-computed values: the registry covers the catalog, forward values of
// Dense, Conv2D, pools, LRN, Softmax and every loss, the label conventions of unconnected
// targets, dropout in training and evaluation, BatchNorm's running statistics, and the
// perceptron learning rule (AND learns, XOR cannot).

import { describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { sizeOf } from '../core/shape.js';
import { fromValues, variable, type Tensor } from '../core/tensor.js';
import { CATALOG, samePadding, type ParamValue } from '../protocol/index.js';
import {
  buildLayer,
  FEED_PORT,
  LAYER_TYPES,
  LAYERS,
  layerNode,
  perceptronUpdate,
  windowPads,
  type Layer,
  type LayerContext,
  type ParamRequest,
} from './index.js';

const TRAIN: LayerContext = { training: true, seed: 7, step: 0 };
const EVAL: LayerContext = { training: false, seed: 7, step: 0 };

/** Builds a layer whose parameters take the given values (zeros for any not listed). */
function make(
  backend: Backend,
  type: string,
  params: Readonly<Record<string, ParamValue>>,
  inputs: Readonly<Record<string, readonly number[]>>,
  values: Readonly<Record<string, readonly number[]>> = {},
  id = 'node',
): Layer {
  const node = layerNode(backend, id, type, params, inputs);
  return buildLayer(node, (request: ParamRequest) => variable(backend, request.shape, values[request.name] ?? new Array<number>(sizeOf(request.shape)).fill(0)));
}

function tensor(backend: Backend, shape: readonly number[], values: readonly number[]): Tensor {
  return fromValues(backend, shape, values);
}

function read(t: Tensor): number[] {
  return Array.from(t.readSync());
}

function expectValues(t: Tensor, expected: readonly number[], digits = 12): void {
  const actual = read(t);
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(expected[i]!, digits));
}

describe('the layer registry', () => {
  it('has one builder per catalog node type, and no other', () => {
    expect([...LAYER_TYPES]).toEqual(CATALOG.map((s) => s.type));
    expect(Object.keys(LAYERS).sort()).toEqual([...LAYER_TYPES].sort());
  });
});

describe('dense layers', () => {
  it('Dense computes xW + b with W [F, units]', () => {
    const backend = new ReferenceBackend();
    // W = [[1, 0, −1], [2, 1, 0]], b = [0.5, 0, −0.5]; x = [1, 2]:
    // y = [1·1 + 2·2 + 0.5, 1·0 + 2·1 + 0, 1·(−1) + 2·0 − 0.5] = [5.5, 2, −1.5].
    const layer = make(backend, 'Dense', { units: 3 }, { in: [2] }, { weight: [1, 0, -1, 2, 1, 0], bias: [0.5, 0, -0.5] });
    expect(layer.params['weight']!.shape).toEqual([2, 3]);
    expectValues(layer.forward({ in: tensor(backend, [1, 2], [1, 2]) }, TRAIN)[0]!, [5.5, 2, -1.5]);
  });

  it('Perceptron is Dense followed by the step', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'Perceptron', { units: 3 }, { in: [2] }, { weight: [1, 0, -1, 2, 1, 0], bias: [0.5, 0, -0.5] });
    expectValues(layer.forward({ in: tensor(backend, [1, 2], [1, 2]) }, TRAIN)[0]!, [1, 1, 0]);
  });

  it('perceptronUpdate applies w += lr·(t − y)·x and b += lr·(t − y)', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'Perceptron', { units: 1 }, { in: [2] });
    // w = [0, 0], b = 0, x = [1, 1], t = 1: y = step(0) = 0, e = 1, so w = [0.5, 0.5] and b = 0.5.
    const error = perceptronUpdate(layer, tensor(backend, [1, 2], [1, 1]), tensor(backend, [1, 1], [1]), 0.5);
    expectValues(error, [1]);
    expectValues(layer.params['weight']!, [0.5, 0.5]);
    expectValues(layer.params['bias']!, [0.5]);
    // Now y = step(0.5 + 0.5 + 0.5) = 1 = t: no error, no change.
    perceptronUpdate(layer, tensor(backend, [1, 2], [1, 1]), tensor(backend, [1, 1], [1]), 0.5);
    expectValues(layer.params['weight']!, [0.5, 0.5]);
  });

  /** Online perceptron learning over the four points of a truth table; returns the errors of the last epoch. */
  function learn(truth: readonly number[]): number {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'Perceptron', { units: 1 }, { in: [2] });
    const points = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    let errors = 0;
    for (let epoch = 0; epoch < 50; epoch++) {
      errors = 0;
      points.forEach((p, i) => {
        const e = perceptronUpdate(layer, tensor(backend, [1, 2], p), tensor(backend, [1, 1], [truth[i]!]), 0.1);
        errors += Math.abs(read(e)[0]!);
        backend.endStep();
      });
    }
    return errors;
  }

  it('the perceptron rule learns AND, OR and NAND, and cannot learn XOR', () => {
    expect(learn([0, 0, 0, 1])).toBe(0);
    expect(learn([0, 1, 1, 1])).toBe(0);
    expect(learn([1, 1, 1, 0])).toBe(0);
    expect(learn([0, 1, 1, 0])).toBeGreaterThan(0);
  });

  it('refuses perceptronUpdate on another layer type', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'Dense', { units: 1 }, { in: [2] });
    expect(() => perceptronUpdate(layer, tensor(backend, [1, 2], [1, 1]), tensor(backend, [1, 1], [1]), 0.1)).toThrow(/Perceptron/);
  });
});

describe('activations', () => {
  it('LeakyReLU uses the catalog default α = 0.01', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'LeakyReLU', {}, { in: [2] });
    expectValues(layer.forward({ in: tensor(backend, [1, 2], [-1, 3]) }, TRAIN)[0]!, [-0.01, 3]);
  });

  it('Identity passes the very same tensor through', () => {
    const backend = new ReferenceBackend();
    const x = tensor(backend, [1, 2], [-1, 3]);
    expect(make(backend, 'Identity', {}, { in: [2] }).forward({ in: x }, TRAIN)[0]).toBe(x);
  });

  it('Softmax along the channel axis of an image sums to 1 over channels', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'Softmax', { axis: 0 }, { in: [2, 1, 2] });
    // Channels 0 and 1 at two positions: [0, ln 3] and [ln 3, 0] → softmax [1/4, 3/4] and [3/4, 1/4].
    const y = layer.forward({ in: tensor(backend, [1, 2, 1, 2], [0, Math.log(3), Math.log(3), 0]) }, TRAIN)[0]!;
    expect(y.shape).toEqual([1, 2, 1, 2]);
    expectValues(y, [0.25, 0.75, 0.75, 0.25]);
  });
});

describe('convolution layers', () => {
  it('resolves padding modes like the catalog (SAME_UPPER: the odd pixel after)', () => {
    // H = 6, kernel 3, stride 2: 3 outputs need (3 − 1)·2 + 3 − 6 = 1 pixel: [0, 1].
    // W = 5, kernel 2, stride 2: 3 outputs need (3 − 1)·2 + 2 − 5 = 1 pixel: [0, 1].
    expect(windowPads('same', [0, 0], [1, 6, 5], [3, 2], [2, 2])).toEqual([0, 1, 0, 1]);
    expect(windowPads('same', [0, 0], [1, 6, 5], [3, 2], [2, 2])).toEqual([...samePadding(6, 3, 2), ...samePadding(5, 2, 2)]);
    // Dilation 2 widens a 3-tap kernel to 5: stride 1 on 7 pixels needs 4: [2, 2].
    expect(windowPads('same', [0, 0], [1, 7, 7], [3, 3], [1, 1], [2, 2])).toEqual([2, 2, 2, 2]);
    expect(windowPads('explicit', [1, 2], [1, 7, 7], [3, 3], [1, 1])).toEqual([1, 1, 2, 2]);
    expect(windowPads('valid', [1, 2], [1, 7, 7], [3, 3], [1, 1])).toEqual([0, 0, 0, 0]);
  });

  it('Conv2D sums each window times the filter, plus the bias', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'Conv2D', { filters: 1, kernel: [2, 2] }, { in: [1, 3, 3] }, { weight: [1, 1, 1, 1], bias: [1] });
    // x = 1 … 9 in a 3×3 grid; each 2×2 window sum + 1: 1+2+4+5+1 = 13, 2+3+5+6+1 = 17, 4+5+7+8+1 = 25, 5+6+8+9+1 = 29.
    const y = layer.forward({ in: tensor(backend, [1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]) }, TRAIN)[0]!;
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectValues(y, [13, 17, 25, 29]);
  });

  it('Conv2D with same padding and stride 2 gives the catalog shape', () => {
    const backend = new ReferenceBackend();
    const params = { filters: 4, kernel: [3, 3], stride: [2, 2], padding: 'same' };
    const node = layerNode(backend, 'c', 'Conv2D', params, { in: [3, 7, 6] });
    expect(node.outputs[0]).toEqual([4, 4, 3]);
    const layer = make(backend, 'Conv2D', params, { in: [3, 7, 6] });
    expect(layer.forward({ in: fromValues(backend, [2, 3, 7, 6], new Array<number>(2 * 3 * 7 * 6).fill(1)) }, TRAIN)[0]!.shape).toEqual([2, 4, 4, 3]);
  });

  it('AvgPool leaves padding out of the average', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'AvgPool', { kernel: [3, 3], stride: [1, 1], padding: 'same' }, { in: [1, 2, 2] });
    // Every 3×3 window centred on a 2×2 image holds all four pixels: (1 + 2 + 3 + 4)/4 = 2.5, not 10/9.
    expectValues(layer.forward({ in: tensor(backend, [1, 1, 2, 2], [1, 2, 3, 4]) }, TRAIN)[0]!, [2.5, 2.5, 2.5, 2.5]);
  });

  it('MaxPool, LpPool and GlobalAvgPool', () => {
    const backend = new ReferenceBackend();
    const x = tensor(backend, [1, 1, 2, 2], [1, -2, 3, -4]);
    expectValues(make(backend, 'MaxPool', {}, { in: [1, 2, 2] }).forward({ in: x }, TRAIN)[0]!, [3]);
    // √(1 + 4 + 9 + 16) = √30.
    expectValues(make(backend, 'LpPool', {}, { in: [1, 2, 2] }).forward({ in: x }, TRAIN)[0]!, [Math.sqrt(30)]);
    const gap = make(backend, 'GlobalAvgPool', {}, { in: [1, 2, 2] }).forward({ in: x }, TRAIN)[0]!;
    expect(gap.shape).toEqual([1, 1]);
    expectValues(gap, [-0.5]);
  });

  it('Flatten and Reshape keep the row-major order', () => {
    const backend = new ReferenceBackend();
    const x = tensor(backend, [2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const flat = make(backend, 'Flatten', {}, { in: [2, 3] }).forward({ in: x }, TRAIN)[0]!;
    expect(flat.shape).toEqual([2, 6]);
    expect(read(flat)).toEqual(read(x));
    const reshaped = make(backend, 'Reshape', { shape: [-1, 2] }, { in: [2, 3] }).forward({ in: x }, TRAIN)[0]!;
    expect(reshaped.shape).toEqual([2, 3, 2]);
    expect(read(reshaped)).toEqual(read(x));
  });
});

describe('structure layers', () => {
  it('Add sums its n inputs; Concat joins along the axis after N', () => {
    const backend = new ReferenceBackend();
    const a = tensor(backend, [1, 2], [1, 2]);
    const b = tensor(backend, [1, 2], [10, 20]);
    const c = tensor(backend, [1, 2], [100, 200]);
    expectValues(make(backend, 'Add', { inputs: 3 }, { in0: [2], in1: [2], in2: [2] }).forward({ in0: a, in1: b, in2: c }, TRAIN)[0]!, [111, 222]);
    const joined = make(backend, 'Concat', { axis: 0 }, { in0: [2], in1: [2] }).forward({ in0: a, in1: b }, TRAIN)[0]!;
    expect(joined.shape).toEqual([1, 4]);
    expectValues(joined, [1, 2, 10, 20]);
  });
});

describe('regularization layers', () => {
  it('LRN divides by (k + α·Σ neighbours²)^β with α not divided by size', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'LRN', { size: 3, alpha: 1, beta: 1, k: 1 }, { in: [3, 1, 1] });
    // x = [1, 2, 3] over channels: 1/(1 + 1 + 4), 2/(1 + 1 + 4 + 9), 3/(1 + 4 + 9).
    expectValues(layer.forward({ in: tensor(backend, [1, 3, 1, 1], [1, 2, 3]) }, TRAIN)[0]!, [1 / 6, 2 / 15, 3 / 14]);
  });

  it('Dropout is the identity in evaluation', () => {
    const backend = new ReferenceBackend();
    const x = tensor(backend, [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(make(backend, 'Dropout', { rate: 0.5 }, { in: [3] }).forward({ in: x }, EVAL)[0]).toBe(x);
  });

  it('Dropout in training zeroes about `rate` of the values and scales the rest by 1/(1 − rate)', () => {
    const backend = new ReferenceBackend();
    const n = 20000;
    const x = fromValues(backend, [1, n], new Array<number>(n).fill(3));
    const layer = make(backend, 'Dropout', { rate: 0.25 }, { in: [n] });
    const y = read(layer.forward({ in: x }, TRAIN)[0]!);
    const zeros = y.filter((v) => v === 0).length;
    expect(Math.abs(zeros / n - 0.25)).toBeLessThan(0.015);
    expect(y.every((v) => v === 0 || v === 4)).toBe(true);
  });

  it('Dropout masks are fixed by (seed, node, step) and differ across steps and nodes', () => {
    const backend = new ReferenceBackend();
    const x = fromValues(backend, [1, 64], new Array<number>(64).fill(1));
    const a = make(backend, 'Dropout', {}, { in: [64] }, {}, 'drop-a');
    const b = make(backend, 'Dropout', {}, { in: [64] }, {}, 'drop-b');
    const mask = (layer: Layer, step: number, seed = 7) => read(layer.forward({ in: x }, { training: true, seed, step })[0]!);
    expect(mask(a, 3)).toEqual(mask(a, 3));
    expect(mask(a, 3)).not.toEqual(mask(a, 4));
    expect(mask(a, 3)).not.toEqual(mask(b, 3));
    expect(mask(a, 3)).not.toEqual(mask(a, 3, 8));
  });

  it('BatchNorm normalises with batch statistics in training and moves its running statistics (Keras momentum)', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'BatchNorm', { momentum: 0.9, epsilon: 1e-5 }, { in: [2] }, { gamma: [1, 2], beta: [0, 1] });
    const x = tensor(backend, [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    // Feature means 4 and 5; biased variances ((−3)² + (−1)² + 1² + 3²)/4 = 5 for both.
    const s = Math.sqrt(5 + 1e-5);
    const y = layer.forward({ in: x }, TRAIN)[0]!;
    expectValues(y, [-3 / s, 2 * (-3 / s) + 1, -1 / s, 2 * (-1 / s) + 1, 1 / s, 2 * (1 / s) + 1, 3 / s, 2 * (3 / s) + 1]);
    // running = 0.9·running + 0.1·batch: mean 0.9·0 + 0.1·[4, 5], variance 0.9·1 + 0.1·5 = 1.4.
    expectValues(layer.state['runningMean']!, [0.4, 0.5]);
    expectValues(layer.state['runningVariance']!, [1.4, 1.4]);
    layer.forward({ in: x }, TRAIN);
    // Again: 0.9·0.4 + 0.1·4 = 0.76, 0.9·0.5 + 0.1·5 = 0.95; 0.9·1.4 + 0.1·5 = 1.76.
    expectValues(layer.state['runningMean']!, [0.76, 0.95]);
    expectValues(layer.state['runningVariance']!, [1.76, 1.76]);
  });

  it('BatchNorm uses the running statistics in evaluation and leaves them unchanged', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'BatchNorm', {}, { in: [1, 1, 2] }, { gamma: [3], beta: [1] });
    layer.forward({ in: tensor(backend, [2, 1, 1, 2], [1, 2, 3, 6]) }, TRAIN);
    // Batch mean 3, biased variance (4 + 1 + 0 + 9)/4 = 3.5: running mean 0.3, variance 0.9 + 0.35 = 1.25.
    expectValues(layer.state['runningMean']!, [0.3]);
    expectValues(layer.state['runningVariance']!, [1.25]);
    const y = layer.forward({ in: tensor(backend, [1, 1, 1, 2], [0.3, 2.3]) }, EVAL)[0]!;
    // 3·(x − 0.3)/√(1.25 + 1e-5) + 1.
    expectValues(y, [1, (3 * 2) / Math.sqrt(1.25 + 1e-5) + 1]);
    expectValues(layer.state['runningMean']!, [0.3]);
  });
});

describe('losses (batch mean of per-sample sums)', () => {
  it('MSE is ½ Σ (y − t)² per sample', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'MSE', {}, { in: [2], target: [2] });
    // Samples: ½((1−0)² + 0²) = 0.5 and ½(0² + (5−3)²) = 2 → mean 1.25.
    const loss = layer.forward({ in: tensor(backend, [2, 2], [1, 2, 3, 5]), target: tensor(backend, [2, 2], [0, 2, 3, 3]) }, TRAIN)[0]!;
    expect(loss.shape).toEqual([]);
    expectValues(loss, [1.25]);
  });

  it('MSE one-hot encodes class labels from the dataset', () => {
    const backend = new ReferenceBackend();
    const labels = fromValues(backend, [1], [1], 'int32');
    // t = [0, 1]: ½((0.5)² + (−0.5)²) = 0.25.
    const loss = make(backend, 'MSE', {}, { in: [2] }).forward({ in: tensor(backend, [1, 2], [0.5, 0.5]) }, { ...TRAIN, labels })[0]!;
    expectValues(loss, [0.25]);
  });

  it('CrossEntropy uses class indices and is fused with log-softmax', () => {
    const backend = new ReferenceBackend();
    const labels = fromValues(backend, [2], [0, 0], 'int32');
    // Sample 1: logits [0, 0] → p₀ = ½ → ln 2. Sample 2: [ln 3, 0] → p₀ = 3/4 → ln(4/3).
    const loss = make(backend, 'CrossEntropy', {}, { in: [2] }).forward({ in: tensor(backend, [2, 2], [0, 0, Math.log(3), 0]) }, { ...TRAIN, labels })[0]!;
    expectValues(loss, [(Math.log(2) + Math.log(4 / 3)) / 2]);
  });

  it('CrossEntropy stays finite for huge logits', () => {
    const backend = new ReferenceBackend();
    const labels = fromValues(backend, [1], [1], 'int32');
    const loss = make(backend, 'CrossEntropy', {}, { in: [2] }).forward({ in: tensor(backend, [1, 2], [1000, 0]) }, { ...TRAIN, labels })[0]!;
    expectValues(loss, [1000]);
  });

  it('BinaryCrossEntropy on probabilities, clipped, and from logits', () => {
    const backend = new ReferenceBackend();
    const bce = make(backend, 'BinaryCrossEntropy', {}, { in: [2], target: [2] });
    // −(ln 0.8 + ln(1 − 0.4)).
    expectValues(bce.forward({ in: tensor(backend, [1, 2], [0.8, 0.4]), target: tensor(backend, [1, 2], [1, 0]) }, TRAIN)[0]!, [-(Math.log(0.8) + Math.log(0.6))]);
    // y = 0 with t = 1 is clipped to 1e-7: −ln(1e-7), finite.
    expectValues(bce.forward({ in: tensor(backend, [1, 2], [0, 0]), target: tensor(backend, [1, 2], [1, 0]) }, TRAIN)[0]!, [-Math.log(1e-7) - Math.log(1 - 1e-7)], 6);
    const logits = make(backend, 'BinaryCrossEntropy', { fromLogits: true }, { in: [1] });
    const labels = fromValues(backend, [1], [1], 'int32');
    // σ(0) = ½ with t = 1: ln 2.
    expectValues(logits.forward({ in: tensor(backend, [1, 1], [0]) }, { ...TRAIN, labels })[0]!, [Math.log(2)]);
  });

  it('L1 and SmoothL1', () => {
    const backend = new ReferenceBackend();
    const y = tensor(backend, [1, 2], [1, -1]);
    const t = tensor(backend, [1, 2], [0.5, 1]);
    // |0.5| + |−2| = 2.5.
    expectValues(make(backend, 'L1', {}, { in: [2], target: [2] }).forward({ in: y, target: t }, TRAIN)[0]!, [2.5]);
    // β = 1: d = 0.5 → ½·0.25 = 0.125; d = −2 → 2 − ½ = 1.5; total 1.625.
    expectValues(make(backend, 'SmoothL1', {}, { in: [2], target: [2] }).forward({ in: y, target: t }, TRAIN)[0]!, [1.625]);
  });

  it('Hinge reads 0/1 labels as −1/+1', () => {
    const backend = new ReferenceBackend();
    // One output per sample: labels [1, 0] → t = [+1, −1]: max(0, 1 − 0.5) = 0.5, max(0, 1 − 2) = 0 → mean 0.25.
    const single = make(backend, 'Hinge', {}, { in: [1] });
    const labels = fromValues(backend, [2], [1, 0], 'int32');
    expectValues(single.forward({ in: tensor(backend, [2, 1], [0.5, -2]) }, { ...TRAIN, labels })[0]!, [0.25]);
    // Three classes, label 0 → t = [+1, −1, −1]: 0 + max(0, 1 − 0.5) + max(0, 1 + 0.3) = 1.8.
    const multi = make(backend, 'Hinge', {}, { in: [3] });
    const classes = fromValues(backend, [1], [0], 'int32');
    expectValues(multi.forward({ in: tensor(backend, [1, 3], [2, -0.5, 0.3]) }, { ...TRAIN, labels: classes })[0]!, [1.8]);
  });

  it('a loss with neither a target nor labels says so', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'MSE', {}, { in: [2] }, {}, 'mse1');
    expect(() => layer.forward({ in: tensor(backend, [1, 2], [0, 0]) }, TRAIN)).toThrow(/'mse1'.*not connected/);
  });
});

describe('input layer', () => {
  it('passes its batch through and rejects a batch of the wrong shape, naming the node', () => {
    const backend = new ReferenceBackend();
    const layer = make(backend, 'Input', { shape: [3] }, {}, {}, 'pixels');
    const x = tensor(backend, [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(layer.forward({ [FEED_PORT]: x }, TRAIN)[0]).toBe(x);
    expect(() => layer.forward({ [FEED_PORT]: tensor(backend, [2, 4], new Array<number>(8).fill(0)) }, TRAIN)).toThrow(/'pixels'.*\[N,3\]/);
  });
});
