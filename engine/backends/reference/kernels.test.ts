// Independent checks of the oracle's kernels. The op suite compares every backend with
// `reference`, and finite differences tie each gradient kernel to its forward kernel, but
// neither can see a forward kernel that is wrong in a self-consistent way. These tests pin the
// forward kernels to hand-computed values and to structural identities (padding = explicit pad,
// dilation = a zero-stuffed kernel, groups = separate convolutions, stride = subsampling).

import { describe, expect, it } from 'vitest';
import type { ConvAttrs, DType, KernelAttrs, KernelName, PoolAttrs } from '../backend.js';
import { uniformAt } from '../../core/random.js';
import { ReferenceBackend } from './reference.js';

const backend = new ReferenceBackend();

function tensor(shape: number[], values: readonly number[], dtype: DType = 'float32') {
  const id = backend.alloc(dtype, values.length, 'step');
  backend.write(id, values);
  return { id, shape, dtype };
}

function run<K extends KernelName>(kernel: K, inputs: ReturnType<typeof tensor>[], shape: number[], attrs: KernelAttrs[K], dtype: DType = 'float32'): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = { id: backend.alloc(dtype, size, 'step'), shape, dtype };
  backend.run(kernel, inputs, [out], attrs);
  return Array.from(backend.readSync(out.id));
}

const iota = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);
const conv = (stride = 1, pad: ConvAttrs['pad'] = [0, 0, 0, 0], dilation = 1, groups = 1): ConvAttrs => ({
  stride: [stride, stride],
  pad,
  dilation: [dilation, dilation],
  groups,
});
const pool = (kind: 'max' | 'avg', k: number, stride: number, pad: PoolAttrs['pad'] = [0, 0, 0, 0]): PoolAttrs => ({
  kind,
  kernel: [k, k],
  stride: [stride, stride],
  pad,
});

/** Deterministic pseudo-random values in [−1, 1). */
const noise = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 2 * uniformAt(seed, i) - 1);

describe('reference elementwise kernels', () => {
  it('Unary: stable sigmoid and softplus at the extremes, NaN through relu', () => {
    const x = tensor([5], [-1000, -1, 0, 1, 1000]);
    expect(run('Unary', [x], [5], { op: 'sigmoid' })).toEqual([0, 1 / (1 + Math.E), 0.5, 1 / (1 + Math.exp(-1)), 1]);
    const sp = run('Unary', [x], [5], { op: 'softplus' });
    expect(sp[0]).toBe(0);
    expect(sp[2]).toBeCloseTo(Math.LN2, 15);
    expect(sp[4]).toBe(1000);
    expect(run('Unary', [tensor([2], [NaN, -1])], [2], { op: 'relu' })).toEqual([NaN, 0]);
  });

  it('Unary: parameterised ops', () => {
    const x = tensor([4], [-2, -0.5, 0.5, 2]);
    expect(run('Unary', [x], [4], { op: 'scale', alpha: 3, beta: 1 })).toEqual([-5, -0.5, 2.5, 7]);
    expect(run('Unary', [x], [4], { op: 'clip', alpha: -1, beta: 1 })).toEqual([-1, -0.5, 0.5, 1]);
    expect(run('Unary', [x], [4], { op: 'leakyRelu', alpha: 0.1 })).toEqual([-0.2, -0.05, 0.5, 2]);
    expect(run('Unary', [x], [4], { op: 'elu', alpha: 2 })).toEqual([2 * Math.expm1(-2), 2 * Math.expm1(-0.5), 0.5, 2]);
    expect(run('Unary', [x], [4], { op: 'pow', alpha: 2 })).toEqual([4, 0.25, 0.25, 4]);
    expect(run('Unary', [x], [4], { op: 'step' })).toEqual([0, 0, 1, 1]);
    expect(() => run('Unary', [x], [4], { op: 'pow' })).toThrow(/needs alpha/);
  });

  it('Binary: NumPy broadcasting of a column against a row', () => {
    const col = tensor([2, 1], [1, 2]);
    const row = tensor([3], [10, 20, 30]);
    expect(run('Binary', [col, row], [2, 3], { op: 'add' })).toEqual([11, 21, 31, 12, 22, 32]);
    expect(run('Binary', [row, col], [2, 3], { op: 'sub' })).toEqual([9, 19, 29, 8, 18, 28]);
    expect(run('Binary', [col, tensor([], [2])], [2, 1], { op: 'greaterEqual' })).toEqual([0, 1]);
    expect(run('Binary', [col, tensor([], [2])], [2, 1], { op: 'equal' })).toEqual([0, 1]);
  });

  it('Cast truncates toward zero; Fill and Copy', () => {
    expect(run('Cast', [tensor([4], [-2.7, -0.5, 0.5, 2.7])], [4], {}, 'int32')).toEqual([-2, 0, 0, 2]);
    expect(run('Fill', [], [3], { value: 4 }, 'int32')).toEqual([4, 4, 4]);
    expect(run('Copy', [tensor([2], [0.1, 0.2])], [2], {})).toEqual([0.1, 0.2]);
  });

  it('RandomUniform is uniformAt(seed, offset + i), rounded to float32', () => {
    expect(run('RandomUniform', [], [4], { seed: 9, offset: 100 })).toEqual([100, 101, 102, 103].map((c) => Math.fround(uniformAt(9, c))));
  });
});

