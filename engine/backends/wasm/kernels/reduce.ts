// Host side of Reduce, ArgMax, Softmax, LogSoftmax and softmax cross-entropy. A reduction is
// collapsed to [kept, reduced] (row sums), [reduced, kept] or [outer, reduced, inner] (column
// sums); any other pattern is first permuted so the reduced dims come last. Threads split the
// outputs.

import type { KernelAttrs, ReduceOp, TensorInfo } from '../../backend.js';
import type { KernelContext } from '../context.js';
import { sizeOf, stridesOf } from '../shapes.js';
import { permuteInto } from './movement.js';

const REDUCE_OPS = ['sum', 'max', 'min'] as const satisfies readonly ReduceOp[];
/** Input elements per thread below which a reduction stays on the calling thread. */
const GRAIN = 32_768;

export function Reduce(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['Reduce']): void {
  const [xi] = inputs;
  const [oi] = outputs;
  if (!xi || !oi) throw new Error('wasm backend: Reduce needs one input and one output');
  const rank = xi.shape.length;
  const axes = new Set(attrs.axes.map((a) => (a < 0 ? a + rank : a)));
  for (const a of axes) if (a < 0 || a >= rank) throw new Error(`wasm backend: Reduce axis ${a} out of range for rank ${rank}`);
  const x = ctx.storage(xi);
  const out = ctx.storage(oi);
  const keptSize = sizeOf(xi.shape.filter((_, i) => !axes.has(i)));
  if (out.size !== keptSize) throw new Error(`wasm backend: Reduce output has ${out.size} elements, expected ${keptSize}`);
  if (x.dtype !== 'float32' || out.dtype !== 'float32') return jsReduce(ctx, attrs.op, xi, oi, axes);
  const op = REDUCE_OPS.indexOf(attrs.op);

  // Groups of neighbouring dims with the same role, size-1 dims dropped.
  const groups: { reduced: boolean; size: number }[] = [];
  xi.shape.forEach((d, i) => {
    if (d === 1) return;
    const reduced = axes.has(i);
    const last = groups.at(-1);
    if (last && last.reduced === reduced) last.size *= d;
    else groups.push({ reduced, size: d });
  });
  const pattern = groups.map((g) => (g.reduced ? 'R' : 'K')).join('');
  const size = (k: number) => groups[k]!.size;
  switch (pattern) {
    case '':
    case 'K':
      ctx.ex.copyBytes(out.ptr, x.ptr, x.size * 4);
      return;
    case 'R':
      ctx.ex.reduceRows(op, x.ptr, out.ptr, size(0), 0, 1);
      return;
    case 'KR':
      rows(ctx, op, x.ptr, out.ptr, size(0), size(1));
      return;
    case 'RK':
      middle(ctx, op, x.ptr, out.ptr, 1, size(0), size(1));
      return;
    case 'KRK':
      middle(ctx, op, x.ptr, out.ptr, size(0), size(1), size(2));
      return;
  }
  // Anything else: permute kept dims first, reduced dims last, then reduce rows.
  const dims = xi.shape.map((d, i) => ({ d, i }));
  const perm = [...dims.filter((e) => !axes.has(e.i)), ...dims.filter((e) => axes.has(e.i))].map((e) => e.i);
  const tmp = ctx.workspace(x.size * 4);
  permuteInto(ctx, x.ptr, xi.shape, perm, tmp);
  rows(ctx, op, tmp, out.ptr, keptSize, x.size / keptSize);
}

function rows(ctx: KernelContext, op: number, x: number, out: number, count: number, len: number): void {
  ctx.parallelRange('reduceRows', count, ctx.chunksFor(count * len, GRAIN, count), 1, (r0, r1) => [op, x, out, len, r0, r1]);
}

function middle(ctx: KernelContext, op: number, x: number, out: number, outer: number, R: number, inner: number): void {
  const parts = ctx.chunksFor(outer * R * inner, GRAIN);
  if (outer >= parts) {
    ctx.parallelRange('reduceMiddle', outer, parts, 1, (o0, o1) => [op, x, out, R, inner, o0, o1, 0, inner]);
  } else {
    // Few outer rows (a bias gradient: [batch, features] summed over the batch): split columns.
    ctx.parallelRange('reduceMiddle', inner, ctx.chunksFor(outer * R * inner, GRAIN, Math.floor(inner / 4)), 4, (j0, j1) => [op, x, out, R, inner, 0, outer, j0, j1]);
  }
}

