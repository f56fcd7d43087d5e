// Data-movement ops: reshape (metadata only), transpose, concat, slice, pad, gather,
// scatterAdd, oneHot. Their gradients are each other: slice ↔ pad, gather ↔ scatterAdd,
// concat → slices, transpose → the inverse permutation.

import type { KernelAttrs } from '../backends/backend.js';
import { formatShape, inferReshape, normaliseAxis, sameShape, type Shape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { recordOp, type OpDef } from '../autograd/tape.js';
import { assertFloat, assertInt, output, sameBackend } from './op.js';

// ---------------------------------------------------------------------------------------------
// reshape: no kernel. The output is a second Tensor over the same storage (row-major data does
// not move), so it costs nothing; it shares the input's lifetime.

interface ReshapeAttrs {
  readonly shape: Shape;
}
const RESHAPE: OpDef<ReshapeAttrs> = { name: 'reshape', gradient: (dy, op) => [reshape(dy, op.inputs[0]!.shape)] };

/** The same values in a new shape; one entry may be −1 (inferred). Shares the input's storage. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const target = inferReshape(x.size, shape, 'reshape');
  const y = new Tensor(x.backend, x.id, target, x.dtype, x.lifetime);
  const attrs: ReshapeAttrs = { shape: target };
  recordOp(RESHAPE, [x], y, attrs);
  return y;
}

/** [N, ...] → [N, product of the rest]. */
export function flatten(x: Tensor): Tensor {
  if (x.rank < 1) throw new Error('flatten: needs a batch axis');
  return reshape(x, [x.shape[0]!, -1]);
}

// ---------------------------------------------------------------------------------------------

type TransposeAttrs = KernelAttrs['Transpose'];
const TRANSPOSE: OpDef<TransposeAttrs> = {
  name: 'transpose',
  gradient: (dy, op) => {
    const { perm } = op.attrs;
    const inverse = new Array<number>(perm.length);
    for (let k = 0; k < perm.length; k++) inverse[perm[k]!] = k;
    return [transpose(dy, inverse)];
  },
};

/** Permutes the axes: output axis k is input axis perm[k] (reverses them by default). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm === undefined ? x.shape.map((_, k) => x.rank - 1 - k) : perm.map((a) => normaliseAxis(a, x.rank, 'transpose'));
  if (p.length !== x.rank || new Set(p).size !== p.length) {
    throw new Error(`transpose: [${perm?.join(',')}] is not a permutation of ${x.rank} axes`);
  }
  const y = output(
    x.backend,
    p.map((a) => x.shape[a]!),
    x.dtype,
  );
  const attrs: TransposeAttrs = { perm: p };
  const inputs = [x];
  x.backend.run('Transpose', inputs, [y], attrs);
  recordOp(TRANSPOSE, inputs, y, attrs);
  return y;
}

// ---------------------------------------------------------------------------------------------

type SliceAttrs = KernelAttrs['Slice'];
const SLICE: OpDef<SliceAttrs> = {
  name: 'slice',
  gradient: (dy, op) => {
    const x = op.inputs[0]!;
    const { begin } = op.attrs;
    return [pad(dy, begin, x.shape.map((d, k) => d - begin[k]! - dy.shape[k]!))];
  },
};

/** x[begin : begin + size] along every axis; a size of −1 runs to the end of its axis. */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  if (begin.length !== x.rank || size.length !== x.rank) {
    throw new Error(`slice: begin and size need ${x.rank} entries for ${formatShape(x.shape)}`);
  }
  const outShape = size.map((s, k) => (s === -1 ? x.shape[k]! - begin[k]! : s));
  for (let k = 0; k < x.rank; k++) {
    if (!(begin[k]! >= 0 && outShape[k]! >= 0 && begin[k]! + outShape[k]! <= x.shape[k]!)) {
      throw new Error(`slice: [${begin.join(',')}] + [${outShape.join(',')}] is outside ${formatShape(x.shape)}`);
    }
  }
  const y = output(x.backend, outShape, x.dtype);
  const attrs: SliceAttrs = { begin: begin.slice() };
  const inputs = [x];
  x.backend.run('Slice', inputs, [y], attrs);
  recordOp(SLICE, inputs, y, attrs);
  return y;
}

// ---------------------------------------------------------------------------------------------

type PadAttrs = KernelAttrs['Pad'];
const PAD: OpDef<PadAttrs> = { name: 'pad', gradient: (dy, op) => [slice(dy, op.attrs.before, op.inputs[0]!.shape)] };

