// Data movement: Transpose, Slice, Pad and Concat are one strided copy each (gather: output
// index → input offset, or scatter: input index → output offset), on u32 words so one pipeline
// moves float32 and int32 alike. Gather, ScatterAdd and OneHot index by int32 tensors.

import type { TensorInfo } from '../../backend.js';
import { check, type GpuContext, type GpuKernel } from '../context.js';
import { offsetFunction, Params, sizeOf, stridesOf, type Program } from '../program.js';
import { bitsOf, fillBits } from './elementwise.js';

const WG = 256;

/** out[i] = in[base + Σ coord_k(i) · stride_k], coords of i over `shape`. */
function stridedGather(rank: number): Program {
  return {
    key: `gatherStrided:${rank}`,
    inputs: ['u32'],
    outputs: ['u32'],
    workgroupSize: WG,
    module: offsetFunction('off', rank, '2u', `${2 + rank}u`),
    main: `  if (index >= pu(0u)) { return; }
  out0[index] = in0[pu(1u) + off(index)];`,
  };
}

/** out[base + Σ coord_k(i) · stride_k] = in[i], coords of i over `shape`. */
function stridedScatter(rank: number): Program {
  return {
    key: `scatterStrided:${rank}`,
    inputs: ['u32'],
    outputs: ['u32'],
    workgroupSize: WG,
    module: offsetFunction('off', rank, '2u', `${2 + rank}u`),
    main: `  if (index >= pu(0u)) { return; }
  out0[pu(1u) + off(index)] = in0[index];`,
  };
}

function strided(ctx: GpuContext, scatter: boolean, x: TensorInfo, out: TensorInfo, shape: readonly number[], base: number, strides: readonly number[]): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  const program = scatter ? stridedScatter(shape.length) : stridedGather(shape.length);
  ctx.dispatch(program, [x], [out], new Params().u(n, base).u(...shape, ...strides), Math.ceil(n / WG));
}

export const transposeKernel: GpuKernel<'Transpose'> = (ctx, [x], [out], { perm }) => {
  const rank = x!.shape.length;
  check(perm.length === rank, `Transpose: perm [${perm.join(',')}] for rank ${rank}`);
  const xs = stridesOf(x!.shape);
  // Output axis k walks input axis perm[k].
  strided(ctx, false, x!, out!, out!.shape, 0, perm.map((p) => xs[p]!));
};

export const sliceKernel: GpuKernel<'Slice'> = (ctx, [x], [out], { begin }) => {
  const rank = x!.shape.length;
  check(begin.length === rank && out!.shape.length === rank, `Slice: begin [${begin.join(',')}] for rank ${rank}`);
  for (let k = 0; k < rank; k++) check(begin[k]! >= 0 && begin[k]! + out!.shape[k]! <= x!.shape[k]!, `Slice: axis ${k} out of bounds`);
  const xs = stridesOf(x!.shape);
  const base = begin.reduce((sum, b, k) => sum + b * xs[k]!, 0);
  strided(ctx, false, x!, out!, out!.shape, base, xs);
};

export const padKernel: GpuKernel<'Pad'> = (ctx, [x], [out], { before, value }) => {
  const rank = x!.shape.length;
  check(before.length === rank && out!.shape.length === rank, `Pad: before [${before.join(',')}] for rank ${rank}`);
  for (let k = 0; k < rank; k++) check(before[k]! >= 0 && before[k]! + x!.shape[k]! <= out!.shape[k]!, `Pad: axis ${k} does not fit`);
  const os = stridesOf(out!.shape);
  // Two dispatches: fill, then place x. Dispatches in one pass are ordered (WebGPU inserts the
  // barrier between writable usages), so x's values land on top of the fill.
  fillBits(ctx, out!, sizeOf(out!.shape), bitsOf(value, out!.dtype));
  strided(ctx, true, x!, out!, x!.shape, before.reduce((sum, b, k) => sum + b * os[k]!, 0), os);
};