/** [outer, R, inner] around `axis`. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

export function ArgMax(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['ArgMax']): void {
  const [xi] = inputs;
  const [oi] = outputs;
  if (!xi || !oi) throw new Error('wasm backend: ArgMax needs one input and one output');
  const rank = xi.shape.length;
  const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  if (axis < 0 || axis >= rank) throw new Error(`wasm backend: ArgMax axis ${attrs.axis} out of range for rank ${rank}`);
  const [outer, R, inner] = around(xi.shape, axis);
  const x = ctx.storage(xi);
  const out = ctx.storage(oi);
  if (out.size !== outer * inner) throw new Error(`wasm backend: ArgMax output has ${out.size} elements, expected ${outer * inner}`);
  if (x.dtype !== 'float32') {
    const xs = x.dtype === 'int32' ? ctx.i32 : ctx.f32;
    const os = out.dtype === 'int32' ? ctx.i32 : ctx.f32;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        let best = -Infinity;
        let at = 0;
        for (let r = 0; r < R; r++) {
          const v = xs[(x.ptr >>> 2) + (o * R + r) * inner + j]!;
          if (v > best) [best, at] = [v, r];
        }
        os[(out.ptr >>> 2) + o * inner + j] = at;
      }
    }
    return;
  }
  ctx.parallelRange('argMax', outer, ctx.chunksFor(x.size, GRAIN, outer), 1, (o0, o1) => [x.ptr, out.ptr, R, inner, o0, o1]);
}

function softmax(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], log: boolean): void {
  const [xi] = inputs;
  const [oi] = outputs;
  if (!xi || !oi) throw new Error('wasm backend: Softmax needs one input and one output');
  const x = ctx.storage(xi);
  const out = ctx.storage(oi);
  if (out.size !== x.size) throw new Error('wasm backend: Softmax output size differs from its input');
  const len = xi.shape.at(-1) ?? 1;
  const count = len === 0 ? 0 : x.size / len;
  ctx.parallelRange('softmaxRows', count, ctx.chunksFor(x.size, GRAIN / 4, count), 1, (r0, r1) => [x.ptr, out.ptr, len, r0, r1, log ? 1 : 0]);
}

export function Softmax(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): void {
  softmax(ctx, inputs, outputs, false);
}

export function LogSoftmax(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): void {
  softmax(ctx, inputs, outputs, true);
}

/** Reductions with an int32 operand, in plain JS. */
function jsReduce(ctx: KernelContext, op: ReduceOp, xi: TensorInfo, oi: TensorInfo, axes: ReadonlySet<number>): void {
  const x = ctx.storage(xi);
  const out = ctx.storage(oi);
  const xs = x.dtype === 'int32' ? ctx.i32 : ctx.f32;
  const os = out.dtype === 'int32' ? ctx.i32 : ctx.f32;
  const strides = stridesOf(xi.shape);
  const keptShape = xi.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const keptStrides = stridesOf(keptShape);
  const acc = new Float64Array(out.size).fill(op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity);
  for (let i = 0; i < x.size; i++) {
    let o = 0;
    let rem = i;
    for (let d = 0; d < strides.length; d++) {
      const q = Math.floor(rem / strides[d]!);
      rem -= q * strides[d]!;
      if (!axes.has(d)) o += q * keptStrides[d]!;
    }
    const v = xs[(x.ptr >>> 2) + i]!;
    acc[o] = op === 'sum' ? acc[o]! + v : op === 'max' ? Math.max(acc[o]!, v) : Math.min(acc[o]!, v);
  }
  for (let o = 0; o < out.size; o++) os[(out.ptr >>> 2) + o] = acc[o]!;
}

/** [N, K] float32 rows and int32 [N] labels, as both softmax cross-entropy kernels take them. */
function crossEntropyOperands(kernel: string, xi: TensorInfo | undefined, li: TensorInfo | undefined): [number, number] {
  if (!xi || !li) throw new Error(`wasm backend: ${kernel} needs rows and labels`);
  if (xi.shape.length !== 2 || xi.dtype !== 'float32') throw new Error(`wasm backend: ${kernel} expects float32 [N, K] rows, got [${xi.shape.join(', ')}]`);
  const [n, k] = xi.shape as [number, number];
  if (li.dtype !== 'int32' || li.shape.length !== 1 || li.shape[0] !== n) throw new Error(`wasm backend: ${kernel} labels must be int32 [${n}]`);
  return [n, k];
}

/** Softmax cross-entropy forward: one call on this thread (see assembly/reduce.ts). */
export function SoftmaxCrossEntropy(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): void {
  const [n, k] = crossEntropyOperands('SoftmaxCrossEntropy', inputs[0], inputs[1]);
  const [lossInfo, probabilitiesInfo] = outputs;
  if (!lossInfo || !probabilitiesInfo) throw new Error('wasm backend: SoftmaxCrossEntropy needs outputs [loss, probabilities]');
  const loss = ctx.storage(lossInfo);
  const probabilities = ctx.storage(probabilitiesInfo);
  if (loss.size !== 1 || probabilities.size !== n * k) throw new Error('wasm backend: SoftmaxCrossEntropy outputs must be a scalar and [N, K]');
  ctx.ex.softmaxCrossEntropy(ctx.ptr(inputs[0]!), ctx.ptr(inputs[1]!), loss.ptr, probabilities.ptr, n, k);
}

/** Softmax cross-entropy backward, split by rows across threads for large batches. */
export function SoftmaxCrossEntropyBackprop(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): void {
  const [n, k] = crossEntropyOperands('SoftmaxCrossEntropyBackprop', inputs[0], inputs[1]);
  const dyInfo = inputs[2];
  const [dxInfo] = outputs;
  if (!dyInfo || !dxInfo) throw new Error('wasm backend: SoftmaxCrossEntropyBackprop needs dy and an output');
  const dy = ctx.storage(dyInfo);
  const dx = ctx.storage(dxInfo);
  if (dy.size !== 1 || dy.dtype !== 'float32' || dx.size !== n * k) throw new Error('wasm backend: SoftmaxCrossEntropyBackprop takes a scalar dy and writes [N, K]');
  const p = ctx.ptr(inputs[0]!);
  const labels = ctx.ptr(inputs[1]!);
  ctx.parallelRange('softmaxCrossEntropyBackprop', n, ctx.chunksFor(n * k, GRAIN, n), 1, (r0, r1) => [p, labels, dy.ptr, dx.ptr, n, k, r0, r1]);
}