describe('reference reductions', () => {
  const x = tensor([2, 3, 4], iota(24, 0));

  it('Reduce sum over several axes, with and without keepDims', () => {
    // Σ over axes 0 and 2 of x[i,j,k] = 12i + 4j + k: for each j, 2·4 terms.
    const expected = [0, 1, 2].map((j) => [0, 1].reduce((s, i) => s + [0, 1, 2, 3].reduce((t, k) => t + 12 * i + 4 * j + k, 0), 0));
    expect(run('Reduce', [x], [3], { op: 'sum', axes: [0, 2], keepDims: false })).toEqual(expected);
    expect(run('Reduce', [x], [1, 3, 1], { op: 'sum', axes: [0, 2], keepDims: true })).toEqual(expected);
    expect(run('Reduce', [x], [], { op: 'sum', axes: [0, 1, 2], keepDims: false })).toEqual([276]);
  });

  it('Reduce max/min and ArgMax (first index on ties)', () => {
    expect(run('Reduce', [x], [2], { op: 'max', axes: [1, 2], keepDims: false })).toEqual([11, 23]);
    expect(run('Reduce', [x], [4], { op: 'min', axes: [0, 1], keepDims: false })).toEqual([0, 1, 2, 3]);
    expect(run('ArgMax', [tensor([2, 4], [1, 3, 3, 0, 5, 5, 5, 5])], [2], { axis: 1 }, 'int32')).toEqual([1, 0]);
    expect(run('ArgMax', [x], [2, 4], { axis: 1 }, 'int32')).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
  });

  it('Softmax and LogSoftmax along the last axis, stable for large logits', () => {
    const sm = run('Softmax', [tensor([1, 3], [0, Math.log(2), Math.log(3)])], [1, 3], {});
    [1 / 6, 2 / 6, 3 / 6].forEach((v, i) => expect(sm[i]).toBeCloseTo(v, 15));
    expect(run('LogSoftmax', [tensor([2, 2], [1000, 1000, -1000, -1000])], [2, 2], {})).toEqual(Array(4).fill(-Math.LN2));
  });
});

