// Host side of Fill, Copy, Cast, Unary and Binary. Float32 goes to the SIMD kernels in
// assembly/elementwise.ts, split into fixed ranges across threads above a size threshold;
// int32 operands (labels, indices) take a plain-JS path, since no training loop is hot there.

import type { BinaryOp, KernelAttrs, TensorInfo, UnaryOp } from '../../backend.js';
import type { KernelContext } from '../context.js';
import { broadcastShape, broadcastStrides, collapse, sameShape, sizeOf, stridesOf, type Collapsed } from '../shapes.js';
import { scalarBinary, scalarUnary } from '../../scalarOps.js';

/** Op codes of assembly/elementwise.ts, in order. */
export const UNARY_OPS = [
  'neg', 'abs', 'sign', 'square', 'sqrt', 'rsqrt', 'reciprocal', 'exp', 'log', 'step',
  'relu', 'sigmoid', 'tanh', 'softplus', 'softsign', 'scale', 'pow', 'clip', 'leakyRelu', 'elu',
] as const satisfies readonly UnaryOp[];

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'max', 'min', 'pow', 'greater', 'greaterEqual', 'equal', 'reluGrad',
] as const satisfies readonly BinaryOp[];

/** Elements per thread below which an elementwise kernel stays on the calling thread. */
const GRAIN = 32_768;

function one(infos: readonly TensorInfo[], what: string): TensorInfo {
  const t = infos[0];
  if (!t) throw new Error(`wasm backend: ${what} missing`);
  return t;
}

export function Fill(ctx: KernelContext, _inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['Fill']): void {
  const out = one(outputs, 'Fill output');
  const s = ctx.storage(out);
  const bits = out.dtype === 'int32' ? attrs.value | 0 : floatBits(attrs.value);
  ctx.parallelRange('fill32', s.size, ctx.chunksFor(s.size, GRAIN * 4), 16, (lo, hi) => [s.ptr + lo * 4, hi - lo, bits]);
}

export function Copy(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): void {
  const x = ctx.storage(one(inputs, 'Copy input'));
  const out = ctx.storage(one(outputs, 'Copy output'));
  if (x.size !== out.size) throw new Error(`wasm backend: Copy of ${x.size} elements into ${out.size}`);
  if (x.dtype !== out.dtype) throw new Error(`wasm backend: Copy of ${x.dtype} into ${out.dtype} (use Cast)`);
  if (x.ptr !== out.ptr) ctx.ex.copyBytes(out.ptr, x.ptr, x.size * 4);
}

export function Cast(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): void {
  const x = ctx.storage(one(inputs, 'Cast input'));
  const out = ctx.storage(one(outputs, 'Cast output'));
  if (x.size !== out.size) throw new Error(`wasm backend: Cast of ${x.size} elements into ${out.size}`);
  if (x.dtype === out.dtype) ctx.ex.copyBytes(out.ptr, x.ptr, x.size * 4);
  else if (x.dtype === 'float32') ctx.ex.castF32I32(x.ptr, out.ptr, x.size);
  else ctx.ex.castI32F32(x.ptr, out.ptr, x.size);
}

export function Unary(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['Unary']): void {
  const xi = one(inputs, 'Unary input');
  const oi = one(outputs, 'Unary output');
  const x = ctx.storage(xi);
  const out = ctx.storage(oi);
  if (x.size !== out.size) throw new Error(`wasm backend: Unary ${attrs.op} of ${x.size} elements into ${out.size}`);
  const [alpha, beta] = unaryParams(attrs);
  if (x.dtype !== 'float32' || out.dtype !== 'float32') {
    const xs = x.dtype === 'int32' ? ctx.i32 : ctx.f32;
    const os = out.dtype === 'int32' ? ctx.i32 : ctx.f32;
    const f = scalarUnary(attrs.op, alpha, beta);
    for (let i = 0; i < x.size; i++) os[(out.ptr >>> 2) + i] = f(xs[(x.ptr >>> 2) + i]!);
    return;
  }
  const code = UNARY_OPS.indexOf(attrs.op);
  if (code < 0) throw new Error(`wasm backend: unknown unary op ${attrs.op}`);
  // pow calls Mathf.pow per lane (~10× the cost per element): split it sooner.
  const grain = attrs.op === 'pow' ? GRAIN / 8 : GRAIN;
  ctx.parallelRange('unary', x.size, ctx.chunksFor(x.size, grain), 16, (lo, hi) => [code, x.ptr, out.ptr, lo, hi, alpha, beta]);
}

