// The one op test suite, written once and run on every backend (tfjs `describeWithFlags`, jax-js
// `suite.each(devices)`): each case runs an op on the backend under test and on `reference`,
// and compares forward values and gradients; on `reference` itself each gradient is also
// checked against central finite differences in float64.
//
// Usage — a backend's test file (e.g. engine/backends/wasm/wasm.test.ts):
//
//   import { defineOpSuite } from '../testing/opSuite.js';
//   import { ReferenceBackend } from '../reference/reference.js';
//   import { WasmBackend } from './wasm.js';
//
//   defineOpSuite('wasm', () => WasmBackend.create(), {
//     reference: () => new ReferenceBackend(),
//     // Explicit, commented skips only: { 'conv2d groups 2': 'grouped conv lands in PR #12' }
//   });
//
// Signature (stable):
//   defineOpSuite(name: string, makeBackend: () => Backend | Promise<Backend>, options: OpSuiteOptions): void
//   OpSuiteOptions = {
//     reference: () => Backend;        // the oracle. Passed in because this module is not a test
//                                      // file, so the layering lint forbids it to import a concrete backend.
//     forwardRtol?: number;            // default 1e-5
//     gradientRtol?: number;           // default 1e-4
//     finiteDifferences?: boolean;     // default: only when the backend under test is `reference`
//     skip?: Record<string, string>;   // case name → why it is skipped (see OP_CASE_NAMES)
//   }
// Tolerances: an element passes when |actual − expected| ≤ rtol · max(|expected|, 1); inputs
// are O(1), so this is relative for large values and absolute near zero. The suite calls
// `endStep()` after every test and `dispose()` at the end.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BinaryOp, DType, KernelAttrs, KernelName, ReduceOp, UnaryOp, Values } from '../backend.js';
import { KERNEL_NAMES } from '../backend.js';
import { Random } from '../../core/random.js';
import type { Shape } from '../../core/shape.js';
import { sizeOf } from '../../core/shape.js';
import { assign, fill, fromValues, ones, persist, scalar, zeros, type Tensor } from '../../core/tensor.js';
import { Tape } from '../../autograd/tape.js';
import * as ops from '../../ops/index.js';

export interface OpSuiteOptions {
  /** Makes the oracle backend: `() => new ReferenceBackend()`. */
  readonly reference: () => Backend | Promise<Backend>;
  /** Forward values against reference: default 1e-5. */
  readonly forwardRtol?: number;
  /** Gradients against reference: default 1e-4. */
  readonly gradientRtol?: number;
  /** Check gradients against central finite differences (float64 backends only). */
  readonly finiteDifferences?: boolean;
  /** Case name → the reason it is skipped. Every skip must say why. */
  readonly skip?: Readonly<Record<string, string>>;
}

/** Finite-difference tolerance (float64 reference, central differences). */
const FD_RTOL = 1e-6;
const FD_STEP = 1e-5;
/** At most this many elements of each input are perturbed (a fixed sample beyond it). */
const FD_MAX_ELEMENTS = 96;

// ---------------------------------------------------------------------------------------------
// Input generators. All values are rounded to float32 so that a float32 backend and the float64
// reference see exactly the same inputs.

type Gen = (rng: Random, size: number) => number[];

const f32 = Math.fround;

function uniform(lo: number, hi: number): Gen {
  return (rng, size) => Array.from({ length: size }, () => f32(lo + (hi - lo) * rng.uniform()));
}

/** Uniform in [lo, hi) but at least `margin` from every kink (0 for relu/abs, 6 for relu6, ...). */
function awayFrom(lo: number, hi: number, kinks: readonly number[], margin = 0.05): Gen {
  return (rng, size) =>
    Array.from({ length: size }, () => {
      for (;;) {
        const v = f32(lo + (hi - lo) * rng.uniform());
        if (kinks.every((k) => Math.abs(v - k) >= margin)) return v;
      }
    });
}

/** Distinct values evenly spread over [lo, hi], shuffled: no ties for max/min/argMax/maxPool. */
function spread(lo: number, hi: number): Gen {
  return (rng, size) => rng.shuffle(Array.from({ length: size }, (_, k) => f32(lo + ((k + 0.5) * (hi - lo)) / size)));
}

/** Odd resp. even multiples of 0.1 in about [−2, 2]: any odd minus any even is ≥ 0.1 apart. */
const oddTenths: Gen = (rng, size) => Array.from({ length: size }, () => f32((2 * rng.int(20) - 19) / 10));
const evenTenths: Gen = (rng, size) => Array.from({ length: size }, () => f32((2 * rng.int(21) - 20) / 10));

/** Magnitude in [lo, hi] with a random sign: safe denominators. */
function signed(lo: number, hi: number): Gen {
  return (rng, size) => Array.from({ length: size }, () => f32((rng.uniform() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rng.uniform())));
}

/** Small integers (as floats), so comparisons see exact ties. */
const smallInts: Gen = (rng, size) => Array.from({ length: size }, () => rng.int(3) - 1);

// ---------------------------------------------------------------------------------------------
// Cases

interface InputSpec {
  readonly shape: Shape;
  readonly values?: Gen | readonly number[];
  readonly dtype?: DType;
  /** Whether the gradient with respect to this input is checked; default: float32 inputs. */
  readonly grad?: boolean;
}

interface OpCase {
  readonly name: string;
  readonly inputs: readonly InputSpec[];
  readonly fn: (xs: Tensor[]) => Tensor;
  /** True when the op has no gradient (int outputs, comparisons, random numbers). */
  readonly noGrad?: boolean;
}

function opCase(name: string, inputs: readonly InputSpec[], fn: (xs: Tensor[]) => Tensor, extra: { noGrad?: boolean } = {}): OpCase {
  return { name, inputs, fn, ...extra };
}

const x34 = (values?: Gen): InputSpec[] => [{ shape: [3, 4], ...(values ? { values } : {}) }];

