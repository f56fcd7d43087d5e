// Kernel validation at sizes the shared op suite does not reach: GEMM K-blocking and edge
// tiles, thread splits (by columns and by rows), im2col/col2im paths, SIMD tails, every
// broadcasting and reduction pattern. Each case runs on the float64 reference (the oracle) and
// on wasm with 1 and 2 threads, in each build of the kernel module this runtime can run (fma and
// baseline: loader.ts): wasm must match the oracle within tolerance, and the 1- and 2-thread
// results must be bit-identical (docs/wasm-backend.md, "Determinism").

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, DType, KernelAttrs, KernelName, TensorInfo, Values } from '../backend.js';
import { Random } from '../../core/random.js';
import { ReferenceBackend } from '../reference/reference.js';
import { createWasmBackend, type WasmBackend } from './index.js';
import { SPARSE_DENSITY as CONV_SPARSE_DENSITY, sparseConvOverride } from './kernels/convSparse.js';
import { SPARSE_DENSITY as GEMM_SPARSE_DENSITY, sparseGemmOverride } from './kernels/MatMul.js';
import { relaxedSimdSupported, type KernelBuild } from './loader.js';
import { winogradOverride } from './kernels/winograd.js';

type Gen = (rng: Random, n: number) => number[];
const f32 = Math.fround;
const uniform = (lo: number, hi: number): Gen => (rng, n) => Array.from({ length: n }, () => f32(lo + (hi - lo) * rng.uniform()));
const ints = (lo: number, hi: number): Gen => (rng, n) => Array.from({ length: n }, () => lo + rng.int(hi - lo));
/** Mostly zeros: each value uniform in (−1, 1) with probability `keep`, else 0 (dy below a max pool and a ReLU). */
const sparse = (keep: number): Gen => (rng, n) => Array.from({ length: n }, () => (rng.uniform() < keep ? f32(2 * rng.uniform() - 1) : 0));

interface Input {
  readonly shape: number[];
  readonly dtype?: DType;
  readonly values?: Gen;
}

interface Case<K extends KernelName = KernelName> {
  readonly name: string;
  readonly kernel: K;
  readonly inputs: readonly Input[];
  readonly outputs: readonly { shape: number[]; dtype?: DType }[];
  readonly attrs: KernelAttrs[K];
  /** Elementwise tolerance: |wasm − ref| ≤ rtol · scale, where scale is given below. */
  readonly rtol?: number;
  /**
   * 'abs': scale = the same kernel on |inputs| (a sum's magnitude: the right yardstick for
   * GEMM, conv and sums of signed values); default: max(|ref|, 1).
   */
  readonly scale?: 'abs';
  /** Exact (bit-for-bit) agreement with the oracle rounded to float32. */
  readonly exact?: boolean;
  /** Winograd off: the direct kernels at 3×3 "same" shapes that Winograd would take. */
  readonly noWinograd?: boolean;
  /** The sparse kernels (convolution gradients, spmm) forced on or off (auto: by density). */
  readonly sparse?: 'on' | 'off';
}

function kcase<K extends KernelName>(c: Case<K>): Case {
  return c as unknown as Case;
}

function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function inputValues(c: Case): number[][] {
  const rng = new Random(seedOf(c.name));
  return c.inputs.map((spec) => (spec.values ?? uniform(-1, 1))(rng, spec.shape.reduce((a, b) => a * b, 1)));
}

function runOn(backend: Backend, c: Case, values: readonly number[][]): Values[] {
  const ins: TensorInfo[] = c.inputs.map((spec, i) => {
    const dtype = spec.dtype ?? 'float32';
    const id = backend.alloc(dtype, values[i]!.length, 'step');
    backend.write(id, values[i]!);
    return { id, shape: spec.shape, dtype };
  });
  const outs: TensorInfo[] = c.outputs.map((o) => {
    const dtype = o.dtype ?? 'float32';
    return { id: backend.alloc(dtype, o.shape.reduce((a, b) => a * b, 1), 'step'), shape: o.shape, dtype };
  });
  backend.run(c.kernel, ins, outs, c.attrs);
  const result = outs.map((o) => backend.readSync!(o.id));
  backend.endStep();
  return result;
}

const mm = (name: string, M: number, N: number, K: number, transA = false, transB = false, values?: Gen, valuesB = values) =>
  kcase({
    name: `MatMul ${name} ${M}×${N}×${K}${transA ? ' transA' : ''}${transB ? ' transB' : ''}`,
    kernel: 'MatMul',
    inputs: [
      { shape: transA ? [K, M] : [M, K], ...(values ? { values } : {}) },
      { shape: transB ? [N, K] : [K, N], ...(valuesB ? { values: valuesB } : {}) },
    ],
    outputs: [{ shape: [M, N] }],
    attrs: { transA, transB },
    scale: 'abs',
  });

const conv = (name: string, x: number[], w: number[], attrs: Partial<KernelAttrs['Conv2D']>, noWinograd = false) => {
  const a: KernelAttrs['Conv2D'] = { stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1, ...attrs };
  const [N, , H, W] = x as [number, number, number, number];
  const [F, , kh, kw] = w as [number, number, number, number];
  const Ho = Math.floor((H + a.pad[0] + a.pad[1] - a.dilation[0] * (kh - 1) - 1) / a.stride[0]) + 1;
  const Wo = Math.floor((W + a.pad[2] + a.pad[3] - a.dilation[1] * (kw - 1) - 1) / a.stride[1]) + 1;
  const y = [N, F, Ho, Wo];
  return [
    kcase({ name: `Conv2D ${name}`, kernel: 'Conv2D', inputs: [{ shape: x }, { shape: w }], outputs: [{ shape: y }], attrs: a, scale: 'abs', noWinograd }),
    kcase({ name: `Conv2DBackpropInput ${name}`, kernel: 'Conv2DBackpropInput', inputs: [{ shape: y }, { shape: w }], outputs: [{ shape: x }], attrs: a, scale: 'abs', noWinograd }),
    kcase({ name: `Conv2DBackpropFilter ${name}`, kernel: 'Conv2DBackpropFilter', inputs: [{ shape: x }, { shape: y }], outputs: [{ shape: w }], attrs: a, scale: 'abs', noWinograd }),
  ];
};

