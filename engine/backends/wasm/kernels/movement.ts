// Host side of Transpose, Slice, Pad and Concat: each is a strided copy of 32-bit elements
// (dtype-agnostic) through assembly/movement.ts, after collapsing the index box; a permutation
// that is a (batched) 2-D transpose takes the cache-blocked transpose2 kernel.

import type { KernelAttrs, TensorInfo } from '../../backend.js';
import type { KernelContext } from '../context.js';
import { collapse, sizeOf, stridesOf, type Collapsed } from '../shapes.js';
import { floatBits, forEachBox4 } from './elementwise.js';

/** Elements per thread below which a copy stays on the calling thread. */
const GRAIN = 65_536;

/**
 * Copies the box `dims` from src (element strides `srcStrides`) to dst (`dstStrides`), both
 * given as element offsets from srcPtr/dstPtr.
 */
export function stridedCopy(
  ctx: KernelContext,
  dims: readonly number[],
  srcPtr: number,
  srcStrides: readonly number[],
  dstPtr: number,
  dstStrides: readonly number[],
): void {
  if (sizeOf(dims) === 0) return;
  const c = collapse(dims, [srcStrides, dstStrides]);
  const box: Collapsed = c.dims.length ? c : { dims: [1], strides: [[1], [1]] };
  if (box.dims.length === 1) {
    const n = box.dims[0]!;
    const [s, t] = [box.strides[0]![0]!, box.strides[1]![0]!];
    ctx.parallelRange('copy4', n, ctx.chunksFor(n, GRAIN), 16, (lo, hi) => [0, 1, 1, 1, hi - lo, srcPtr + lo * s * 4, 0, 0, 0, s, dstPtr + lo * t * 4, 0, 0, 0, t]);
    return;
  }
  // A batched 2-D transpose of a dense array: [B,] R, C with src strides [RC,] 1, R.
  if (box.dims.length <= 3) {
    const [d, s, t] = [box.dims, box.strides[0]!, box.strides[1]!];
    const k = d.length - 2;
    const rows = d[k + 1]!;
    const cols = d[k]!;
    const dense = t[k + 1] === 1 && t[k] === rows && s[k] === 1 && s[k + 1] === cols && (k === 0 || (s[0] === rows * cols && t[0] === rows * cols));
    if (dense) {
      const batch = k === 0 ? 1 : d[0]!;
      // transpose2 reads src as batch × rows × cols (row-major) and writes dst as cols × rows.
      if (batch === 1) {
        ctx.ex.transpose2(srcPtr, dstPtr, rows, cols, 0, 1);
      } else {
        ctx.parallelRange('transpose2', batch, ctx.chunksFor(sizeOf(d), GRAIN, batch), 1, (b0, b1) => [srcPtr, dstPtr, rows, cols, b0, b1]);
      }
      return;
    }
  }
  forEachBox4(box, (b, offsets) => {
    const [s, t] = b.strides as [number[], number[]];
    const [d0, d1, d2, d3] = b.dims as [number, number, number, number];
    ctx.parallelRange('copy4', d0, ctx.chunksFor(d0 * d1 * d2 * d3, GRAIN, d0), 1, (r0, r1) => [
      r0, r1, d1, d2, d3,
      srcPtr + offsets[0]! * 4, s[0]!, s[1]!, s[2]!, s[3]!,
      dstPtr + offsets[1]! * 4, t[0]!, t[1]!, t[2]!, t[3]!,
    ]);
  });
}

/** Writes x (dense, `shape`) permuted by `perm` into dst (dense). */
export function permuteInto(ctx: KernelContext, srcPtr: number, shape: readonly number[], perm: readonly number[], dstPtr: number): void {
  const xs = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  stridedCopy(ctx, outShape, srcPtr, perm.map((p) => xs[p]!), dstPtr, stridesOf(outShape));
}

export function Transpose(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['Transpose']): void {
  const [x] = inputs;
  const [out] = outputs;
  if (!x || !out) throw new Error('wasm backend: Transpose needs one input and one output');
  const perm = attrs.perm;
  if (perm.length !== x.shape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`wasm backend: Transpose perm [${perm.join(', ')}] does not permute rank ${x.shape.length}`);
  }
  const expected = perm.map((p) => x.shape[p]!);
  if (expected.some((d, i) => d !== out.shape[i])) throw new Error(`wasm backend: Transpose output [${out.shape.join(', ')}], expected [${expected.join(', ')}]`);
  permuteInto(ctx, ctx.ptr(x), x.shape, perm, ctx.ptr(out));
}

export function Slice(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['Slice']): void {
  const [x] = inputs;
  const [out] = outputs;
  if (!x || !out) throw new Error('wasm backend: Slice needs one input and one output');
  const xs = stridesOf(x.shape);
  let offset = 0;
  x.shape.forEach((d, i) => {
    const b = attrs.begin[i] ?? 0;
    const n = out.shape[i]!;
    if (b < 0 || b + n > d) throw new Error(`wasm backend: Slice [${attrs.begin.join(', ')}] + [${out.shape.join(', ')}] leaves [${x.shape.join(', ')}]`);
    offset += b * xs[i]!;
  });
  stridedCopy(ctx, out.shape, ctx.ptr(x) + offset * 4, xs, ctx.ptr(out), stridesOf(out.shape));
}

export function Pad(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['Pad']): void {
  const [x] = inputs;
  const [out] = outputs;
  if (!x || !out) throw new Error('wasm backend: Pad needs one input and one output');
  const o = ctx.storage(out);
  const bits = out.dtype === 'int32' ? attrs.value | 0 : floatBits(attrs.value);
  ctx.parallelRange('fill32', o.size, ctx.chunksFor(o.size, GRAIN * 4), 16, (lo, hi) => [o.ptr + lo * 4, hi - lo, bits]);
  const os = stridesOf(out.shape);
  let offset = 0;
  x.shape.forEach((d, i) => {
    const b = attrs.before[i] ?? 0;
    if (b < 0 || b + d > out.shape[i]!) throw new Error(`wasm backend: Pad before [${attrs.before.join(', ')}] puts [${x.shape.join(', ')}] outside [${out.shape.join(', ')}]`);
    offset += b * os[i]!;
  });
  stridedCopy(ctx, x.shape, ctx.ptr(x), stridesOf(x.shape), o.ptr + offset * 4, os);
}

export function Concat(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['Concat']): void {
  const [out] = outputs;
  if (!out) throw new Error('wasm backend: Concat needs an output');
  const rank = out.shape.length;
  const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  const os = stridesOf(out.shape);
  const base = ctx.ptr(out);
  let at = 0;
  for (const x of inputs) {
    if (x.shape.length !== rank || x.shape.some((d, i) => i !== axis && d !== out.shape[i])) {
      throw new Error(`wasm backend: Concat input [${x.shape.join(', ')}] does not fit output [${out.shape.join(', ')}] on axis ${axis}`);
    }
    stridedCopy(ctx, x.shape, ctx.ptr(x), stridesOf(x.shape), base + at * os[axis]! * 4, os);
    at += x.shape[axis]!;
  }
  if (at !== out.shape[axis]) throw new Error(`wasm backend: Concat inputs cover ${at} of ${out.shape[axis]} along axis ${axis}`);
}