function unaryCases(): OpCase[] {
  return [
    opCase('neg', x34(), ([x]) => ops.neg(x!)),
    opCase('abs', x34(awayFrom(-2, 2, [0])), ([x]) => ops.abs(x!)),
    opCase('sign', x34(awayFrom(-2, 2, [0])), ([x]) => ops.sign(x!)),
    opCase('square', x34(), ([x]) => ops.square(x!)),
    opCase('sqrt', x34(uniform(0.2, 3)), ([x]) => ops.sqrt(x!)),
    opCase('rsqrt', x34(uniform(0.2, 3)), ([x]) => ops.rsqrt(x!)),
    opCase('reciprocal', x34(signed(0.3, 2)), ([x]) => ops.reciprocal(x!)),
    opCase('exp', x34(), ([x]) => ops.exp(x!)),
    opCase('log', x34(uniform(0.2, 3)), ([x]) => ops.log(x!)),
    opCase('step', x34(awayFrom(-2, 2, [0])), ([x]) => ops.step(x!)),
    opCase('relu', x34(awayFrom(-2, 2, [0])), ([x]) => ops.relu(x!)),
    opCase('relu6', x34(awayFrom(-2, 8, [0, 6])), ([x]) => ops.relu6(x!)),
    opCase('leakyRelu', x34(awayFrom(-2, 2, [0])), ([x]) => ops.leakyRelu(x!, 0.1)),
    opCase('elu', x34(awayFrom(-3, 2, [0])), ([x]) => ops.elu(x!, 0.7)),
    opCase('sigmoid', x34(uniform(-5, 5)), ([x]) => ops.sigmoid(x!)),
    opCase('sigmoid saturated', x34(signed(20, 40)), ([x]) => ops.sigmoid(x!)),
    opCase('tanh', x34(uniform(-3, 3)), ([x]) => ops.tanh(x!)),
    opCase('softplus', x34(uniform(-5, 5)), ([x]) => ops.softplus(x!)),
    opCase('softplus large', x34(signed(30, 60)), ([x]) => ops.softplus(x!)),
    opCase('softsign', x34(uniform(-3, 3)), ([x]) => ops.softsign(x!)),
    opCase('scale', x34(), ([x]) => ops.scale(x!, -1.5, 0.25)),
    opCase('pow 2.5', x34(uniform(0.3, 2)), ([x]) => ops.pow(x!, 2.5)),
    opCase('pow -0.75', x34(uniform(0.3, 2)), ([x]) => ops.pow(x!, -0.75)),
    opCase('pow 3 negative base', x34(), ([x]) => ops.pow(x!, 3)),
    opCase('clip', x34(awayFrom(-2, 2, [-0.5, 0.7])), ([x]) => ops.clip(x!, -0.5, 0.7)),
    opCase('cast float32 to float32', x34(), ([x]) => ops.cast(x!, 'float32')),
  ];
}

/** Broadcast pairs: same shape, trailing axis, both sides, and a scalar on either side. */
const BROADCASTS: readonly (readonly [string, Shape, Shape])[] = [
  ['same shape', [2, 3], [2, 3]],
  ['[2,3,4] with [3,1]', [2, 3, 4], [3, 1]],
  ['[3,1] with [1,4]', [3, 1], [1, 4]],
  ['[2,3] with scalar', [2, 3], []],
  ['scalar with [2,3]', [], [2, 3]],
];

function binaryCases(): OpCase[] {
  const domains: readonly (readonly [string, (a: Tensor, b: Tensor) => Tensor, Gen, Gen, boolean?])[] = [
    ['add', ops.add, uniform(-2, 2), uniform(-2, 2)],
    ['sub', ops.sub, uniform(-2, 2), uniform(-2, 2)],
    ['mul', ops.mul, uniform(-2, 2), uniform(-2, 2)],
    ['div', ops.div, uniform(-2, 2), signed(0.5, 2)],
    ['maximum', ops.maximum, oddTenths, evenTenths],
    ['minimum', ops.minimum, oddTenths, evenTenths],
    ['pow', ops.pow, uniform(0.5, 2), uniform(-1.5, 2.5)],
    ['greater', ops.greater, smallInts, smallInts, true],
    ['greaterEqual', ops.greaterEqual, smallInts, smallInts, true],
    ['equal', ops.equal, smallInts, smallInts, true],
    ['less', ops.less, smallInts, smallInts, true],
    ['lessEqual', ops.lessEqual, smallInts, smallInts, true],
    ['reluGrad', ops.reluGrad, uniform(-2, 2), awayFrom(-2, 2, [0])],
  ];
  const cases: OpCase[] = [];
  for (const [name, f, genA, genB, noGrad] of domains) {
    for (const [label, a, b] of BROADCASTS) {
      cases.push(opCase(`${name} ${label}`, [{ shape: a, values: genA }, { shape: b, values: genB }], ([x, y]) => f(x!, y!), { noGrad: noGrad ?? false }));
    }
  }
  cases.push(
    opCase('add number operand', x34(), ([x]) => ops.add(x!, 0.5)),
    opCase('sub number first', x34(), ([x]) => ops.sub(1, x!)),
    opCase(
      'equal int32',
      [
        { shape: [2, 3], dtype: 'int32', values: [1, 2, 3, 4, 5, 6] },
        { shape: [2, 3], dtype: 'int32', values: [1, 0, 3, 0, 5, 0] },
      ],
      ([a, b]) => ops.equal(a!, b!),
      { noGrad: true },
    ),
    opCase('broadcastTo', [{ shape: [3, 1] }], ([x]) => ops.broadcastTo(x!, [2, 3, 4])),
  );
  return cases;
}