/** alpha and beta with the defaults each op documents. */
function unaryParams(attrs: KernelAttrs['Unary']): [number, number] {
  switch (attrs.op) {
    case 'scale':
      return [attrs.alpha ?? 1, attrs.beta ?? 0];
    case 'pow':
      return [attrs.alpha ?? 1, 0];
    case 'clip':
      return [attrs.alpha ?? -Infinity, attrs.beta ?? Infinity];
    case 'leakyRelu':
      return [attrs.alpha ?? 0.2, 0];
    case 'elu':
      return [attrs.alpha ?? 1, 0];
    default:
      return [attrs.alpha ?? 0, attrs.beta ?? 0];
  }
}

export function Binary(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['Binary']): void {
  const [ai, bi] = inputs;
  const oi = one(outputs, 'Binary output');
  if (!ai || !bi) throw new Error('wasm backend: Binary needs two inputs');
  const shape = broadcastShape(ai.shape, bi.shape);
  if (!sameShape(shape, oi.shape) && sizeOf(shape) !== sizeOf(oi.shape)) {
    throw new Error(`wasm backend: Binary ${attrs.op} output [${oi.shape.join(', ')}] is not the broadcast [${shape.join(', ')}]`);
  }
  const a = ctx.storage(ai);
  const b = ctx.storage(bi);
  const out = ctx.storage(oi);
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || out.dtype !== 'float32') {
    jsBinary(ctx, attrs.op, ai, bi, oi, shape);
    return;
  }
  const code = BINARY_OPS.indexOf(attrs.op);
  if (code < 0) throw new Error(`wasm backend: unknown binary op ${attrs.op}`);
  const c = collapse(shape, [broadcastStrides(ai.shape, shape), broadcastStrides(bi.shape, shape)]);
  const grain = attrs.op === 'pow' ? GRAIN / 8 : GRAIN;
  if (c.dims.length <= 1) {
    // Same shape, or one side a scalar: one flat row, split in 16-element-aligned ranges.
    const n = c.dims[0] ?? 1;
    const sa = c.strides[0]![0] ?? 0;
    const sb = c.strides[1]![0] ?? 0;
    ctx.parallelRange('binary4', n, ctx.chunksFor(n, grain), 16, (lo, hi) => [
      code, 0, 1, 1, 1, hi - lo,
      a.ptr + lo * sa * 4, 0, 0, 0, sa,
      b.ptr + lo * sb * 4, 0, 0, 0, sb,
      out.ptr + lo * 4,
    ]);
    return;
  }
  forEachBox4(c, (box, offsets) => {
    const [sa, sb] = box.strides as [number[], number[]];
    const [d0, d1, d2, d3] = box.dims as [number, number, number, number];
    ctx.parallelRange('binary4', d0, ctx.chunksFor(d0 * d1 * d2 * d3, grain, d0), 1, (r0, r1) => [
      code, r0, r1, d1, d2, d3,
      a.ptr + offsets[0]! * 4, sa[0]!, sa[1]!, sa[2]!, sa[3]!,
      b.ptr + offsets[1]! * 4, sb[0]!, sb[1]!, sb[2]!, sb[3]!,
      out.ptr + offsets[2]! * 4,
    ]);
  });
}

/**
 * Visits a collapsed box of rank ≥ 2 as 4-D boxes: ranks 2 and 3 get size-1 dims inserted
 * after the first (which stays the outermost, the one threads split); for rank > 4 the outer
 * dims are looped here. `offsets` holds each operand's element offset, then the dense output's.
 */