describe('reference MatMul', () => {
  it('multiplies, with each operand optionally transposed', () => {
    const a = tensor([2, 2], [1, 2, 3, 4]);
    const b = tensor([2, 2], [5, 6, 7, 8]);
    expect(run('MatMul', [a, b], [2, 2], { transA: false, transB: false })).toEqual([19, 22, 43, 50]);
    // aᵀ = [[1,3],[2,4]], bᵀ = [[5,7],[6,8]].
    expect(run('MatMul', [a, b], [2, 2], { transA: true, transB: false })).toEqual([26, 30, 38, 44]);
    expect(run('MatMul', [a, b], [2, 2], { transA: false, transB: true })).toEqual([17, 23, 39, 53]);
    expect(run('MatMul', [a, b], [2, 2], { transA: true, transB: true })).toEqual([23, 31, 34, 46]);
    expect(() => run('MatMul', [a, tensor([3, 1], [1, 2, 3])], [2, 1], { transA: false, transB: false })).toThrow(/inner dimensions/);
  });
});

describe('reference Conv2D', () => {
  it('computes a hand example (cross-correlation, not convolution)', () => {
    // w = [[1,0],[0,−1]]: y[i,j] = x[i,j] − x[i+1,j+1] = −4 for x = 1..9 in rows.
    expect(run('Conv2D', [tensor([1, 1, 3, 3], iota(9)), tensor([1, 1, 2, 2], [1, 0, 0, -1])], [1, 1, 2, 2], conv())).toEqual([-4, -4, -4, -4]);
    // w = [[0,1],[0,0]] picks the top-right tap: y[i,j] = x[i,j+1].
    expect(run('Conv2D', [tensor([1, 1, 3, 3], iota(9)), tensor([1, 1, 2, 2], [0, 1, 0, 0])], [1, 1, 2, 2], conv())).toEqual([2, 3, 5, 6]);
  });

  const x = tensor([2, 4, 6, 7], noise(2 * 4 * 6 * 7, 1));

  it('padding equals an explicit zero Pad followed by an unpadded convolution', () => {
    const w = tensor([3, 4, 3, 3], noise(3 * 4 * 9, 2));
    const padded = tensor([2, 4, 9, 9], run('Pad', [x], [2, 4, 9, 9], { before: [0, 0, 1, 1], value: 0 }));
    expect(run('Conv2D', [x, w], [2, 3, 7, 7], conv(1, [1, 2, 1, 1]))).toEqual(run('Conv2D', [padded, w], [2, 3, 7, 7], conv()));
  });

  it('dilation 2 equals the zero-stuffed 5×5 kernel', () => {
    const small = noise(2 * 4 * 9, 3);
    const stuffed = new Array<number>(2 * 4 * 25).fill(0);
    for (let fc = 0; fc < 8; fc++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) stuffed[fc * 25 + 2 * i * 5 + 2 * j] = small[fc * 9 + i * 3 + j]!;
    const dilated = run('Conv2D', [x, tensor([2, 4, 3, 3], small)], [2, 2, 2, 3], conv(1, [0, 0, 0, 0], 2));
    const plain = run('Conv2D', [x, tensor([2, 4, 5, 5], stuffed)], [2, 2, 2, 3], conv());
    dilated.forEach((v, i) => expect(v).toBeCloseTo(plain[i]!, 14));
  });

  it('groups 2 equals two separate convolutions over the channel halves', () => {
    const w = noise(6 * 2 * 9, 4);
    const grouped = run('Conv2D', [x, tensor([6, 2, 3, 3], w)], [2, 6, 4, 5], conv(1, [0, 0, 0, 0], 1, 2));
    const half = (g: number) => {
      const xs = tensor([2, 2, 6, 7], run('Slice', [x], [2, 2, 6, 7], { begin: [0, 2 * g, 0, 0] }));
      return run('Conv2D', [xs, tensor([3, 2, 3, 3], w.slice(g * 54, (g + 1) * 54))], [2, 3, 4, 5], conv());
    };
    const joined = run('Concat', [tensor([2, 3, 4, 5], half(0)), tensor([2, 3, 4, 5], half(1))], [2, 6, 4, 5], { axis: 1 });
    expect(grouped).toEqual(joined);
  });

  it('stride 2 equals the stride-1 output at even positions', () => {
    const w = tensor([2, 4, 3, 3], noise(2 * 4 * 9, 5));
    const dense = run('Conv2D', [x, w], [2, 2, 4, 5], conv());
    const strided = run('Conv2D', [x, w], [2, 2, 2, 3], conv(2));
    const picked: number[] = [];
    for (let p = 0; p < 4; p++) for (let i = 0; i < 4; i += 2) for (let j = 0; j < 5; j += 2) picked.push(dense[p * 20 + i * 5 + j]!);
    expect(strided).toEqual(picked);
  });

  it('the backprops are the adjoints of the forward: <conv(x), dy> = <x, dx> = <w, dw>', () => {
    const attrs = conv(2, [1, 0, 0, 1], 2, 2);
    const w = tensor([4, 2, 2, 3], noise(4 * 2 * 6, 6));
    const y = run('Conv2D', [x, w], [2, 4, 2, 3], attrs);
    const dy = tensor([2, 4, 2, 3], noise(48, 7));
    const dx = run('Conv2DBackpropInput', [dy, w], [2, 4, 6, 7], attrs);
    const dw = run('Conv2DBackpropFilter', [x, dy], [4, 2, 2, 3], attrs);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);
    const lhs = dot(y, backend.readSync(dy.id));
    expect(dot(backend.readSync(x.id), dx)).toBeCloseTo(lhs, 12);
    expect(dot(backend.readSync(w.id), dw)).toBeCloseTo(lhs, 12);
  });
});