function reduceCases(): OpCase[] {
  const x = (shape: Shape): InputSpec[] => [{ shape, values: spread(-2, 2) }];
  return [
    opCase('sum all', x([2, 3, 4]), ([t]) => ops.sum(t!)),
    opCase('sum axis -1', x([2, 3, 4]), ([t]) => ops.sum(t!, -1)),
    opCase('sum axes [0,2] keepDims', x([2, 3, 4]), ([t]) => ops.sum(t!, [0, 2], true)),
    opCase('sum axes [1,2,3] of rank 4', x([2, 3, 2, 2]), ([t]) => ops.sum(t!, [1, 2, 3])),
    opCase('mean axes [1,2]', x([2, 3, 4]), ([t]) => ops.mean(t!, [1, 2])),
    opCase('mean all keepDims', x([2, 3]), ([t]) => ops.mean(t!, undefined, true)),
    opCase('max axis 1', x([2, 5, 3]), ([t]) => ops.max(t!, 1)),
    opCase('max axes [0,2] keepDims', x([2, 3, 4]), ([t]) => ops.max(t!, [0, 2], true)),
    opCase('max all', x([3, 4]), ([t]) => ops.max(t!)),
    opCase('min axis 0', x([4, 3]), ([t]) => ops.min(t!, 0)),
    opCase('min axes [1,2]', x([2, 3, 4]), ([t]) => ops.min(t!, [-1, 1])),
    opCase('argMax axis -1', x([3, 5]), ([t]) => ops.argMax(t!), { noGrad: true }),
    opCase('argMax axis 1 of rank 3', x([2, 4, 3]), ([t]) => ops.argMax(t!, 1), { noGrad: true }),
    opCase('argMax ties go to the first', [{ shape: [2, 4], values: [1, 3, 3, 0, 2, 2, 2, 2] }], ([t]) => ops.argMax(t!), { noGrad: true }),
  ];
}

function matMulCases(): OpCase[] {
  return [
    opCase('matMul', [{ shape: [3, 4] }, { shape: [4, 5] }], ([a, b]) => ops.matMul(a!, b!)),
    opCase('matMul transB', [{ shape: [3, 4] }, { shape: [5, 4] }], ([a, b]) => ops.matMul(a!, b!, { transB: true })),
    opCase('matMul transA', [{ shape: [4, 3] }, { shape: [4, 5] }], ([a, b]) => ops.matMul(a!, b!, { transA: true })),
    opCase('matMul transA transB', [{ shape: [4, 3] }, { shape: [5, 4] }], ([a, b]) => ops.matMul(a!, b!, { transA: true, transB: true })),
    opCase('matMul row times column', [{ shape: [1, 7] }, { shape: [7, 1] }], ([a, b]) => ops.matMul(a!, b!)),
    opCase('matMul 17×33 · 33×9', [{ shape: [17, 33] }, { shape: [33, 9] }], ([a, b]) => ops.matMul(a!, b!)),
    // Large enough for a blocked or multi-threaded GEMM to take its main path, with ragged edges.
    opCase('matMul 48×67 · 67×41', [{ shape: [48, 67], values: uniform(-1, 1) }, { shape: [67, 41], values: uniform(-1, 1) }], ([a, b]) => ops.matMul(a!, b!)),
  ];
}

function softmaxCases(): OpCase[] {
  return [
    opCase('softmax', [{ shape: [3, 5], values: uniform(-3, 3) }], ([x]) => ops.softmax(x!)),
    opCase('softmax rank 3', [{ shape: [2, 3, 4] }], ([x]) => ops.softmax(x!)),
    opCase('softmax large logits', [{ shape: [2, 4], values: uniform(40, 60) }], ([x]) => ops.softmax(x!)),
    opCase('logSoftmax', [{ shape: [3, 5], values: uniform(-3, 3) }], ([x]) => ops.logSoftmax(x!)),
    opCase('logSoftmax large logits', [{ shape: [2, 4], values: uniform(-60, 60) }], ([x]) => ops.logSoftmax(x!)),
    // Labels 7 and −1 are outside [0, 7): those rows add 0 to the loss and get a zero gradient.
    opCase(
      'softmaxCrossEntropy',
      [{ shape: [6, 7], values: uniform(-3, 3) }, { shape: [6], dtype: 'int32', values: [0, 6, 3, 3, 7, -1] }],
      ([x, labels]) => ops.softmaxCrossEntropy(x!, labels!),
    ),
    opCase(
      'softmaxCrossEntropy large logits',
      [{ shape: [3, 8], values: uniform(-60, 60) }, { shape: [3], dtype: 'int32', values: [5, 0, 7] }],
      ([x, labels]) => ops.softmaxCrossEntropy(x!, labels!),
    ),
    // Large enough for a multi-threaded backend to split the backward pass by rows.
    opCase(
      'softmaxCrossEntropy 700×100',
      [{ shape: [700, 100] }, { shape: [700], dtype: 'int32', values: Array.from({ length: 700 }, (_, i) => (i * 37) % 100) }],
      ([x, labels]) => ops.softmaxCrossEntropy(x!, labels!),
    ),
  ];
}