/**
 * The two gradients of a stride-1 convolution with a dy that is mostly zeros (the sparse
 * kernels of assembly/convSparse.ts, chosen by density), the filter gradient with db.
 */
const sparseGrads = (name: string, x: number[], w: number[], pad: [number, number, number, number], keep = 0.25) => {
  const attrs: KernelAttrs['Conv2D'] = { stride: [1, 1], pad, dilation: [1, 1], groups: 1 };
  const [N, , H, W] = x as [number, number, number, number];
  const [F, , kh, kw] = w as [number, number, number, number];
  const y = [N, F, H + pad[0] + pad[1] - kh + 1, W + pad[2] + pad[3] - kw + 1];
  return [
    kcase({ name: `sparse Conv2DBackpropInput ${name}`, kernel: 'Conv2DBackpropInput', inputs: [{ shape: y, values: sparse(keep) }, { shape: w }], outputs: [{ shape: x }], attrs, scale: 'abs' }),
    kcase({
      name: `sparse Conv2DBackpropFilter ${name}`,
      kernel: 'Conv2DBackpropFilter',
      inputs: [{ shape: x }, { shape: y, values: sparse(keep) }],
      outputs: [{ shape: w }, { shape: [F] }],
      attrs,
      scale: 'abs',
    }),
  ];
};

const pool = (name: string, x: number[], attrs: KernelAttrs['Pool'], values?: Gen) => {
  const [N, C, H, W] = x as [number, number, number, number];
  const Ho = Math.floor((H + attrs.pad[0] + attrs.pad[1] - attrs.kernel[0]) / attrs.stride[0]) + 1;
  const Wo = Math.floor((W + attrs.pad[2] + attrs.pad[3] - attrs.kernel[1]) / attrs.stride[1]) + 1;
  const y = [N, C, Ho, Wo];
  // Distinct values (a permutation of a grid) so that "first maximum" is unambiguous.
  // (Or the given values: ties test that the gradient goes to the first maximum.)
  const distinct: Gen = values ?? ((rng, n) => rng.shuffle(Array.from({ length: n }, (_, i) => f32(-1 + (2 * i) / n))));
  const cases = [kcase({ name: `Pool ${name}`, kernel: 'Pool', inputs: [{ shape: x, values: distinct }], outputs: [{ shape: y }], attrs })];
  if (attrs.kind === 'max') {
    cases.push(kcase({ name: `MaxPoolBackprop ${name}`, kernel: 'MaxPoolBackprop', inputs: [{ shape: y }, { shape: x, values: distinct }], outputs: [{ shape: x }], attrs }));
  } else {
    cases.push(kcase({ name: `AvgPoolBackprop ${name}`, kernel: 'AvgPoolBackprop', inputs: [{ shape: y }], outputs: [{ shape: x }], attrs, scale: 'abs' }));
  }
  return cases;
};

const unary = (op: KernelAttrs['Unary']['op'], values: Gen, extra: { alpha?: number; beta?: number } = {}, rtol?: number) =>
  kcase({ name: `Unary ${op}`, kernel: 'Unary', inputs: [{ shape: [1001, 67], values }], outputs: [{ shape: [1001, 67] }], attrs: { op, ...extra }, ...(rtol ? { rtol } : {}) });

const binary = (op: KernelAttrs['Binary']['op'], a: number[], b: number[], out: number[], gb?: Gen) =>
  kcase({ name: `Binary ${op} [${a}] with [${b}]`, kernel: 'Binary', inputs: [{ shape: a }, { shape: b, ...(gb ? { values: gb } : {}) }], outputs: [{ shape: out }], attrs: { op } });

const reduce = (op: KernelAttrs['Reduce']['op'], shape: number[], axes: number[]) => {
  const out = shape.filter((_, i) => !axes.includes(i));
  return kcase({ name: `Reduce ${op} [${shape}] over [${axes}]`, kernel: 'Reduce', inputs: [{ shape }], outputs: [{ shape: out }], attrs: { op, axes, keepDims: false }, ...(op === 'sum' ? { scale: 'abs' as const } : {}) });
};

