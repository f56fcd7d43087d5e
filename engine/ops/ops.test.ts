// Op front-end tests: output shapes and clear errors for bad shapes, and hand-computed values
// of the composed ops (lrn, lpPool, batchNorm, dropout) that the op suite only cross-checks.

import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { fromValues, variable } from '../core/tensor.js';
import { Tape } from '../autograd/tape.js';
import * as ops from './index.js';

const b = new ReferenceBackend();
const iota = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

describe('op front-ends: shapes and errors', () => {
  it('binary ops broadcast, accept numbers, and reject int arithmetic', () => {
    const x = fromValues(b, [2, 1], [1, 2]);
    expect(ops.add(x, fromValues(b, [3], [1, 2, 3])).shape).toEqual([2, 3]);
    expect(Array.from(ops.sub(10, x).readSync())).toEqual([9, 8]);
    expect(Array.from(ops.less(x, 2).readSync())).toEqual([1, 0]);
    expect(Array.from(ops.lessEqual(x, 2).readSync())).toEqual([1, 1]);
    const ints = fromValues(b, [2], [1, 2], 'int32');
    expect(() => ops.add(ints, ints)).toThrow('add: expects a float32 tensor, got int32 (cast it first)');
    expect(() => ops.mul(x, fromValues(b, [3, 3], iota(9)))).toThrow(/mul: shapes \[2,1\] and \[3,3\] do not broadcast/);
  });

  it('matMul and conv2d check their operands', () => {
    const a = fromValues(b, [2, 3], iota(6));
    expect(() => ops.matMul(a, a)).toThrow(/matMul: inner dimensions differ: \[2,3\] · \[2,3\] \(3 vs 2\)/);
    expect(ops.matMul(a, a, { transB: true }).shape).toEqual([2, 2]);
    const x = fromValues(b, [1, 4, 5, 5], iota(100));
    expect(() => ops.conv2d(x, fromValues(b, [2, 3, 3, 3], iota(54)))).toThrow(/should have 4 input channels/);
    expect(() => ops.conv2d(x, fromValues(b, [3, 2, 3, 3], iota(54)), { groups: 2 })).toThrow(/divide into 2 groups/);
    expect(() => ops.conv2d(x, fromValues(b, [1, 4, 7, 7], iota(196)))).toThrow(/does not fit/);
    expect(ops.conv2d(x, fromValues(b, [6, 2, 3, 3], iota(108)), { groups: 2, stride: 2, pad: 1 }).shape).toEqual([1, 6, 3, 3]);
  });

  it('pooling refuses padding as large as the window', () => {
    const x = fromValues(b, [1, 1, 4, 4], iota(16));
    expect(() => ops.maxPool(x, { kernel: 2, pad: 2 })).toThrow(/each pad must be smaller than the 2×2 window/);
    expect(ops.avgPool(x, { kernel: 3, stride: 2, pad: 1 }).shape).toEqual([1, 1, 2, 2]);
  });

  it('reshape shares storage (no kernel) and infers −1', () => {
    const x = fromValues(b, [2, 3], iota(6));
    const y = ops.reshape(x, [3, -1]);
    expect(y.shape).toEqual([3, 2]);
    expect(y.id).toBe(x.id);
    expect(ops.reshape(x, [2, 3])).toBe(x);
    expect(() => ops.reshape(x, [4, -1])).toThrow(/cannot infer/);
  });

  it('slice, pad, concat, gather and oneHot shapes', () => {
    const x = fromValues(b, [2, 3, 4], iota(24));
    expect(ops.slice(x, [0, 1, 1], [-1, 2, -1]).shape).toEqual([2, 2, 3]);
    expect(() => ops.slice(x, [0, 2, 0], [1, 2, 1])).toThrow(/outside \[2,3,4\]/);
    expect(ops.pad(x, [1, 0, 0], [0, 0, 2]).shape).toEqual([3, 3, 6]);
    expect(ops.concat([x, x], -1).shape).toEqual([2, 3, 8]);
    expect(() => ops.concat([x, fromValues(b, [2, 2, 4], iota(16))], 2)).toThrow(/does not match/);
    const idx = fromValues(b, [5], [0, 1, 1, 0, 1], 'int32');
    expect(ops.gather(x, idx).shape).toEqual([5, 3, 4]);
    expect(ops.oneHot(idx, 3).shape).toEqual([5, 3]);
    expect(ops.argMax(x, 1).dtype).toBe('int32');
    expect(() => ops.gather(x, fromValues(b, [1], [0]))).toThrow(/expects int32 indices/);
  });
});

