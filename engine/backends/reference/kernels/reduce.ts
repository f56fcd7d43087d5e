// Reference reductions: Reduce (sum/max/min over any axes), ArgMax, and the last-axis
// Softmax/LogSoftmax. Accumulation is float64, in index order.

import { check, strides, unravel, type Kernel } from './buffer.js';

export const reduceKernel: Kernel<'Reduce'> = ([x], [out], { op, axes }) => {
  const shape = x!.shape;
  const reduced = new Array<boolean>(shape.length).fill(false);
  for (const a of axes) {
    check(Number.isInteger(a) && a >= 0 && a < shape.length, `Reduce: axis ${a} out of range for rank ${shape.length}`);
    reduced[a] = true;
  }
  // Output strides over the kept axes, in order (keepDims only inserts 1s, so the layout is the same).
  const kept = shape.filter((_, k) => !reduced[k]);
  const keptStrides = strides(kept);
  const outStrideOfAxis = new Array<number>(shape.length).fill(0);
  for (let k = 0, j = 0; k < shape.length; k++) if (!reduced[k]) outStrideOfAxis[k] = keptStrides[j++]!;

  const dst = out!.data;
  check(dst.length === kept.reduce((p, d) => p * d, 1), `Reduce: output has ${dst.length} elements`);
  const initial = op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
  dst.fill(initial);
  const coords = new Array<number>(shape.length).fill(0);
  const src = x!.data;
  for (let i = 0; i < src.length; i++) {
    unravel(i, shape, coords);
    let o = 0;
    for (let k = 0; k < shape.length; k++) o += coords[k]! * outStrideOfAxis[k]!;
    const v = src[i]!;
    // Math.max / Math.min propagate NaN, so a NaN anywhere shows in the result.
    dst[o] = op === 'sum' ? dst[o]! + v : op === 'max' ? Math.max(dst[o]!, v) : Math.min(dst[o]!, v);
  }
};

/** Splits a shape around `axis` into (outer, axis length, inner) for axis-wise loops. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k]!;
  for (let k = axis + 1; k < shape.length; k++) inner *= shape[k]!;
  return [outer, shape[axis]!, inner];
}

/** First index of the maximum along `axis` (ties go to the lowest index). */
export const argMaxKernel: Kernel<'ArgMax'> = ([x], [out], { axis }) => {
  check(axis >= 0 && axis < x!.shape.length, `ArgMax: axis ${axis} out of range`);
  const [outer, n, inner] = around(x!.shape, axis);
  const src = x!.data;
  const dst = out!.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0;
      let bestValue = src[base]!;
      for (let k = 1; k < n; k++) {
        const v = src[base + k * inner]!;
        if (v > bestValue) {
          best = k;
          bestValue = v;
        }
      }
      dst[o * inner + i] = best;
    }
  }
};

function softmaxRows(x: Float64Array | Int32Array, dst: Float64Array | Int32Array, n: number, log: boolean): void {
  for (let row = 0; row < x.length / n; row++) {
    const base = row * n;
    let max = -Infinity;
    for (let k = 0; k < n; k++) max = Math.max(max, x[base + k]!);
    let sum = 0;
    for (let k = 0; k < n; k++) sum += Math.exp(x[base + k]! - max);
    const logSum = Math.log(sum);
    for (let k = 0; k < n; k++) {
      const shifted = x[base + k]! - max;
      dst[base + k] = log ? shifted - logSum : Math.exp(shifted) / sum;
    }
  }
}

export const softmaxKernel: Kernel<'Softmax'> = ([x], [out]) => {
  const shape = x!.shape;
  check(shape.length > 0, 'Softmax: needs at least one axis');
  softmaxRows(x!.data, out!.data, shape[shape.length - 1]!, false);
};

export const logSoftmaxKernel: Kernel<'LogSoftmax'> = ([x], [out]) => {
  const shape = x!.shape;
  check(shape.length > 0, 'LogSoftmax: needs at least one axis');
  softmaxRows(x!.data, out!.data, shape[shape.length - 1]!, true);
};

/** Shape checks shared by the two softmax cross-entropy kernels: [N, K] rows and N labels. */
function crossEntropyShape(kernel: string, x: { shape: readonly number[] }, labels: { shape: readonly number[]; dtype: string }): [number, number] {
  check(x.shape.length === 2, `${kernel}: expects [N, K] rows, got [${x.shape.join(', ')}]`);
  const [n, k] = x.shape as [number, number];
  check(labels.dtype === 'int32' && labels.shape.length === 1 && labels.shape[0] === n, `${kernel}: labels must be int32 [${n}]`);
  return [n, k];
}

export const softmaxCrossEntropyKernel: Kernel<'SoftmaxCrossEntropy'> = ([x, labels], [loss, probabilities]) => {
  const [n, k] = crossEntropyShape('SoftmaxCrossEntropy', x!, labels!);
  softmaxRows(x!.data, probabilities!.data, k, false);
  let total = 0;
  for (let row = 0; row < n; row++) {
    const label = labels!.data[row]!;
    if (label < 0 || label >= k) continue;
    const base = row * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, x!.data[base + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(x!.data[base + j]! - max);
    total += x!.data[base + label]! - max - Math.log(sum);
  }
  loss!.data[0] = n === 0 ? 0 : -total / n;
};

export const softmaxCrossEntropyBackpropKernel: Kernel<'SoftmaxCrossEntropyBackprop'> = ([probabilities, labels, dy], [dx]) => {
  const [n, k] = crossEntropyShape('SoftmaxCrossEntropyBackprop', probabilities!, labels!);
  const scale = dy!.data[0]! / n;
  for (let row = 0; row < n; row++) {
    const label = labels!.data[row]!;
    const valid = label >= 0 && label < k;
    for (let j = 0; j < k; j++) {
      const i = row * k + j;
      dx!.data[i] = valid ? (probabilities!.data[i]! - (j === label ? 1 : 0)) * scale : 0;
    }
  }
};