function convCases(): OpCase[] {
  const conv = (name: string, x: Shape, w: Shape, options: ops.Conv2DOptions): OpCase =>
    opCase(name, [{ shape: x }, { shape: w, values: uniform(-1, 1) }], ([a, b]) => ops.conv2d(a!, b!, options));
  return [
    conv('conv2d', [2, 3, 6, 6], [4, 3, 3, 3], {}),
    conv('conv2d 1×1', [2, 3, 4, 4], [5, 3, 1, 1], {}),
    conv('conv2d 8 channels 12×12 pad 1', [2, 8, 12, 12], [8, 8, 3, 3], { pad: 1 }),
    conv('conv2d stride 2 pad 1', [2, 3, 7, 7], [4, 3, 3, 3], { stride: 2, pad: 1 }),
    // H = 8, k = 3, stride 2: the last row and column are never read (their gradient is 0).
    conv('conv2d stride 2 uncovered edge', [1, 2, 8, 8], [3, 2, 3, 3], { stride: 2 }),
    conv('conv2d asymmetric pad', [1, 2, 5, 6], [2, 2, 2, 3], { pad: [0, 1, 1, 1] }),
    conv('conv2d dilation 2', [1, 2, 7, 7], [2, 2, 3, 3], { dilation: 2, pad: 2 }),
    conv('conv2d groups 2', [2, 4, 5, 5], [6, 2, 3, 3], { groups: 2 }),
    conv('conv2d depthwise', [1, 3, 5, 5], [3, 1, 3, 3], { groups: 3, pad: 1 }),
    conv('conv2d stride 2 pad 1 dilation 2 groups 2', [2, 4, 9, 8], [4, 2, 2, 3], { stride: [2, 1], pad: [1, 2, 1, 0], dilation: 2, groups: 2 }),
    // The fused bias (and so Conv2DBackpropBias in the gradient), on the direct 3×3 path and the
    // im2col path (stride 2).
    opCase('conv2d bias 3×3 pad 1', [{ shape: [2, 3, 6, 6] }, { shape: [5, 3, 3, 3], values: uniform(-1, 1) }, { shape: [5] }], ([a, b, c]) =>
      ops.conv2d(a!, b!, { pad: 1 }, c!),
    ),
    opCase('conv2d bias stride 2', [{ shape: [2, 3, 7, 7] }, { shape: [4, 3, 3, 3], values: uniform(-1, 1) }, { shape: [4] }], ([a, b, c]) =>
      ops.conv2d(a!, b!, { stride: 2, pad: 1 }, c!),
    ),
    opCase('conv2d bias 16 filters', [{ shape: [2, 4, 5, 5] }, { shape: [16, 4, 3, 3], values: uniform(-1, 1) }, { shape: [16] }], ([a, b, c]) =>
      ops.conv2d(a!, b!, { pad: 1 }, c!),
    ),
    // 3×3 "same" convolutions with enough channels for the wasm backend's Winograd path (forward
    // and input gradient): odd H and W (partial edge tiles), batch 1 and 3, channel counts that
    // are not multiples of 4, with and without bias, and a 1×2 image (every tile partial).
    opCase('conv2d same 7×9 5→7 bias', [{ shape: [3, 5, 7, 9] }, { shape: [7, 5, 3, 3], values: uniform(-1, 1) }, { shape: [7] }], ([a, b, c]) =>
      ops.conv2d(a!, b!, { pad: 1 }, c!),
    ),
    conv('conv2d same 9×7 9→6', [1, 9, 9, 7], [6, 9, 3, 3], { pad: 1 }),
    conv('conv2d same 1×2 4→8', [3, 4, 1, 2], [8, 4, 3, 3], { pad: 1 }),
    opCase(
      'conv2dBackpropInput same 5×7 6→5',
      [{ shape: [3, 6, 5, 7] }, { shape: [6, 5, 3, 3] }],
      ([dy, w]) => ops.conv2dBackpropInput(dy!, w!, [3, 5, 5, 7], ops.convAttrs({ pad: 1 })),
      { noGrad: true },
    ),
    // 3×3, stride 1, pad 1 with channel counts where the wasm backend's filter gradient takes
    // Winograd F(2×2, 3×3) (kernels/winogradFilter.ts): odd H and W (partial edge tiles),
    // channels not multiples of 4 or 2 (padded GEMM rows), one sample and several, with and
    // without the bias gradient riding along.
    opCase('conv2d 3×3 pad 1 odd 7×9, 5→9, bias', [{ shape: [3, 5, 7, 9] }, { shape: [9, 5, 3, 3], values: uniform(-1, 1) }, { shape: [9] }], ([a, b, c]) =>
      ops.conv2d(a!, b!, { pad: 1 }, c!),
    ),
    conv('conv2d 3×3 pad 1 odd 9×7, 6→7, one sample', [1, 6, 9, 7], [7, 6, 3, 3], { pad: 1 }),
    // Few input channels (Cin·kh·kw ≤ 27: the wasm backend's few-tap kernels, assembly/convSmall.ts):
    // 1 and 3 channels, odd H and W (rows of 8 + 3 and 4 + 1 positions), filter counts not
    // multiples of 4 or 2, one sample and several, with and without bias.
    opCase('conv2d few taps 1→7 odd 9×11, bias', [{ shape: [3, 1, 9, 11] }, { shape: [7, 1, 3, 3], values: uniform(-1, 1) }, { shape: [7] }], ([a, b, c]) =>
      ops.conv2d(a!, b!, { pad: 1 }, c!),
    ),
    conv('conv2d few taps 3→5 7×5, one sample', [1, 3, 7, 5], [5, 3, 3, 3], { pad: 1 }),
    opCase(
      'conv2dBackpropFilter 3×3 pad 1 odd 5×3, 7→6',
      [{ shape: [2, 7, 5, 3] }, { shape: [2, 6, 5, 3] }],
      ([x, dy]) => ops.conv2dBackpropFilter(x!, dy!, [6, 7, 3, 3], ops.convAttrs({ pad: 1 })),
      { noGrad: true },
    ),
    opCase(
      'conv2dBackpropInput stride 2',
      [{ shape: [1, 4, 3, 3] }, { shape: [4, 2, 3, 3] }],
      ([dy, w]) => ops.conv2dBackpropInput(dy!, w!, [1, 2, 8, 8], ops.convAttrs({ stride: 2 })),
      { noGrad: true },
    ),
    opCase('conv2dBackpropBias', [{ shape: [3, 4, 5, 6] }], ([dy]) => ops.conv2dBackpropBias(dy!), { noGrad: true }),
    opCase(
      'conv2dBackpropFilter dilation 2 groups 2',
      [{ shape: [2, 4, 6, 6] }, { shape: [2, 4, 6, 6] }],
      ([x, dy]) => ops.conv2dBackpropFilter(x!, dy!, [4, 2, 2, 2], ops.convAttrs({ dilation: 2, groups: 2, pad: 1 })),
      { noGrad: true },
    ),
  ];
}