export function forEachBox4(c: Collapsed, visit: (box: Collapsed, offsets: readonly number[]) => void): void {
  const rank = c.dims.length;
  if (rank <= 4) {
    const pad = 4 - rank;
    const box = {
      dims: [c.dims[0]!, ...new Array<number>(pad).fill(1), ...c.dims.slice(1)],
      strides: c.strides.map((s) => [s[0]!, ...new Array<number>(pad).fill(0), ...s.slice(1)]),
    };
    visit(box, [...c.strides.map(() => 0), 0]);
    return;
  }
  const outer = c.dims.slice(0, rank - 4);
  const box = { dims: c.dims.slice(rank - 4), strides: c.strides.map((s) => s.slice(rank - 4)) };
  const innerSize = sizeOf(box.dims);
  const index = new Array<number>(outer.length).fill(0);
  const count = sizeOf(outer);
  for (let o = 0; o < count; o++) {
    const offsets = c.strides.map((s) => index.reduce((acc, i, k) => acc + i * s[k]!, 0));
    visit(box, [...offsets, o * innerSize]);
    for (let k = index.length - 1; k >= 0; k--) {
      if (++index[k]! < outer[k]!) break;
      index[k] = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Plain-JS paths for int32 operands (computed in float64, stored with the output's dtype).

function jsBinary(ctx: KernelContext, op: BinaryOp, ai: TensorInfo, bi: TensorInfo, oi: TensorInfo, shape: readonly number[]): void {
  const a = ctx.storage(ai);
  const b = ctx.storage(bi);
  const out = ctx.storage(oi);
  const av = a.dtype === 'int32' ? ctx.i32 : ctx.f32;
  const bv = b.dtype === 'int32' ? ctx.i32 : ctx.f32;
  const ov = out.dtype === 'int32' ? ctx.i32 : ctx.f32;
  const sa = broadcastStrides(ai.shape, shape);
  const sb = broadcastStrides(bi.shape, shape);
  const outStrides = stridesOf(shape);
  const f = scalarBinary(op);
  const n = sizeOf(shape);
  for (let i = 0; i < n; i++) {
    let ia = 0;
    let ib = 0;
    let rem = i;
    for (let d = 0; d < shape.length; d++) {
      const q = Math.floor(rem / outStrides[d]!);
      rem -= q * outStrides[d]!;
      ia += q * sa[d]!;
      ib += q * sb[d]!;
    }
    ov[(out.ptr >>> 2) + i] = f(av[(a.ptr >>> 2) + ia]!, bv[(b.ptr >>> 2) + ib]!);
  }
}

const pun = new Float32Array(1);
const punBits = new Int32Array(pun.buffer);

/** The int32 bit pattern of `value` as float32. */
export function floatBits(value: number): number {
  pun[0] = value;
  return punBits[0]!;
}

/**
 * One Adam step in place (backend.ts AdamUpdate), split into fixed element ranges across
 * threads: each element's update reads only its own w, g, m, v, so any split gives the same bits.
 */
export function AdamUpdate(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['AdamUpdate']): void {
  const [wi, gi, mi, vi] = inputs;
  if (!wi || !gi || !mi || !vi) throw new Error('wasm backend: AdamUpdate needs inputs w, g, m and v');
  if (outputs[0]?.id !== wi.id || outputs[1]?.id !== mi.id || outputs[2]?.id !== vi.id) {
    throw new Error('wasm backend: AdamUpdate outputs must be inputs w, m and v (it updates in place)');
  }
  const [w, g, m, v] = [ctx.storage(wi), ctx.storage(gi), ctx.storage(mi), ctx.storage(vi)];
  if (g.size !== w.size || m.size !== w.size || v.size !== w.size) {
    throw new Error(`wasm backend: AdamUpdate: w, g, m and v differ in size (${w.size}, ${g.size}, ${m.size}, ${v.size})`);
  }
  if ([w, g, m, v].some((s) => s.dtype !== 'float32')) throw new Error('wasm backend: AdamUpdate is float32 only');
  const { beta1, beta2, epsilon, stepSize, rootCorrection, weightDecay } = attrs;
  // About 4 elementwise kernels' worth of memory traffic per element: split sooner than GRAIN.
  ctx.parallelRange('adamUpdate', w.size, ctx.chunksFor(w.size, GRAIN / 4), 16, (lo, hi) => [
    w.ptr, g.ptr, m.ptr, v.ptr, lo, hi, beta1, 1 - beta1, beta2, 1 - beta2, epsilon, stepSize, rootCorrection, weightDecay,
  ]);
}