describe('composed ops: hand-computed values', () => {
  it('lrn follows the catalog formula (α not divided by size)', () => {
    // One pixel, channels [1, 2, 3], size 3, α = 1, β = 1, k = 1:
    // c0: 1/(1 + 1 + 4), c1: 2/(1 + 1 + 4 + 9), c2: 3/(1 + 4 + 9).
    const x = fromValues(b, [1, 3, 1, 1], [1, 2, 3]);
    const y = Array.from(ops.lrn(x, { size: 3, alpha: 1, beta: 1, k: 1 }).readSync());
    [1 / 6, 2 / 15, 3 / 14].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 14));
    // Even size 2: the extra channel goes after — c covers c and c + 1.
    const even = Array.from(ops.lrn(x, { size: 2, alpha: 1, beta: 1, k: 0 }).readSync());
    [1 / 5, 2 / 13, 3 / 9].forEach((v, i) => expect(even[i]).toBeCloseTo(v, 14));
  });

  it('lpPool is the p-norm of each window; padding adds nothing', () => {
    const x = fromValues(b, [1, 1, 2, 2], [3, -4, 0, 0]);
    expect(Array.from(ops.lpPool(x, 2, { kernel: 2 }).readSync())[0]).toBeCloseTo(5, 14);
    expect(Array.from(ops.lpPool(x, 1, { kernel: 2 }).readSync())[0]).toBeCloseTo(7, 14);
    const padded = Array.from(ops.lpPool(x, 2, { kernel: 2, stride: 1, pad: 1 }).readSync());
    expect(padded).toHaveLength(9);
    [3, 5, 4, 3, 5, 4, 0, 0, 0].forEach((v, i) => expect(padded[i]).toBeCloseTo(v, 14));
  });

  it('lpPool of an all-zero window has output 0 and gradient 0, not NaN', () => {
    const x = variable(b, [1, 1, 2, 2], [0, 0, 0, 0]);
    const tape = new Tape();
    const y = tape.record(() => ops.lpPool(x, 2, { kernel: 2 }));
    expect(Array.from(y.readSync())).toEqual([0]);
    expect(Array.from(tape.backward(y).get(x)!.readSync())).toEqual([0, 0, 0, 0]);
  });

  it('batchNorm in training normalises each channel and returns the batch statistics', () => {
    const x = fromValues(b, [2, 2, 1, 2], [1, 3, 10, 20, 5, 7, 30, 40]);
    const { y, mean, variance } = ops.batchNorm(x, fromValues(b, [2], [1, 1]), fromValues(b, [2], [0, 0]), { epsilon: 0 });
    expect(Array.from(mean.readSync())).toEqual([4, 25]);
    expect(Array.from(variance.readSync())).toEqual([5, 125]);
    const v = Array.from(y.readSync());
    const channel0 = [v[0]!, v[1]!, v[4]!, v[5]!];
    expect(channel0.reduce((s, t) => s + t, 0)).toBeCloseTo(0, 14);
    expect(channel0.reduce((s, t) => s + t * t, 0) / 4).toBeCloseTo(1, 14);
  });

  it('batchNorm at inference uses the given statistics, then scale and shift', () => {
    const x = fromValues(b, [1, 2], [3, 3]);
    const { y } = ops.batchNorm(x, fromValues(b, [2], [2, 1]), fromValues(b, [2], [1, -1]), {
      mean: fromValues(b, [2], [1, 5]),
      variance: fromValues(b, [2], [4, 1]),
      epsilon: 0,
    });
    expect(Array.from(y.readSync())).toEqual([2 * ((3 - 1) / 2) + 1, 1 * ((3 - 5) / 1) - 1]);
  });

  it('dropout scales survivors by 1/(1 − rate) and is the identity at rate 0', () => {
    const x = fromValues(b, [1000], new Array<number>(1000).fill(2));
    expect(ops.dropout(x, 0, 1)).toBe(x);
    const y = Array.from(ops.dropout(x, 0.75, 5).readSync());
    expect(new Set(y)).toEqual(new Set([0, 8]));
    expect(() => ops.dropout(x, 1, 5)).toThrow(/rate must be in \[0, 1\)/);
  });
});