function poolCases(): OpCase[] {
  const distinct = (shape: Shape): InputSpec[] => [{ shape, values: spread(-2, 2) }];
  return [
    opCase('maxPool 2×2', distinct([2, 3, 6, 6]), ([x]) => ops.maxPool(x!, { kernel: 2 })),
    opCase('maxPool 3×3 stride 2 pad 1', distinct([1, 2, 7, 7]), ([x]) => ops.maxPool(x!, { kernel: 3, stride: 2, pad: 1 })),
    opCase('maxPool asymmetric pad', distinct([1, 2, 5, 5]), ([x]) => ops.maxPool(x!, { kernel: 2, stride: 2, pad: [0, 1, 0, 1] })),
    // Negative values: padding must not win the max.
    opCase('maxPool padding never wins', [{ shape: [1, 1, 4, 4], values: spread(-3, -1) }], ([x]) => ops.maxPool(x!, { kernel: 3, stride: 1, pad: 1 })),
    opCase('maxPool overlapping [2,3] stride [1,2]', distinct([1, 2, 5, 7]), ([x]) => ops.maxPool(x!, { kernel: [2, 3], stride: [1, 2] })),
    // A fused ReLU (the training model's ReLU → MaxPool): windows whose maximum is ≤ 0 give 0
    // and pass no gradient. 10×12 planes: the SIMD path and its moved-back last block; 6×6 its
    // scalar tail; 3×3 with padding and overlap the generic loop.
    opCase('maxPool 2×2 + relu', distinct([2, 2, 10, 12]), ([x]) => ops.maxPool(x!, { kernel: 2, relu: true })),
    opCase('maxPool 2×2 + relu, odd planes', distinct([1, 3, 7, 5]), ([x]) => ops.maxPool(x!, { kernel: 2, relu: true })),
    opCase('maxPool 3×3 stride 2 pad 1 + relu', distinct([1, 2, 7, 7]), ([x]) => ops.maxPool(x!, { kernel: 3, stride: 2, pad: 1, relu: true })),
    opCase('maxPool overlapping + relu', distinct([1, 2, 5, 7]), ([x]) => ops.maxPool(x!, { kernel: [2, 3], stride: [1, 2], relu: true })),
    opCase('avgPool 2×2', [{ shape: [2, 3, 6, 6] }], ([x]) => ops.avgPool(x!, { kernel: 2 })),
    opCase('avgPool 3×3 stride 1 pad 1', [{ shape: [1, 2, 5, 5] }], ([x]) => ops.avgPool(x!, { kernel: 3, stride: 1, pad: 1 })),
    opCase('avgPool [2,3] stride [1,2] pad [1,0,1,1]', [{ shape: [1, 2, 5, 7] }], ([x]) => ops.avgPool(x!, { kernel: [2, 3], stride: [1, 2], pad: [1, 0, 1, 1] })),
    opCase('lpPool p=2', [{ shape: [1, 2, 6, 6] }], ([x]) => ops.lpPool(x!, 2, { kernel: 2 })),
    opCase('lpPool p=3 pad 1', [{ shape: [1, 2, 5, 5], values: awayFrom(-2, 2, [0], 0.1) }], ([x]) => ops.lpPool(x!, 3, { kernel: 3, stride: 2, pad: 1 })),
    opCase('lpPool p=1', [{ shape: [1, 2, 4, 4], values: awayFrom(-2, 2, [0]) }], ([x]) => ops.lpPool(x!, 1, { kernel: 2 })),
    // An all-zero window (as after ReLU) must give output 0 and a finite (zero) gradient.
    opCase(
      'lpPool all-zero window',
      [{ shape: [1, 1, 2, 4], values: [0, 0, 0.5, -1, 0, 0, 2, 0.25] }],
      ([x]) => ops.lpPool(x!, 2, { kernel: 2 }),
    ),
    opCase('globalAvgPool', [{ shape: [2, 3, 4, 5] }], ([x]) => ops.globalAvgPool(x!)),
  ];
}

function shapeCases(): OpCase[] {
  const ints = (shape: Shape, values: readonly number[]): InputSpec => ({ shape, dtype: 'int32', values });
  return [
    opCase('reshape', [{ shape: [2, 3, 4] }], ([x]) => ops.mul(ops.reshape(x!, [6, -1]), ops.reshape(x!, [6, 4]))),
    opCase('flatten', [{ shape: [2, 3, 2, 2] }], ([x]) => ops.flatten(x!)),
    opCase('transpose [2,0,1]', [{ shape: [2, 3, 4] }], ([x]) => ops.transpose(x!, [2, 0, 1])),
    opCase('transpose default reverses', [{ shape: [2, 3, 4] }], ([x]) => ops.transpose(x!)),
    opCase('transpose 2-D', [{ shape: [3, 5] }], ([x]) => ops.transpose(x!)),
    opCase('transpose int32', [ints([2, 3], [1, 2, 3, 4, 5, 6])], ([x]) => ops.transpose(x!), { noGrad: true }),
    opCase('concat axis 1', [{ shape: [2, 2, 3] }, { shape: [2, 1, 3] }, { shape: [2, 3, 3] }], (xs) => ops.concat(xs, 1)),
    opCase('concat axis 0', [{ shape: [1, 4] }, { shape: [3, 4] }], (xs) => ops.concat(xs, 0)),
    opCase('concat axis -1', [{ shape: [2, 3, 1] }, { shape: [2, 3, 2] }], (xs) => ops.concat(xs, -1)),
    opCase('concat int32', [ints([2, 1], [1, 2]), ints([2, 2], [3, 4, 5, 6])], (xs) => ops.concat(xs, 1), { noGrad: true }),
    opCase('slice', [{ shape: [4, 5, 3] }], ([x]) => ops.slice(x!, [1, 0, 1], [2, -1, 2])),
    opCase('slice int32', [ints([3, 2], [1, 2, 3, 4, 5, 6])], ([x]) => ops.slice(x!, [1, 1], [2, 1]), { noGrad: true }),
    opCase('pad', [{ shape: [2, 3, 4] }], ([x]) => ops.pad(x!, [0, 1, 2], [1, 0, 1])),
    opCase('pad with value', [{ shape: [2, 2, 3, 3] }], ([x]) => ops.pad(x!, [0, 0, 1, 1], [0, 0, 1, 2], 1.5)),
    opCase('gather repeated indices', [{ shape: [5, 3] }, ints([2, 3], [0, 4, 2, 4, 4, 1])], ([x, i]) => ops.gather(x!, i!)),
    opCase('gather rank 3 rows', [{ shape: [4, 2, 3] }, ints([3], [3, 0, 3])], ([x, i]) => ops.gather(x!, i!)),
    opCase('scatterAdd repeated indices', [{ shape: [4, 3] }, ints([4], [1, 3, 1, 0])], ([u, i]) => ops.scatterAdd(u!, i!, 5)),
    opCase('oneHot out of range gives zeros', [ints([2, 3], [0, 4, -1, 7, 2, 2])], ([i]) => ops.oneHot(i!, 5), { noGrad: true }),
    opCase('cast float32 to int32 truncates', [{ shape: [2, 4], values: [-2.7, -1.5, -0.5, 0, 0.5, 1.5, 2.7, 3] }], ([x]) => ops.cast(x!, 'int32'), {
      noGrad: true,
    }),
    opCase('cast int32 to float32', [ints([2, 3], [-3, -1, 0, 1, 2, 100])], ([x]) => ops.cast(x!, 'float32'), { noGrad: true }),
  ];
}