describe('reference pooling', () => {
  const x = tensor([1, 1, 3, 3], iota(9));

  it('avg divides by the window positions inside the image', () => {
    // Corner (1+2+4+5)/4, edge (1+…+6)/6, centre 5.
    expect(run('Pool', [x], [1, 1, 3, 3], pool('avg', 3, 1, [1, 1, 1, 1]))).toEqual([3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7]);
  });

  it('max never picks padding, even when every value is negative', () => {
    const negative = tensor([1, 1, 3, 3], iota(9).map((v) => -v));
    expect(run('Pool', [negative], [1, 1, 2, 2], pool('max', 2, 2, [0, 1, 0, 1]))).toEqual([-1, -3, -7, -9]);
  });

  it('MaxPoolBackprop sends each window to its first maximum', () => {
    const flat = tensor([1, 1, 2, 4], [1, 1, 1, 1, 1, 1, 1, 1]);
    const dy = tensor([1, 1, 1, 2], [10, 20]);
    expect(run('MaxPoolBackprop', [dy, flat], [1, 1, 2, 4], pool('max', 2, 2))).toEqual([10, 0, 20, 0, 0, 0, 0, 0]);
    // Overlapping windows accumulate into a shared maximum.
    const peak = tensor([1, 1, 1, 3], [0, 5, 0]);
    const dy2 = tensor([1, 1, 1, 2], [1, 2]);
    expect(run('MaxPoolBackprop', [dy2, peak], [1, 1, 1, 3], { kind: 'max', kernel: [1, 2], stride: [1, 1], pad: [0, 0, 0, 0] })).toEqual([0, 3, 0]);
  });

  it('AvgPoolBackprop shares dy over the positions inside the image', () => {
    const dy = tensor([1, 1, 2, 2], [4, 8, 12, 16]);
    // 2×2 windows, stride 2, one row/column of padding after: the windows hold 4, 2, 2, 1 cells.
    expect(run('AvgPoolBackprop', [dy], [1, 1, 3, 3], pool('avg', 2, 2, [0, 1, 0, 1]))).toEqual([1, 1, 4, 1, 1, 4, 6, 6, 16]);
  });
});