const CASES: Case[] = [
  // GEMM: edge tiles (odd M, N % 16 ≠ 0), several K blocks (K > 384), each transpose, splits by
  // columns (wide N) and by rows (narrow N, tall M), and the MLP's own shapes.
  mm('edges', 37, 45, 29),
  mm('edges', 37, 45, 29, true, false),
  mm('edges', 37, 45, 29, false, true),
  mm('edges', 37, 45, 29, true, true),
  mm('K blocks', 66, 130, 1000),
  mm('K blocks', 66, 130, 1000, true, true),
  mm('column split', 64, 300, 200, false, true),
  mm('row split', 501, 10, 260),
  mm('row split', 501, 10, 260, true, false),
  // Fewer than 16 columns over at least 16 rows: computed as Cᵀ, then transposed (kernels/MatMul.ts).
  mm('narrow N (a classifier)', 128, 10, 1568),
  mm('narrow N (its weight gradient)', 1568, 10, 128, true, false),
  mm('narrow N', 37, 3, 50, false, true),
  mm('narrow N', 16, 15, 33, true, true),
  mm('narrow N, too few rows', 15, 10, 40),
  mm('mlp', 128, 256, 784),
  mm('mlp dW', 784, 256, 128, true, false),
  mm('mlp dX', 128, 784, 256, false, true),
  mm('positive', 96, 97, 777, false, false, uniform(0, 1)),
  mm('empty K', 5, 7, 0),
  // spmm (assembly/spmm.ts), chosen by density: a sparse A (rows of C) and a sparse B (Cᵀ, then
  // transposed), each transpose (copies into the workspace), the MLP's shapes with ReLU-like
  // zeros and MNIST-like inputs, N not a multiple of 4 (scalar columns) or of 32 (blocks of 4
  // and 1 vectors), groups of rows (K = 2000: 15 rows a group), an all-zero row band.
  mm('sparse A', 128, 128, 256, false, false, sparse(0.5), uniform(-1, 1)),
  mm('sparse A', 128, 256, 128, false, true, sparse(0.5), uniform(-1, 1)),
  mm('sparse A', 256, 128, 128, true, false, sparse(0.5), sparse(0.5)),
  mm('sparse A', 77, 301, 190, true, true, sparse(0.3), uniform(-1, 1)),
  mm('sparse B', 784, 256, 128, true, false, uniform(-1, 1), sparse(0.5)),
  mm('sparse B', 90, 131, 140, false, false, uniform(-1, 1), sparse(0.4)),
  mm('sparse B', 90, 131, 140, false, true, uniform(-1, 1), sparse(0.4)),
  mm('sparse A mnist-like', 128, 256, 784, false, false, sparse(0.19), uniform(-1, 1)),
  mm('sparse A narrow N', 200, 10, 600, false, false, sparse(0.2), uniform(-1, 1)),
  mm('sparse A N 45', 160, 45, 300, false, false, sparse(0.2), uniform(-1, 1)),
  mm('sparse A groups', 40, 64, 2000, false, false, sparse(0.2), uniform(-1, 1)),
  mm('sparse A zero rows', 64, 96, 256, false, false, (rng, n) => sparse(0.3)(rng, n).map((v, i) => (i < n / 2 ? 0 : v)), uniform(-1, 1)),
  // Convolutions: im2col with stride/pad/dilation/groups, the 1×1 direct path, a wide filter
  // gradient (column split) and a narrow one (row split).
  ...conv('3×3 pad 1', [8, 3, 28, 28], [16, 3, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('5×5 stride 2 dilation 2 groups 2', [4, 8, 23, 19], [12, 4, 5, 5], { stride: [2, 2], dilation: [2, 2], groups: 2, pad: [2, 1, 0, 3] }),
  ...conv('1×1', [6, 32, 14, 14], [48, 32, 1, 1], {}),
  ...conv('wide dW', [4, 64, 12, 12], [8, 64, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('stride 3 no pad', [3, 4, 17, 17], [5, 4, 4, 4], { stride: [3, 3] }),
  // The direct kernels (assembly/convDirect.ts, stride 1): the lessons' CNN shapes (16 × 2
  // tiles for 16→32; 1→16 takes the few-tap kernels), a partial group of 16 with odd
  // Wo and uneven pads (forward), 5×5 with uneven pads (input gradient), odd filter and channel
  // counts, and shapes past directPays (im2col forward, direct filter gradient).
  ...conv('direct 16→32', [6, 16, 14, 14], [32, 16, 3, 3], { pad: [1, 1, 1, 1] }, true),
  ...conv('direct 1→16', [8, 1, 28, 28], [16, 1, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('direct 5×5 uneven pads', [6, 4, 8, 9], [30, 4, 5, 5], { pad: [2, 1, 2, 0] }),
  ...conv('direct 5×5 uneven pads, 8 filters', [6, 4, 8, 9], [8, 4, 5, 5], { pad: [2, 1, 2, 0] }),
  ...conv('direct odd filters', [6, 3, 10, 13], [5, 3, 3, 3], { pad: [0, 2, 1, 1] }),
  ...conv('direct odd channels', [6, 5, 10, 13], [6, 5, 3, 3], { pad: [0, 2, 1, 1] }),
  ...conv('64→40 past directPays', [2, 64, 9, 9], [40, 64, 3, 3], { pad: [1, 1, 1, 1] }, true),
  // The few-tap kernels (assembly/convSmall.ts, Cin·kh·kw ≤ 27): one sample with a row of 8 + 3
  // positions and a last group of 3 filters (an odd one out in dW); Wo 6 (4 + 2) with uneven
  // pads and 2 filters in the last group; Wo 3 (a partial vector only); 5×5 (25 taps, the
  // forward only: dW stays on convDirectFilter); 16 samples of 3→7, split 4 + 3 filters over two
  // threads in dW (the odd filter on the second).
  ...conv('few taps 1→7 9×11 one sample', [1, 1, 9, 11], [7, 1, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('few taps 3→6 15×6 uneven pads', [5, 3, 15, 6], [6, 3, 3, 3], { pad: [1, 0, 0, 2] }),
  ...conv('few taps 1→5 5×3', [2, 1, 5, 3], [5, 1, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('few taps 5×5 1→8', [4, 1, 12, 9], [8, 1, 5, 5], { pad: [2, 2, 2, 2] }),
  ...conv('few taps 3→7 15×13', [16, 3, 15, 13], [7, 3, 3, 3], { pad: [1, 1, 1, 1] }),
  // …and as an input gradient: 8→3 and 8→2 have 3 and 2 output channels, so their input
  // gradients are convolutions with 27 and 18 taps (the flipped, transposed filters).
  ...conv('few taps input gradient 8→3', [6, 8, 9, 11], [3, 8, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('few taps input gradient 8→2 uneven pads', [3, 8, 7, 10], [2, 8, 3, 3], { pad: [0, 2, 1, 1] }),
  // Winograd F(2×2, 3×3) (assembly/winograd.ts, pad 1): the lessons' 16→32 (its input gradient
  // is 32→16); odd H and W (partial edge tiles), channel counts that are not multiples of 4, a
  // 1×1 and a 1×2 image; 64→64 at 14×14 (blocks of 4 and 3 tile rows); a wide image (tile rows
  // many 4-tile steps long, blocks of 2 rows).
  ...conv('winograd 16→32', [6, 16, 14, 14], [32, 16, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('winograd odd 7×9, 5→7', [3, 5, 7, 9], [7, 5, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('winograd 9×13, 9→6', [5, 9, 9, 13], [6, 9, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('winograd 1×1 image', [2, 8, 1, 1], [8, 8, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('winograd 1×2 image', [3, 4, 1, 2], [8, 4, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('winograd 64→64', [3, 64, 14, 14], [64, 64, 3, 3], { pad: [1, 1, 1, 1] }),
  ...conv('winograd wide 11×61', [2, 24, 11, 61], [12, 24, 3, 3], { pad: [1, 1, 1, 1] }),
  // The fused bias on each forward path (16 × 2 tiles, few taps, wide tiles, im2col) and its gradient.
  ...[
    ['16×2 tiles', [6, 16, 14, 14], [32, 16, 3, 3], [1, 1, 1, 1], [1, 1], true],
    ['winograd', [6, 16, 14, 14], [32, 16, 3, 3], [1, 1, 1, 1], [1, 1]],
    ['winograd odd', [3, 5, 7, 9], [7, 5, 3, 3], [1, 1, 1, 1], [1, 1]],
    ['few taps', [8, 1, 28, 28], [16, 1, 3, 3], [1, 1, 1, 1], [1, 1]],
    ['few taps odd', [3, 3, 9, 11], [7, 3, 3, 3], [1, 1, 1, 1], [1, 1]],
    ['wide tiles', [6, 4, 8, 9], [8, 4, 3, 3], [1, 1, 1, 1], [1, 1], true],
    ['im2col', [4, 3, 15, 15], [7, 3, 3, 3], [1, 1, 1, 1], [2, 2]],
  ].map(([name, x, w, pad, stride, noWinograd]) =>
    kcase({
      name: `Conv2D bias ${String(name)}`,
      noWinograd: noWinograd === true,
      kernel: 'Conv2D',
      inputs: [{ shape: x as number[] }, { shape: w as number[] }, { shape: [(w as number[])[0]!] }],
      outputs: [{ shape: [(x as number[])[0]!, (w as number[])[0]!, ...((stride as number[])[0] === 1 ? (x as number[]).slice(2) : [8, 8])] }],
      attrs: { stride: stride as [number, number], pad: pad as [number, number, number, number], dilation: [1, 1], groups: 1 },
      scale: 'abs',
    }),
  ),
  kcase({ name: 'Conv2DBackpropBias', kernel: 'Conv2DBackpropBias', inputs: [{ shape: [9, 13, 7, 9] }], outputs: [{ shape: [13] }], attrs: {}, scale: 'abs' }),
  // The filter gradient with the bias gradient as a second output: Winograd (3×3, pad 1, enough
  // channels; odd sizes with partial tiles; two ranges of tiles, here 18 and 17 tile rows that
  // cut sample 3 in two, on two threads, a single tile row on one, and no tiles), direct with a filter split
  // (16→32 with a pad of 1 on two sides only, so not Winograd, and 1→16 with one channel), a
  // channel split (16→8: too few filters per thread), and im2col (stride 2).
  ...[
    ['Winograd, 16→32', [6, 16, 14, 14], [32, 16, 3, 3], [14, 14], [1, 1], [1, 1, 1, 1]],
    ['Winograd, odd 13×11, 6→10', [8, 6, 13, 11], [10, 6, 3, 3], [13, 11], [1, 1], [1, 1, 1, 1]],
    ['Winograd, uneven tile ranges, 12→8', [7, 12, 9, 13], [8, 12, 3, 3], [9, 13], [1, 1], [1, 1, 1, 1]],
    ['Winograd, one tile row, 8→8', [1, 8, 2, 6], [8, 8, 3, 3], [2, 6], [1, 1], [1, 1, 1, 1]],
    ['Winograd, empty batch', [0, 8, 4, 6], [8, 8, 3, 3], [4, 6], [1, 1], [1, 1, 1, 1]],
    ['filter split', [6, 16, 14, 14], [32, 16, 3, 3], [13, 13], [1, 1], [1, 0, 1, 0]],
    ['channel split', [6, 16, 14, 14], [8, 16, 3, 3], [13, 13], [1, 1], [1, 0, 1, 0]],
    ['filter split, one channel', [8, 1, 28, 28], [16, 1, 3, 3], [28, 28], [1, 1], [1, 1, 1, 1]],
    ['few taps, odd filter split', [16, 3, 15, 13], [7, 3, 3, 3], [15, 13], [1, 1], [1, 1, 1, 1]],
    ['few taps, one sample', [1, 3, 7, 5], [5, 3, 3, 3], [7, 5], [1, 1], [1, 1, 1, 1]],
    ['im2col', [4, 3, 15, 15], [7, 3, 3, 3], [8, 8], [2, 2], [1, 1, 1, 1]],
  ].map(([name, x, w, out, stride, pad]) => {
    const [N, F] = [(x as number[])[0]!, (w as number[])[0]!];
    return kcase({
      name: `Conv2DBackpropFilter with bias, ${String(name)}`,
      kernel: 'Conv2DBackpropFilter',
      inputs: [{ shape: x as number[] }, { shape: [N, F, ...(out as number[])] }],
      outputs: [{ shape: w as number[] }, { shape: [F] }],
      attrs: { stride: stride as [number, number], pad: pad as [number, number, number, number], dilation: [1, 1], groups: 1 },
      scale: 'abs',
    });
  }),
  // The sparse-gradient kernels (assembly/convSparse.ts): the lessons' CNN layers (16→32 at
  // 14×14; one channel, 1→16 at 28×28, whose rows are one vector); channel counts that are not
  // multiples of 4 (lanes past C); uneven and zero pads, wider pads than the kernel; 5×5 on one
  // channel (rows wider than a vector: the channels-last path); 1×1; 5×2; rows of 1 to 3 positions
  // (no full vector); an all-zero dy; one sample; an empty batch; 40 channels (gather blocks of
  // 8 + 1 + 1 vectors: a 3-wide row of 40 lanes is 30 vectors); and a denser dy (45%).
  ...sparseGrads('16→32 14×14', [6, 16, 14, 14], [32, 16, 3, 3], [1, 1, 1, 1], 0.23),
  ...sparseGrads('1→16 28×28', [5, 1, 28, 28], [16, 1, 3, 3], [1, 1, 1, 1], 0.23),
  ...sparseGrads('5→7 odd 9×11 uneven pads', [4, 5, 9, 11], [7, 5, 3, 3], [0, 2, 1, 0]),
  ...sparseGrads('3→6 no pad', [3, 3, 10, 9], [6, 3, 3, 3], [0, 0, 0, 0]),
  ...sparseGrads('2→3 pads past the kernel', [2, 2, 6, 7], [3, 2, 3, 3], [4, 3, 0, 5]),
  ...sparseGrads('1→8 5×5', [3, 1, 12, 9], [8, 1, 5, 5], [2, 2, 2, 2]),
  ...sparseGrads('9→5 1×1', [3, 9, 7, 6], [5, 9, 1, 1], [0, 0, 0, 0]),
  ...sparseGrads('4→4 5×2', [3, 4, 8, 8], [4, 4, 5, 2], [2, 2, 1, 0]),
  ...sparseGrads('6→5 rows of 3', [4, 6, 5, 3], [5, 6, 3, 3], [1, 1, 1, 1]),
  ...sparseGrads('1→4 rows of 1', [4, 1, 6, 1], [4, 1, 3, 3], [1, 1, 1, 1]),
  ...sparseGrads('8→8 all zeros', [3, 8, 6, 6], [8, 8, 3, 3], [1, 1, 1, 1], 0),
  ...sparseGrads('16→32 one sample', [1, 16, 14, 14], [32, 16, 3, 3], [1, 1, 1, 1]),
  ...sparseGrads('8→8 empty batch', [0, 8, 6, 6], [8, 8, 3, 3], [1, 1, 1, 1]),
  ...sparseGrads('40→6 7×7', [3, 40, 7, 7], [6, 40, 3, 3], [1, 1, 1, 1]),
  ...sparseGrads('12→9 denser', [5, 12, 8, 8], [9, 12, 3, 3], [1, 1, 1, 1], 0.45),
  // Pooling, with overlapping windows and padding.
  ...pool('2×2', [8, 16, 28, 28], { kind: 'max', kernel: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }),
  // The SIMD 2×2 path: odd H and W (a row and column outside every window), Wo < 4 (scalar
  // only), and ties (a few distinct values).
  ...pool('2×2 odd', [4, 16, 15, 13], { kind: 'max', kernel: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }),
  ...pool('2×2 narrow', [2, 3, 6, 7], { kind: 'max', kernel: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }),
  ...pool('2×2 ties', [4, 8, 14, 14], { kind: 'max', kernel: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }, ints(-1, 2)),
  ...pool('2×2 bottom-right pad', [4, 8, 13, 11], { kind: 'max', kernel: [2, 2], stride: [2, 2], pad: [0, 1, 0, 1] }),
  ...pool('3×3 stride 2 pad 1', [4, 16, 27, 27], { kind: 'max', kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] }),
  ...pool('avg 3×3 stride 1 pad 1', [4, 16, 20, 20], { kind: 'avg', kernel: [3, 3], stride: [1, 1], pad: [1, 1, 1, 1] }),
  ...pool('avg 2×3 stride [2,1]', [4, 16, 19, 21], { kind: 'avg', kernel: [2, 3], stride: [2, 1], pad: [0, 1, 1, 0] }),
  // Unary, over 67,067 elements (not a multiple of 16: vector tails on every thread split).
  unary('neg', uniform(-3, 3)),
  unary('abs', uniform(-3, 3)),
  unary('sign', uniform(-3, 3)),
  unary('square', uniform(-3, 3)),
  unary('sqrt', uniform(0.01, 9)),
  unary('rsqrt', uniform(0.01, 9)),
  unary('reciprocal', uniform(0.1, 9)),
  unary('exp', uniform(-80, 80)),
  unary('log', uniform(1e-3, 1e3)),
  unary('step', uniform(-3, 3)),
  unary('relu', uniform(-3, 3)),
  unary('sigmoid', uniform(-30, 30)),
  unary('tanh', uniform(-5, 5)),
  unary('softplus', uniform(-30, 30)),
  unary('softsign', uniform(-5, 5)),
  unary('scale', uniform(-3, 3), { alpha: -1.5, beta: 0.25 }),
  unary('pow', uniform(0.1, 3), { alpha: 2.5 }),
  unary('clip', uniform(-3, 3), { alpha: -0.5, beta: 0.7 }),
  unary('leakyRelu', uniform(-3, 3), { alpha: 0.1 }),
  unary('elu', uniform(-5, 3), { alpha: 0.7 }),
  // Binary, every broadcasting pattern the host distinguishes.
  binary('add', [300, 257], [300, 257], [300, 257]),
  binary('sub', [300, 257], [257], [300, 257]),
  binary('mul', [300, 257], [300, 1], [300, 257]),
  binary('div', [300, 257], [], [300, 257], uniform(0.5, 2)),
  binary('div', [], [300, 257], [300, 257], uniform(0.5, 2)),
  binary('max', [32, 16, 13, 13], [1, 16, 1, 1], [32, 16, 13, 13]),
  binary('min', [2, 1, 3, 1, 5, 1, 7], [1, 4, 1, 6, 1, 8, 1], [2, 4, 3, 6, 5, 8, 7]),
  binary('pow', [200, 300], [300], [200, 300], uniform(-2, 2)),
  binary('greater', [200, 301], [200, 301], [200, 301]),
  binary('greaterEqual', [200, 301], [301], [200, 301]),
  binary('equal', [200, 301], [200, 301], [200, 301]),
  // Reductions: rows (KR), columns (RK), middle (KRK), permuted (RKR) and all.
  reduce('sum', [500, 301], [1]),
  reduce('sum', [500, 301], [0]),
  reduce('sum', [7, 400, 33], [1]),
  reduce('sum', [9, 30, 40, 7], [0, 2]),
  reduce('sum', [300, 700], [0, 1]),
  reduce('max', [500, 301], [1]),
  reduce('max', [500, 301], [0]),
  reduce('min', [9, 30, 40, 7], [0, 2, 3]),
  reduce('min', [7, 400, 33], [1]),
  kcase({ name: 'ArgMax axis 1', kernel: 'ArgMax', inputs: [{ shape: [40, 1000, 3] }], outputs: [{ shape: [40, 3], dtype: 'int32' }], attrs: { axis: 1 }, exact: true }),
  kcase({ name: 'Softmax', kernel: 'Softmax', inputs: [{ shape: [300, 1001], values: uniform(-20, 20) }], outputs: [{ shape: [300, 1001] }], attrs: {} }),
  kcase({ name: 'LogSoftmax', kernel: 'LogSoftmax', inputs: [{ shape: [300, 1001], values: uniform(-20, 20) }], outputs: [{ shape: [300, 1001] }], attrs: {} }),
  // Labels in [−1, 1001]: some outside [0, 1001) (they add 0 and get a zero gradient row).
  kcase({
    name: 'SoftmaxCrossEntropy',
    kernel: 'SoftmaxCrossEntropy',
    inputs: [{ shape: [300, 1001], values: uniform(-20, 20) }, { shape: [300], dtype: 'int32', values: ints(-1, 1002) }],
    outputs: [{ shape: [] }, { shape: [300, 1001] }],
    attrs: {},
  }),
  kcase({
    name: 'SoftmaxCrossEntropyBackprop',
    kernel: 'SoftmaxCrossEntropyBackprop',
    inputs: [{ shape: [300, 1001], values: uniform(0, 1) }, { shape: [300], dtype: 'int32', values: ints(-1, 1002) }, { shape: [], values: uniform(0.5, 2) }],
    outputs: [{ shape: [300, 1001] }],
    attrs: {},
  }),
  // Data movement: bit-exact.
  kcase({ name: 'Transpose 2-D', kernel: 'Transpose', inputs: [{ shape: [301, 517] }], outputs: [{ shape: [517, 301] }], attrs: { perm: [1, 0] }, exact: true }),
  kcase({ name: 'Transpose batched', kernel: 'Transpose', inputs: [{ shape: [5, 130, 67] }], outputs: [{ shape: [5, 67, 130] }], attrs: { perm: [0, 2, 1] }, exact: true }),
  kcase({ name: 'Transpose rank 5', kernel: 'Transpose', inputs: [{ shape: [3, 4, 5, 6, 7] }], outputs: [{ shape: [7, 5, 3, 6, 4] }], attrs: { perm: [4, 2, 0, 3, 1] }, exact: true }),
  kcase({ name: 'Slice', kernel: 'Slice', inputs: [{ shape: [40, 50, 60] }], outputs: [{ shape: [20, 31, 60] }], attrs: { begin: [10, 5, 0] }, exact: true }),
  kcase({ name: 'Pad', kernel: 'Pad', inputs: [{ shape: [8, 16, 28, 28] }], outputs: [{ shape: [8, 16, 31, 30] }], attrs: { before: [0, 0, 1, 2], value: -0.5 }, exact: true }),
  kcase({ name: 'Concat', kernel: 'Concat', inputs: [{ shape: [30, 17, 40] }, { shape: [30, 100, 40] }, { shape: [30, 1, 40] }], outputs: [{ shape: [30, 118, 40] }], attrs: { axis: 1 }, exact: true }),
  kcase({ name: 'Gather', kernel: 'Gather', inputs: [{ shape: [1000, 40] }, { shape: [3000], dtype: 'int32', values: ints(0, 1000) }], outputs: [{ shape: [3000, 40] }], attrs: {}, exact: true }),
  kcase({ name: 'ScatterAdd', kernel: 'ScatterAdd', inputs: [{ shape: [3000, 72] }, { shape: [3000], dtype: 'int32', values: ints(0, 100) }], outputs: [{ shape: [100, 72] }], attrs: {}, scale: 'abs' }),
  kcase({ name: 'OneHot', kernel: 'OneHot', inputs: [{ shape: [5000], dtype: 'int32', values: ints(-2, 12) }], outputs: [{ shape: [5000, 10] }], attrs: { depth: 10 }, exact: true }),
  kcase({ name: 'RandomUniform', kernel: 'RandomUniform', inputs: [], outputs: [{ shape: [100003] }], attrs: { seed: 0xdeadbeef, offset: 4294967000 }, exact: true }),
  kcase({ name: 'Fill int32', kernel: 'Fill', inputs: [], outputs: [{ shape: [70001], dtype: 'int32' }], attrs: { value: -7 }, exact: true }),
  kcase({ name: 'Cast float32 → int32', kernel: 'Cast', inputs: [{ shape: [1001], values: uniform(-1e6, 1e6) }], outputs: [{ shape: [1001], dtype: 'int32' }], attrs: {}, exact: true }),
];

// Every stride-1, one-group convolution gradient above once more through the sparse kernels,
// forced on with its dense dy: they must be right for any dy, not only for a sparse one.
const stride1 = (a: KernelAttrs['Conv2D']): boolean => a.stride.every((v) => v === 1) && a.dilation.every((v) => v === 1) && a.groups === 1;
CASES.push(
  // …and every dense product through spmm, forced (a dense operand is the worst case, not a wrong one).
  ...CASES.filter((c) => c.kernel === 'MatMul' && !c.name.includes('sparse')).map((c): Case => ({ ...c, name: `${c.name} [spmm forced]`, sparse: 'on' })),
  ...CASES.filter((c) => (c.kernel === 'Conv2DBackpropInput' || c.kernel === 'Conv2DBackpropFilter') && !c.name.startsWith('sparse') && stride1(c.attrs as KernelAttrs['Conv2D'])).map(
    (c): Case => ({ ...c, name: `${c.name} [sparse kernels forced]`, sparse: 'on' }),
  ),
);

function absValues(values: readonly number[][], c: Case): number[][] {
  return values.map((v, i) => ((c.inputs[i]!.dtype ?? 'float32') === 'float32' ? v.map(Math.abs) : [...v]));
}

const BUILDS: KernelBuild[] = relaxedSimdSupported() ? ['fma', 'baseline'] : ['baseline'];

describe.each(BUILDS)('wasm kernels (%s build) against the float64 reference, 1 and 2 threads', (build) => {
  let one: WasmBackend;
  let two: WasmBackend;
  const oracle = new ReferenceBackend();

  beforeAll(async () => {
    one = await createWasmBackend({ threads: 1, kernels: build });
    two = await createWasmBackend({ threads: 2, kernels: build });
    expect(one.kernels).toBe(build);
  });
  afterAll(() => {
    one?.dispose();
    two?.dispose();
    oracle.dispose();
  });

  for (const c of CASES) {
    it(c.name, () => {
      const values = inputValues(c);
      const expected = runOn(oracle, c, values);
      const scale = c.scale === 'abs' ? runOn(oracle, c, absValues(values, c)) : null;
      winogradOverride.mode = c.noWinograd ? 'off' : 'auto';
      sparseConvOverride.mode = c.sparse ?? 'auto';
      sparseGemmOverride.mode = c.sparse ?? 'auto';
      let a: Values[], b: Values[];
      try {
        a = runOn(one, c, values);
        b = runOn(two, c, values);
      } finally {
        winogradOverride.mode = 'auto';
        sparseConvOverride.mode = 'auto';
        sparseGemmOverride.mode = 'auto';
      }
      const rtol = c.rtol ?? 1e-5;
      expected.forEach((e, k) => {
        const got = a[k]!;
        expect(got.length).toBe(e.length);
        let worst = 0;
        let at = -1;
        for (let i = 0; i < e.length; i++) {
          const want = c.exact ? f32(e[i]!) : e[i]!;
          if (Object.is(got[i], want) || (Number.isNaN(got[i]!) && Number.isNaN(want))) continue;
          if (c.exact) {
            at = i;
            worst = Infinity;
            break;
          }
          const s = scale ? Math.max(scale[k]![i]!, Number.MIN_VALUE) : Math.max(Math.abs(want), 1);
          const err = Math.abs(got[i]! - want) / s;
          if (!(err <= worst)) [worst, at] = [err, i];
        }
        expect(worst, `${c.name}: worst error at [${at}]: ${got[at]} vs ${e[at]}`).toBeLessThanOrEqual(c.exact ? 0 : rtol);
        // Determinism: the thread count never changes a single bit.
        const bits1 = new Uint32Array(Float32Array.from(got).buffer);
        const bits2 = new Uint32Array(Float32Array.from(b[k]!).buffer);
        expect(bits2).toEqual(bits1);
      });
    });
  }

  // The density rule: a dy of 23% nonzeros (under either build's line) goes to the sparse
  // kernels (the same bits as forced on, other bits than forced off); dense operands go to the
  // others (the reverse); 40% nonzeros go to the sparse kernels in the baseline build only.
  const at40 = sparseGrads('16→32 14×14, 40% nonzero', [8, 16, 14, 14], [32, 16, 3, 3], [1, 1, 1, 1], 0.4);
  for (const [name, sparseData] of [
    ['sparse Conv2DBackpropInput 16→32 14×14', true],
    ['sparse Conv2DBackpropFilter 1→16 28×28', true],
    ['Conv2DBackpropInput winograd 16→32', false],
    ['Conv2DBackpropFilter direct 1→16', false],
    ['sparse Conv2DBackpropInput 16→32 14×14, 40% nonzero', 0.4 < CONV_SPARSE_DENSITY[build]],
  ] as const) {
    it(`${name}: ${sparseData ? 'sparse' : 'dense'} kernels by density`, () => {
      const c = [...CASES, ...at40].find((k) => k.name === name)!;
      const values = inputValues(c);
      const bits = (mode: 'auto' | 'on' | 'off'): Uint32Array => {
        sparseConvOverride.mode = mode;
        sparseGemmOverride.mode = mode;
        try {
          return new Uint32Array(Float32Array.from(runOn(one, c, values)[0]!).buffer);
        } finally {
          sparseConvOverride.mode = 'auto';
          sparseGemmOverride.mode = 'auto';
        }
      };
      const [auto, on, off] = [bits('auto'), bits('on'), bits('off')];
      expect(on).not.toEqual(off);
      expect(auto).toEqual(sparseData ? on : off);
    });
  }

  // spmm gives the packed GEMM's bits (both sum k in order; a skipped 0·b adds nothing) except
  // where a zero meets an infinity: the GEMM's 0·∞ is NaN, spmm skips it. That tells the paths
  // apart: op(A)'s column 0 is zero and op(B)'s row 0 infinite (or the reverse for a sparse B).
  // Where the line falls depends on the build: half zeros go to spmm in the baseline build, to
  // the packed GEMM in the fma build.
  for (const [name, M, N, K, keep, sparseB] of [
    ['quarter-nonzero A', 128, 128, 256, 0.25, false],
    ['half-zero A', 128, 128, 256, 0.5, false],
    ['half-zero B (MLP dW)', 784, 256, 128, 0.5, true],
    ['dense A', 128, 256, 784, 1, false],
  ] as const) {
    const spmm = keep < GEMM_SPARSE_DENSITY[build];
    it(`MatMul, ${name}: ${spmm ? 'spmm' : 'the packed GEMM'} by density`, () => {
      const rng = new Random(seedOf(name));
      const zeroed = (rows: number, cols: number, zeroCol: boolean, density: number): number[] =>
        sparse(density)(rng, rows * cols).map((v, i) => ((zeroCol ? i % cols : Math.floor(i / cols)) === 0 ? 0 : v));
      const infinite = (rows: number, cols: number, infCol: boolean): number[] =>
        uniform(-1, 1)(rng, rows * cols).map((v, i) => ((infCol ? i % cols : Math.floor(i / cols)) === 0 ? Infinity : v));
      // A (M × K) and B (K × N), not transposed: A's column 0 meets B's row 0.
      const [a, b] = sparseB ? [infinite(M, K, true), zeroed(K, N, false, keep)] : [zeroed(M, K, true, keep), infinite(K, N, false)];
      const c = kcase({ name, kernel: 'MatMul', inputs: [{ shape: [M, K] }, { shape: [K, N] }], outputs: [{ shape: [M, N] }], attrs: { transA: false, transB: false } });
      const nans = (mode: 'auto' | 'on' | 'off'): number => {
        sparseGemmOverride.mode = mode;
        try {
          return runOn(one, c, [a, b])[0]!.filter((v) => Number.isNaN(v)).length;
        } finally {
          sparseGemmOverride.mode = 'auto';
        }
      };
      expect(nans('off')).toBe(M * N);
      expect(nans('on')).toBe(0);
      expect(nans('auto')).toBe(spmm ? 0 : M * N);
    });
  }

  // With more threads than its ranges of tiles, the Winograd filter gradient also splits rows of
  // ξ (4 threads: two groups per range); 3 threads leave one thread without a chunk.
  it('the Winograd filter gradient is bit-identical on 1, 2, 3 and 4 threads', async () => {
    const c = CASES.find((k) => k.name === 'Conv2DBackpropFilter with bias, Winograd, uneven tile ranges, 12→8')!;
    const values = inputValues(c);
    const bits = (out: Values[]): Uint32Array[] => out.map((v) => new Uint32Array(Float32Array.from(v).buffer));
    const want = bits(runOn(one, c, values));
    for (const threads of [3, 4]) {
      const backend = await createWasmBackend({ threads, kernels: build });
      try {
        expect(bits(runOn(backend, c, values)), `${threads} threads`).toEqual(want);
      } finally {
        backend.dispose();
      }
    }
  });

  // AdamUpdate writes its inputs in place, so it does not fit CASES (fresh outputs).
  it('AdamUpdate in place, split across threads with a ragged tail', () => {
    const n = 200_003;
    const rng = new Random(seedOf('AdamUpdate'));
    const inputs = [uniform(-1, 1), uniform(-1, 1), uniform(-0.1, 0.1), uniform(0, 0.01)].map((gen) => gen(rng, n));
    const attrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, stepSize: 1e-3 / (1 - 0.9 ** 5), rootCorrection: 1 / Math.sqrt(1 - 0.999 ** 5), weightDecay: 0.01 };
    const update = (backend: Backend): Values[] => {
      const [w, g, m, v] = inputs.map((values): TensorInfo => {
        const id = backend.alloc('float32', n, 'step');
        backend.write(id, values);
        return { id, shape: [n], dtype: 'float32' };
      });
      backend.run('AdamUpdate', [w!, g!, m!, v!], [w!, m!, v!], attrs);
      const out = [w!, m!, v!].map((t) => backend.readSync!(t.id));
      backend.endStep();
      return out;
    };
    const expected = update(oracle);
    const [a, b] = [update(one), update(two)];
    expected.forEach((e, k) => {
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[k]![i]! - e[i]!) / Math.max(Math.abs(e[i]!), 1e-2));
      expect(worst, `AdamUpdate output ${k}`).toBeLessThan(1e-5);
      expect(new Uint32Array(Float32Array.from(b[k]!).buffer)).toEqual(new Uint32Array(Float32Array.from(a[k]!).buffer));
    });
  });
});

describe('wasm transcendentals: relative accuracy over wide ranges, and special values', () => {
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await createWasmBackend({ threads: 1 });
  });
  afterAll(() => backend?.dispose());

  function unaryOf(op: KernelAttrs['Unary']['op'], xs: readonly number[], alpha?: number): Float32Array {
    const x = backend.alloc('float32', xs.length, 'step');
    backend.write(x, xs);
    const out = backend.alloc('float32', xs.length, 'step');
    const info = (id: typeof x) => ({ id, shape: [xs.length], dtype: 'float32' as const });
    backend.run('Unary', [info(x)], [info(out)], { op, ...(alpha === undefined ? {} : { alpha }) });
    const values = backend.readSync(out) as Float32Array;
    backend.endStep();
    return values;
  }

  /** Magnitudes 10^lo … 10^hi, log-spaced, as float32. */
  const logspace = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => f32(10 ** (lo + ((hi - lo) * i) / (n - 1))));

  const cases: [KernelAttrs['Unary']['op'], number[], (x: number) => number, number?][] = [
    ['exp', [...uniform(-87, 88)(new Random(1), 4001)], Math.exp],
    ['log', [...logspace(-44, 38, 4001)], Math.log],
    ['tanh', [...logspace(-30, 1.3, 2000), ...logspace(-30, 1.3, 2000).map((v) => -v)], Math.tanh],
    ['sigmoid', [...uniform(-87, 87)(new Random(2), 4001)], (x) => 1 / (1 + Math.exp(-x))],
    ['softplus', [...uniform(-85, 85)(new Random(3), 4001)], (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))],
    ['elu', [...logspace(-12, 1.9, 4001).map((v) => -v)], (x) => Math.expm1(x), 1],
  ];
  for (const [op, xs, exact, alpha] of cases) {
    it(`${op} within 1e-6 relative`, () => {
      const got = unaryOf(op, xs, alpha);
      let worst = 0;
      let at = 0;
      xs.forEach((x, i) => {
        const want = exact(x);
        const err = Math.abs(got[i]! - want) / Math.abs(want);
        if (err > worst) [worst, at] = [err, i];
      });
      expect(worst, `${op}(${xs[at]}) = ${got[at]}, expected ${exact(xs[at]!)}`).toBeLessThan(1e-6);
    });
  }

  it('special values', () => {
    const specials = [0, -0, Infinity, -Infinity, NaN];
    const check = (op: KernelAttrs['Unary']['op'], want: readonly number[], alpha?: number) =>
      expect(Array.from(unaryOf(op, specials, alpha)), op).toEqual(want.map(f32));
    check('exp', [1, 1, Infinity, 0, NaN]);
    check('log', [-Infinity, -Infinity, Infinity, NaN, NaN]);
    check('tanh', [0, -0, 1, -1, NaN]);
    check('sigmoid', [0.5, 0.5, 1, 0, NaN]);
    check('softplus', [Math.LN2, Math.LN2, Infinity, 0, NaN]);
    check('elu', [0, -0, Infinity, -1, NaN], 1);
    // Subnormal inputs to log are scaled into the normal range first.
    const subnormals = [1e-45, 1e-40, 1.1754942e-38].map(f32);
    unaryOf('log', subnormals).forEach((v, i) => expect(Math.abs(v / Math.log(subnormals[i]!) - 1)).toBeLessThan(1e-6));
  });
});