function normCases(): OpCase[] {
  const positive = uniform(0.5, 2);
  return [
    opCase('batchNorm training dense', [{ shape: [6, 4] }, { shape: [4], values: positive }, { shape: [4] }], ([x, g, b]) => ops.batchNorm(x!, g!, b!).y),
    opCase('batchNorm training NCHW', [{ shape: [2, 3, 3, 3] }, { shape: [3], values: positive }, { shape: [3] }], ([x, g, b]) => ops.batchNorm(x!, g!, b!).y),
    opCase('batchNorm batch statistics', [{ shape: [2, 3, 2, 2] }, { shape: [3], grad: false }, { shape: [3], grad: false }], ([x, g, b]) => {
      const { mean, variance } = ops.batchNorm(x!, g!, b!);
      return ops.concat([mean, variance], 0);
    }),
    opCase(
      'batchNorm inference',
      [{ shape: [2, 3, 2, 2] }, { shape: [3], values: positive }, { shape: [3] }, { shape: [3] }, { shape: [3], values: positive }],
      ([x, g, b, m, v]) => ops.batchNorm(x!, g!, b!, { mean: m!, variance: v!, epsilon: 1e-3 }).y,
    ),
    opCase('lrn size 5', [{ shape: [2, 6, 3, 3] }], ([x]) => ops.lrn(x!, { size: 5, alpha: 0.1, beta: 0.75, k: 1 })),
    opCase('lrn size 4 (even)', [{ shape: [1, 5, 2, 3] }], ([x]) => ops.lrn(x!, { size: 4, alpha: 0.2, beta: 0.5, k: 2 })),
    opCase('lrn size 1', [{ shape: [1, 3, 2, 2] }], ([x]) => ops.lrn(x!, { size: 1, alpha: 0.3, beta: 1, k: 1 })),
    opCase('lrn AlexNet defaults', [{ shape: [1, 7, 2, 2] }], ([x]) => ops.lrn(x!)),
  ];
}

function compositeCases(): OpCase[] {
  return [
    opCase('dropout', [{ shape: [4, 8] }], ([x]) => ops.dropout(x!, 0.3, 1234, 0)),
    opCase('dropout rate 0 is the identity', [{ shape: [2, 3] }], ([x]) => ops.dropout(x!, 0, 1, 0)),
    opCase('randomUniform', [{ shape: [2, 3] }], ([x]) => ops.mul(x!, ops.randomUniform(x!.backend, [2, 3], 99, 5))),
    opCase(
      'MLP with softmax cross-entropy',
      [{ shape: [4, 5] }, { shape: [5, 6], values: uniform(-1, 1) }, { shape: [6] }, { shape: [6, 3], values: uniform(-1, 1) }, { shape: [4, 3], values: uniform(0, 1), grad: false }],
      ([x, w1, b1, w2, t]) => {
        const h = ops.tanh(ops.add(ops.matMul(x!, w1!), b1!));
        return ops.neg(ops.sum(ops.mul(t!, ops.logSoftmax(ops.matMul(h, w2!)))));
      },
    ),
  ];
}

/** Fused optimizer updates: the updated w, m and v (concatenated), in place on the inputs. */
function optimizerCases(): OpCase[] {
  const adam = (name: string, n: number, weightDecay: number): OpCase =>
    opCase(
      name,
      [{ shape: [n] }, { shape: [n] }, { shape: [n], values: uniform(-0.5, 0.5) }, { shape: [n], values: uniform(0, 1) }],
      ([w, g, m, v]) => {
        // Step t = 3 of Adam with lr 1e-2, β₁ 0.9, β₂ 0.999, ε 1e-8.
        const attrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, stepSize: 1e-2 / (1 - 0.9 ** 3), rootCorrection: 1 / Math.sqrt(1 - 0.999 ** 3), weightDecay };
        ops.adamUpdate(w!, g!, m!, v!, attrs);
        return ops.concat([w!, m!, v!], 0);
      },
      { noGrad: true },
    );
  return [
    adam('adamUpdate', 37, 0),
    adam('adamUpdate with weight decay', 37, 0.1),
    // Large enough for a multi-threaded backend to split it, with a ragged tail.
    adam('adamUpdate 20011 elements', 20011, 0),
  ];
}

const ALL_CASES: readonly OpCase[] = [
  ...unaryCases(),
  ...binaryCases(),
  ...reduceCases(),
  ...matMulCases(),
  ...softmaxCases(),
  ...convCases(),
  ...poolCases(),
  ...shapeCases(),
  ...normCases(),
  ...compositeCases(),
  ...optimizerCases(),
];

/** Every case name, for `skip`. */
export const OP_CASE_NAMES: readonly string[] = ALL_CASES.map((c) => c.name);
if (new Set(OP_CASE_NAMES).size !== OP_CASE_NAMES.length) throw new Error('opSuite: two cases share a name');

// ---------------------------------------------------------------------------------------------
// Running a case

/** The inputs of a case as plain arrays, drawn from a stream seeded by the case name. */
function caseValues(c: OpCase): number[][] {
  const rng = new Random(seedOf(c.name));
  return c.inputs.map((spec) => {
    const size = sizeOf(spec.shape);
    const values = spec.values === undefined ? uniform(-2, 2)(rng, size) : typeof spec.values === 'function' ? spec.values(rng, size) : spec.values.slice();
    if (values.length !== size) throw new Error(`case '${c.name}': ${values.length} values for shape [${spec.shape.join(',')}]`);
    return values;
  });
}

function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function wantsGrad(spec: InputSpec): boolean {
  return (spec.dtype ?? 'float32') === 'float32' && spec.grad !== false;
}

function makeInputs(backend: Backend, c: OpCase, values: readonly number[][], withGrad: boolean): Tensor[] {
  return c.inputs.map((spec, i) => {
    const t = fromValues(backend, spec.shape, values[i]!, spec.dtype ?? 'float32');
    t.requiresGrad = withGrad && wantsGrad(spec);
    return t;
  });
}