export const concatKernel: GpuKernel<'Concat'> = (ctx, inputs, [out], { axis }) => {
  const shape = out!.shape;
  check(axis >= 0 && axis < shape.length, `Concat: axis ${axis} out of range`);
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const outRow = shape[axis]! * inner;
  let at = 0;
  // One scatter per input: its [outer, row] block goes to columns [at, at + row) of out's rows.
  for (const x of inputs) {
    const row = x.shape[axis]! * inner;
    check(sizeOf(x.shape) === outer * row, 'Concat: input shapes do not match the output');
    strided(ctx, true, x, out!, [outer, row], at, [outRow, 1]);
    at += row;
  }
  check(at === outRow, 'Concat: inputs do not fill the output');
};

/**
 * Rows of x picked by indices. An index outside [0, rows) gives a row of zeros: the reference
 * throws there, but a GPU kernel cannot, and reading indices back to check them would stall
 * the queue every step.
 */
const GATHER: Program = {
  key: 'gather',
  inputs: ['u32', 'i32'],
  outputs: ['u32'],
  workgroupSize: WG,
  main: `  if (index >= pu(0u)) { return; }
  let rowSize = pu(1u);
  let r = in1[index / rowSize];
  if (r < 0 || u32(r) >= pu(2u)) { out0[index] = 0u; return; }
  out0[index] = in0[u32(r) * rowSize + index % rowSize];`,
};

export const gatherKernel: GpuKernel<'Gather'> = (ctx, [x, indices], [out]) => {
  check(indices!.dtype === 'int32', 'Gather: indices must be int32');
  const rows = x!.shape[0]!;
  const rowSize = sizeOf(x!.shape.slice(1));
  const n = sizeOf(out!.shape);
  check(n === sizeOf(indices!.shape) * rowSize, 'Gather: output size');
  if (n === 0 || rowSize === 0) return;
  ctx.dispatch(GATHER, [x!, indices!], [out!], new Params().u(n, rowSize, rows), Math.ceil(n / WG));
};

/**
 * out[r, j] = Σ updates[i, j] over the i (in order) with indices[i] = r: each output element
 * loops over the indices itself. That costs (indices × outputs) reads but is deterministic,
 * where atomic float adds would not be (and WGSL has no atomic f32 add anyway).
 */
const SCATTER_ADD: Program = {
  key: 'scatterAdd',
  inputs: ['f32', 'i32'],
  outputs: ['f32'],
  workgroupSize: WG,
  main: `  if (index >= pu(0u)) { return; }
  let rowSize = pu(1u);
  let count = pu(2u);
  let r = i32(index / rowSize);
  let j = index % rowSize;
  var acc = 0.0;
  for (var i = 0u; i < count; i = i + 1u) {
    if (in1[i] == r) { acc = acc + in0[i * rowSize + j]; }
  }
  out0[index] = acc;`,
};

export const scatterAddKernel: GpuKernel<'ScatterAdd'> = (ctx, [updates, indices], [out]) => {
  check(indices!.dtype === 'int32', 'ScatterAdd: indices must be int32');
  const rowSize = sizeOf(out!.shape.slice(1));
  const count = sizeOf(indices!.shape);
  check(sizeOf(updates!.shape) === count * rowSize, 'ScatterAdd: updates size');
  const n = sizeOf(out!.shape);
  if (n === 0) return;
  ctx.dispatch(SCATTER_ADD, [updates!, indices!], [out!], new Params().u(n, Math.max(rowSize, 1), count), Math.ceil(n / WG));
};

const ONE_HOT: Program = {
  key: 'oneHot',
  inputs: ['i32'],
  outputs: ['f32'],
  workgroupSize: WG,
  main: `  if (index >= pu(0u)) { return; }
  let depth = pu(1u);
  out0[index] = select(0.0, 1.0, in0[index / depth] == i32(index % depth));`,
};

export const oneHotKernel: GpuKernel<'OneHot'> = (ctx, [indices], [out], { depth }) => {
  const n = sizeOf(out!.shape);
  check(n === sizeOf(indices!.shape) * depth, 'OneHot: output size');
  if (n === 0) return;
  ctx.dispatch(ONE_HOT, [indices!], [out!], new Params().u(n, depth), Math.ceil(n / WG));
};