/** Surrounds x with `value` (0 by default): `before[k]` entries before axis k, `after[k]` after. */
export function pad(x: Tensor, before: readonly number[], after: readonly number[], value = 0): Tensor {
  if (before.length !== x.rank || after.length !== x.rank) throw new Error(`pad: before and after need ${x.rank} entries`);
  for (let k = 0; k < x.rank; k++) {
    if (!Number.isInteger(before[k]) || !Number.isInteger(after[k]) || before[k]! < 0 || after[k]! < 0) {
      throw new Error(`pad: amounts must be non-negative integers, got [${before.join(',')}] / [${after.join(',')}]`);
    }
  }
  const y = output(
    x.backend,
    x.shape.map((d, k) => before[k]! + d + after[k]!),
    x.dtype,
  );
  const attrs: PadAttrs = { before: before.slice(), value };
  const inputs = [x];
  x.backend.run('Pad', inputs, [y], attrs);
  recordOp(PAD, inputs, y, attrs);
  return y;
}

// ---------------------------------------------------------------------------------------------

type ConcatAttrs = KernelAttrs['Concat'];
const CONCAT: OpDef<ConcatAttrs> = {
  name: 'concat',
  gradient: (dy, op) => {
    const { axis } = op.attrs;
    const begin = new Array<number>(dy.rank).fill(0);
    return op.inputs.map((x) => {
      const part = x.requiresGrad ? slice(dy, begin, x.shape) : null;
      begin[axis] = begin[axis]! + x.shape[axis]!;
      return part;
    });
  },
};

/** Joins tensors along `axis`; all other axes must agree. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0];
  if (first === undefined) throw new Error('concat: needs at least one tensor');
  const a = normaliseAxis(axis, first.rank, 'concat');
  const shape = first.shape.slice();
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i]!;
    sameBackend('concat', first, x);
    const agrees = x.rank === first.rank && x.dtype === first.dtype && x.shape.every((d, k) => k === a || d === first.shape[k]);
    if (!agrees) throw new Error(`concat: ${formatShape(x.shape)} does not match ${formatShape(first.shape)} outside axis ${a}`);
    shape[a] = shape[a]! + x.shape[a]!;
  }
  const y = output(first.backend, shape, first.dtype);
  const attrs: ConcatAttrs = { axis: a };
  const inputs = xs.slice();
  first.backend.run('Concat', inputs, [y], attrs);
  recordOp(CONCAT, inputs, y, attrs);
  return y;
}

// ---------------------------------------------------------------------------------------------

type NoAttrs = Record<string, never>;
const NO_ATTRS: NoAttrs = {};

const GATHER: OpDef<NoAttrs> = {
  name: 'gather',
  gradient: (dy, op) => [scatterAdd(dy, op.inputs[1]!, op.inputs[0]!.shape[0]!), null],
};

/** Rows of x (along axis 0) picked by int32 `indices` of any shape: [...indices.shape, ...x.shape[1:]]. */
export function gather(x: Tensor, indices: Tensor): Tensor {
  assertInt('gather', indices);
  sameBackend('gather', x, indices);
  if (x.rank < 1) throw new Error('gather: x needs at least one axis');
  const y = output(x.backend, [...indices.shape, ...x.shape.slice(1)], x.dtype);
  const inputs = [x, indices];
  x.backend.run('Gather', inputs, [y], NO_ATTRS);
  recordOp(GATHER, inputs, y, NO_ATTRS);
  return y;
}

interface ScatterAttrs {
  readonly rows: number;
}
const SCATTER_ADD: OpDef<ScatterAttrs> = { name: 'scatterAdd', gradient: (dy, op) => [gather(dy, op.inputs[1]!), null] };

/** Zeros of `rows` rows with updates[i] added into row indices[i]: gather's adjoint. */
export function scatterAdd(updates: Tensor, indices: Tensor, rows: number): Tensor {
  assertFloat('scatterAdd', updates);
  assertInt('scatterAdd', indices);
  sameBackend('scatterAdd', updates, indices);
  const lead = indices.rank;
  if (!sameShape(updates.shape.slice(0, lead), indices.shape)) {
    throw new Error(`scatterAdd: updates ${formatShape(updates.shape)} must start with the indices' shape ${formatShape(indices.shape)}`);
  }
  const y = output(updates.backend, [rows, ...updates.shape.slice(lead)]);
  const inputs = [updates, indices];
  updates.backend.run('ScatterAdd', inputs, [y], NO_ATTRS);
  const attrs: ScatterAttrs = { rows };
  recordOp(SCATTER_ADD, inputs, y, attrs);
  return y;
}

const ONE_HOT: OpDef<KernelAttrs['OneHot']> = { name: 'oneHot' };

/** float32 [...indices.shape, depth] with a 1 at each index; an index outside [0, depth) gives zeros. */
export function oneHot(indices: Tensor, depth: number): Tensor {
  assertInt('oneHot', indices);
  const y = output(indices.backend, [...indices.shape, depth]);
  const attrs = { depth };
  const inputs = [indices];
  indices.backend.run('OneHot', inputs, [y], attrs);
  recordOp(ONE_HOT, inputs, y, attrs);
  return y;
}