interface Result {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly values: Values;
}

async function forward(backend: Backend, c: OpCase, values: readonly number[][]): Promise<Result> {
  const y = c.fn(makeInputs(backend, c, values, false));
  return { shape: y.shape, dtype: y.dtype, values: await y.read() };
}

/** Gradients of Σ y·seed with respect to each input (null where the input is not differentiated). */
async function gradients(backend: Backend, c: OpCase, values: readonly number[][]): Promise<(Values | null)[]> {
  const xs = makeInputs(backend, c, values, true);
  const tape = new Tape();
  const y = tape.record(() => c.fn(xs));
  const seed = fromValues(backend, y.shape, seedValues(c, y.size));
  const grads = tape.backward(y, seed);
  return Promise.all(
    xs.map(async (x, i) => {
      if (!wantsGrad(c.inputs[i]!)) return null;
      const g = grads.get(x);
      // An input the output does not depend on has gradient zero.
      return g === undefined ? new Float64Array(x.size) : g.read();
    }),
  );
}

function seedValues(c: OpCase, size: number): number[] {
  return uniform(-1, 1)(new Random(seedOf(c.name) ^ 0x5eed), size);
}

/** Fails with the worst elements listed when `actual` and `expected` differ beyond `rtol`. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  const bad: string[] = [];
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const error = Math.abs(a - e) / Math.max(Math.abs(e), 1);
    if (!(error <= rtol)) {
      worst = Math.max(worst, Number.isNaN(error) ? Infinity : error);
      if (bad.length < 6) bad.push(`[${i}] ${a} vs ${e}`);
    }
  }
  if (bad.length > 0) throw new Error(`${what}: error ${worst.toExponential(2)} > ${rtol} at ${bad.join(', ')}`);
}

/** Central finite differences of Σ fn(x)·seed, on a float64 backend, for a sample of elements. */
function finiteDifferences(backend: Backend, c: OpCase, values: readonly number[][], input: number): { index: number; slope: number }[] {
  const loss = (vs: readonly number[][]): number => {
    const y = c.fn(makeInputs(backend, c, vs, false));
    const out = y.readSync();
    const seed = seedValues(c, out.length);
    let total = 0;
    for (let i = 0; i < out.length; i++) total += out[i]! * seed[i]!;
    backend.endStep();
    return total;
  };
  const size = values[input]!.length;
  const rng = new Random(seedOf(c.name) ^ 0xfd);
  const indices = size <= FD_MAX_ELEMENTS ? Array.from({ length: size }, (_, i) => i) : rng.shuffle(Array.from({ length: size }, (_, i) => i)).slice(0, FD_MAX_ELEMENTS);
  return indices.map((index) => {
    const perturbed = (delta: number) => values.map((v, k) => (k === input ? v.map((x, j) => (j === index ? x + delta : x)) : v));
    return { index, slope: (loss(perturbed(FD_STEP)) - loss(perturbed(-FD_STEP))) / (2 * FD_STEP) };
  });
}

// ---------------------------------------------------------------------------------------------
// Kernel coverage: the backend under test is observed, and the suite ends by checking that every
// kernel (and every Unary / Binary / Reduce op) of the contract ran at least once.

/**
 * Returns `list` unchanged, but only type-checks when it names every member of the union `T`:
 * adding an op to the contract without listing it here is a compile error.
 */
function everyMember<T>() {
  return <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : never)): L => list;
}

const UNARY_OPS = everyMember<UnaryOp>()([
  'neg', 'abs', 'sign', 'square', 'sqrt', 'rsqrt', 'reciprocal', 'exp', 'log', 'step', 'relu', 'sigmoid', 'tanh',
  'softplus', 'softsign', 'scale', 'pow', 'clip', 'leakyRelu', 'elu',
]);
const BINARY_OPS = everyMember<BinaryOp>()(['add', 'sub', 'mul', 'div', 'max', 'min', 'pow', 'greater', 'greaterEqual', 'equal', 'reluGrad']);
const REDUCE_OPS = everyMember<ReduceOp>()(['sum', 'max', 'min']);

function observed(inner: Backend, seen: Set<string>): Backend {
  const backend: Backend = {
    name: inner.name,
    alloc: (dtype, size, lifetime) => inner.alloc(dtype, size, lifetime),
    free: (id) => inner.free(id),
    write: (id, values) => inner.write(id, values),
    read: (id) => inner.read(id),
    run<K extends KernelName>(kernel: K, inputs: Parameters<Backend['run']>[1], outputs: Parameters<Backend['run']>[2], attrs: KernelAttrs[K]): void {
      seen.add(kernel);
      if (kernel === 'Unary' || kernel === 'Binary' || kernel === 'Reduce') seen.add(`${kernel}:${(attrs as { op: string }).op}`);
      inner.run(kernel, inputs, outputs, attrs);
    },
    endStep: () => inner.endStep(),
    memoryBytes: () => inner.memoryBytes(),
    dispose: () => inner.dispose(),
  };
  const { readSync } = inner;
  if (readSync !== undefined) backend.readSync = (id) => readSync.call(inner, id);
  return backend;
}

// ---------------------------------------------------------------------------------------------
// The suite