describe('reference data movement', () => {
  const x = tensor([2, 3], iota(6));

  it('Transpose, Slice, Pad, Concat', () => {
    expect(run('Transpose', [x], [3, 2], { perm: [1, 0] })).toEqual([1, 4, 2, 5, 3, 6]);
    const x3 = tensor([2, 3, 4], iota(24, 0));
    // out[k,i,j] = x[i,j,k] for perm [2,0,1].
    expect(run('Transpose', [x3], [4, 2, 3], { perm: [2, 0, 1] }).slice(0, 6)).toEqual([0, 4, 8, 12, 16, 20]);
    expect(run('Slice', [x], [1, 2], { begin: [1, 1] })).toEqual([5, 6]);
    expect(run('Pad', [x], [3, 4], { before: [1, 0], value: -1 })).toEqual([-1, -1, -1, -1, 1, 2, 3, -1, 4, 5, 6, -1]);
    expect(run('Concat', [x, tensor([2, 1], [7, 8])], [2, 4], { axis: 1 })).toEqual([1, 2, 3, 7, 4, 5, 6, 8]);
    expect(run('Concat', [x, tensor([1, 3], [7, 8, 9])], [3, 3], { axis: 0 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('Gather, ScatterAdd (repeated rows add up) and OneHot', () => {
    const rows = tensor([3, 2], [1, 2, 3, 4, 5, 6]);
    const idx = tensor([2, 2], [2, 0, 2, 2], 'int32');
    expect(run('Gather', [rows, idx], [2, 2, 2], {})).toEqual([5, 6, 1, 2, 5, 6, 5, 6]);
    expect(run('ScatterAdd', [tensor([3, 2], [1, 1, 2, 2, 3, 3]), tensor([3], [2, 0, 2], 'int32')], [4, 2], {})).toEqual([2, 2, 0, 0, 4, 4, 0, 0]);
    expect(run('OneHot', [tensor([3], [1, -1, 3], 'int32')], [3, 3], { depth: 3 })).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => run('Gather', [rows, tensor([1], [3], 'int32')], [1, 2], {})).toThrow(/index 3 is outside \[0, 3\)/);
  });
});

describe('reference lifetimes and memory', () => {
  it('throws a clear error when step storage is used after endStep()', () => {
    const b = new ReferenceBackend();
    const id = b.alloc('float32', 4, 'step');
    b.endStep();
    expect(() => b.readSync(id)).toThrow(/used after endStep\(\)/);
    expect(() => b.write(id, [1, 2, 3, 4])).toThrow(/used after endStep\(\)/);
  });

  it('keeps persistent storage across endStep() until free(), then throws on use', () => {
    const b = new ReferenceBackend();
    const id = b.alloc('float32', 2, 'persistent');
    b.write(id, [1, 2]);
    b.endStep();
    expect(Array.from(b.readSync(id))).toEqual([1, 2]);
    b.free(id);
    expect(() => b.readSync(id)).toThrow(/already freed/);
    expect(() => b.free(id)).toThrow(/already freed/);
  });

  it('refuses to free step storage one by one', () => {
    const b = new ReferenceBackend();
    expect(() => b.free(b.alloc('float32', 1, 'step'))).toThrow(/reclaimed by endStep/);
  });

  it('reports live bytes: float32 as float64 (8 bytes), int32 as 4', () => {
    const b = new ReferenceBackend();
    b.alloc('float32', 10, 'persistent');
    b.alloc('int32', 10, 'step');
    expect(b.memoryBytes()).toBe(120);
    b.endStep();
    expect(b.memoryBytes()).toBe(80);
    b.dispose();
    expect(b.memoryBytes()).toBe(0);
    expect(() => b.alloc('float32', 1, 'step')).toThrow(/disposed/);
  });

  it('checks values and shapes at the boundary', () => {
    const b = new ReferenceBackend();
    const ints = b.alloc('int32', 2, 'step');
    expect(() => b.write(ints, [1.5, 2])).toThrow(/not an int32/);
    expect(() => b.write(ints, [1])).toThrow(/1 values into 2/);
    const out = b.alloc('float32', 3, 'step');
    expect(() => b.run('Fill', [], [{ id: out, shape: [2, 2], dtype: 'float32' }], { value: 0 })).toThrow(/does not match the 3 elements/);
  });
});
