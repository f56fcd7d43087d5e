// Host side of Gather, ScatterAdd, OneHot and RandomUniform. Indices are checked here, in JS,
// before any kernel writes: an out-of-range row is an error, never a stray write.

import type { KernelAttrs, TensorInfo } from '../../backend.js';
import type { KernelContext } from '../context.js';
import { sizeOf } from '../shapes.js';

const GRAIN = 65_536;

function checkIndices(ctx: KernelContext, idx: TensorInfo, limit: number, what: string): void {
  const s = ctx.storage(idx);
  if (s.dtype !== 'int32') throw new Error(`wasm backend: ${what} indices must be int32`);
  const view = ctx.i32;
  const base = s.ptr >>> 2;
  for (let i = 0; i < s.size; i++) {
    const k = view[base + i]!;
    if (k < 0 || k >= limit) throw new RangeError(`wasm backend: ${what} index ${k} at position ${i} is outside [0, ${limit})`);
  }
}

export function Gather(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): void {
  const [x, idx] = inputs;
  const [out] = outputs;
  if (!x || !idx || !out) throw new Error('wasm backend: Gather needs x, indices and an output');
  const V = x.shape[0] ?? 1;
  const row = sizeOf(x.shape.slice(1));
  const n = sizeOf(idx.shape);
  if (ctx.storage(out).size !== n * row) throw new Error(`wasm backend: Gather output has the wrong size for ${n} rows of ${row}`);
  checkIndices(ctx, idx, V, 'Gather');
  const [xp, ip, op] = [ctx.ptr(x), ctx.ptr(idx), ctx.ptr(out)];
  ctx.parallelRange('gather', n, ctx.chunksFor(n * row, GRAIN, n), 1, (i0, i1) => [xp, ip, op, row, i0, i1]);
}

export function ScatterAdd(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): void {
  const [upd, idx] = inputs;
  const [out] = outputs;
  if (!upd || !idx || !out) throw new Error('wasm backend: ScatterAdd needs updates, indices and an output');
  const V = out.shape[0] ?? 1;
  const row = sizeOf(out.shape.slice(1));
  const n = sizeOf(idx.shape);
  if (ctx.storage(upd).size !== n * row) throw new Error(`wasm backend: ScatterAdd updates have the wrong size for ${n} rows of ${row}`);
  ctx.storage(out);
  checkIndices(ctx, idx, V, 'ScatterAdd');
  const [up, ip, op] = [ctx.ptr(upd), ctx.ptr(idx), ctx.ptr(out)];
  // Threads split the row width: each output element still sums its updates in index order.
  ctx.parallelRange('scatterAdd', row, ctx.chunksFor((n + V) * row, GRAIN, Math.floor(row / 16)), 16, (c0, c1) => [up, ip, op, n, V, row, c0, c1]);
}

export function OneHot(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['OneHot']): void {
  const [idx] = inputs;
  const [out] = outputs;
  if (!idx || !out) throw new Error('wasm backend: OneHot needs indices and an output');
  const n = sizeOf(idx.shape);
  const s = ctx.storage(out);
  if (s.size !== n * attrs.depth) throw new Error(`wasm backend: OneHot output has ${s.size} elements, expected ${n * attrs.depth}`);
  if (ctx.storage(idx).dtype !== 'int32') throw new Error('wasm backend: OneHot indices must be int32');
  const ip = ctx.ptr(idx);
  ctx.parallelRange('oneHot', n, ctx.chunksFor(s.size, GRAIN, n), 1, (i0, i1) => [ip, s.ptr, attrs.depth, i0, i1]);
}

export function RandomUniform(ctx: KernelContext, _inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['RandomUniform']): void {
  const [out] = outputs;
  if (!out) throw new Error('wasm backend: RandomUniform needs an output');
  const s = ctx.storage(out);
  const seed = attrs.seed >>> 0;
  const offset = attrs.offset >>> 0;
  ctx.parallelRange('randomUniform', s.size, ctx.chunksFor(s.size, GRAIN), 16, (i0, i1) => [s.ptr, seed, offset, i0, i1]);
}