export function defineOpSuite(name: string, makeBackend: () => Backend | Promise<Backend>, options: OpSuiteOptions): void {
  const forwardRtol = options.forwardRtol ?? 1e-5;
  const gradientRtol = options.gradientRtol ?? 1e-4;
  const skip = options.skip ?? {};
  for (const key of Object.keys(skip)) {
    if (!OP_CASE_NAMES.includes(key) && !EXTRA_TEST_NAMES.includes(key)) throw new Error(`defineOpSuite(${name}): skip names unknown case '${key}'`);
  }

  describe(`op suite on ${name}`, () => {
    let backend: Backend;
    let oracle: Backend;
    let checkFiniteDifferences = false;
    const seen = new Set<string>();

    beforeAll(async () => {
      const inner = await makeBackend();
      backend = observed(inner, seen);
      oracle = await options.reference();
      checkFiniteDifferences = options.finiteDifferences ?? inner.name === 'reference';
    });
    afterEach(() => {
      backend.endStep();
      oracle.endStep();
    });
    afterAll(() => {
      backend?.dispose();
      oracle?.dispose();
    });

    for (const c of ALL_CASES) {
      const reason = skip[c.name];
      describe(c.name, () => {
        it.skipIf(reason !== undefined)(reason === undefined ? 'forward' : `forward (skipped: ${reason})`, async () => {
          const values = caseValues(c);
          const expected = await forward(oracle, c, values);
          const actual = await forward(backend, c, values);
          expect(actual.shape).toEqual(expected.shape);
          expect(actual.dtype).toBe(expected.dtype);
          expectClose(actual.values, expected.values, forwardRtol, `${c.name} forward`);
        });

        if (c.noGrad === true || !c.inputs.some(wantsGrad)) return;

        it.skipIf(reason !== undefined)('gradient', async () => {
          const values = caseValues(c);
          const expected = await gradients(oracle, c, values);
          const actual = await gradients(backend, c, values);
          expected.forEach((e, i) => {
            if (e === null) return;
            expectClose(actual[i]!, e, gradientRtol, `${c.name} gradient of input ${i}`);
          });
        });

        it.skipIf(reason !== undefined)('gradient matches finite differences (float64 only)', async (context) => {
          if (!checkFiniteDifferences) {
            context.skip();
            return;
          }
          const values = caseValues(c);
          const analytic = await gradients(backend, c, values);
          backend.endStep();
          analytic.forEach((g, input) => {
            if (g === null) return;
            const numeric = finiteDifferences(backend, c, values, input);
            expectClose(
              numeric.map(({ index }) => g[index]!),
              numeric.map(({ slope }) => slope),
              FD_RTOL,
              `${c.name} gradient of input ${input} vs finite differences`,
            );
          });
        });
      });
    }

    describe('creation, copies and lifetimes', () => {
      it('fill, zeros, ones and scalar (float32 and int32)', async () => {
        expect(Array.from(await fill(backend, [2, 2], 2.5).read())).toEqual([2.5, 2.5, 2.5, 2.5]);
        expect(Array.from(await zeros(backend, [3], 'int32').read())).toEqual([0, 0, 0]);
        expect(Array.from(await ones(backend, [2]).read())).toEqual([1, 1]);
        const s = scalar(backend, -7, 'int32');
        expect(s.shape).toEqual([]);
        expect(Array.from(await s.read())).toEqual([-7]);
      });

      it('persist and assign copy with the Copy kernel', async () => {
        const step = fromValues(backend, [2, 2], [1, 2, 3, 4]);
        const kept = persist(step);
        expect(kept.lifetime).toBe('persistent');
        assign(kept, ops.scale(step, 10));
        backend.endStep();
        expect(Array.from(await kept.read())).toEqual([10, 20, 30, 40]);
        kept.dispose();
      });

      it('memoryBytes returns to its level after endStep, step after step', () => {
        const w = fromValues(backend, [8, 8], new Array<number>(64).fill(0.5), 'float32', 'persistent');
        backend.endStep();
        const level = backend.memoryBytes();
        w.requiresGrad = true;
        for (let i = 0; i < 20; i++) {
          const x = fromValues(backend, [4, 8], new Array<number>(32).fill(i));
          const tape = new Tape();
          const loss = tape.record(() => ops.sum(ops.relu(ops.matMul(x, w))));
          tape.backward(loss);
          backend.endStep();
          expect(backend.memoryBytes()).toBe(level);
        }
        w.dispose();
      });
    });

    describe('random numbers and dropout', () => {
      it('randomUniform is bit-identical to reference', async () => {
        const actual = await ops.randomUniform(backend, [257], 0xdeadbeef, 1000).read();
        const expected = await ops.randomUniform(oracle, [257], 0xdeadbeef, 1000).read();
        expect(Array.from(actual)).toEqual(Array.from(expected));
        for (const v of actual) expect(v >= 0 && v <= 1).toBe(true);
      });

      it('dropout: same seed and offset give the same mask; another offset another mask', async () => {
        const x = ones(backend, [64, 32]);
        const a = await ops.dropout(x, 0.5, 42, 0).read();
        const b = await ops.dropout(x, 0.5, 42, 0).read();
        const c = await ops.dropout(x, 0.5, 42, x.size).read();
        const d = await ops.dropout(x, 0.5, 43, 0).read();
        expect(Array.from(a)).toEqual(Array.from(b));
        expect(Array.from(a)).not.toEqual(Array.from(c));
        expect(Array.from(a)).not.toEqual(Array.from(d));
      });

      it('dropout: the mask matches reference exactly and keeps about 1 − rate', async () => {
        const rate = 0.3;
        const actual = await ops.dropout(ones(backend, [100, 100]), rate, 7, 12345).read();
        const expected = await ops.dropout(ones(oracle, [100, 100]), rate, 7, 12345).read();
        let kept = 0;
        for (let i = 0; i < expected.length; i++) {
          expect(actual[i] === 0).toBe(expected[i] === 0);
          if (expected[i] !== 0) kept++;
        }
        expectClose(actual, expected, forwardRtol, 'dropout values');
        // Binomial(10000, 0.7): standard deviation ≈ 46; allow 5σ.
        expect(Math.abs(kept - 7000)).toBeLessThan(230);
        // Survivors are scaled by 1/(1 − rate).
        expect(expected.find((v) => v !== 0)).toBeCloseTo(1 / (1 - rate), 12);
      });
    });

    it.skipIf(skip['kernel coverage'] !== undefined)('kernel coverage: every kernel and kernel op of the contract ran', () => {
      const expected = [
        ...KERNEL_NAMES,
        ...UNARY_OPS.map((op) => `Unary:${op}`),
        ...BINARY_OPS.map((op) => `Binary:${op}`),
        ...REDUCE_OPS.map((op) => `Reduce:${op}`),
      ];
      expect(expected.filter((k) => !seen.has(k))).toEqual([]);
    });
  });
}

/** Suite tests outside the case list that can be skipped by name. */
const EXTRA_TEST_NAMES: readonly string[] = ['kernel coverage'];
