// Reductions: sum, mean, max, min over any set of axes (all by default), and argMax.
// Gradients broadcast the upstream gradient back over the reduced axes. For max/min, every
// element equal to the result receives the full gradient (ties are not split; as tfjs).

import type { KernelAttrs } from '../backends/backend.js';
import { normaliseAxes, normaliseAxis, reducedShape, type Shape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { recordOp, type OpDef, type RecordedOp } from '../autograd/tape.js';
import { broadcastTo, equal, mul, scale } from './elementwise.js';
import { assertFloat, output } from './op.js';
import { reshape } from './shape.js';

type ReduceAttrs = KernelAttrs['Reduce'];

/** The reduced shape with the reduced axes kept as 1: how dy lines up with x again. */
function keptShape(op: RecordedOp<ReduceAttrs>): Shape {
  return reducedShape(op.inputs[0]!.shape, op.attrs.axes, true);
}

const SUM: OpDef<ReduceAttrs> = {
  name: 'sum',
  gradient: (dy, op) => [broadcastTo(reshape(dy, keptShape(op)), op.inputs[0]!.shape)],
};

// The gradient flows to every element that equals the extreme value (all of a tie).
function extremeGradient(dy: Tensor, op: RecordedOp<ReduceAttrs>): [Tensor] {
  const kept = keptShape(op);
  return [mul(equal(op.inputs[0]!, reshape(op.output, kept)), reshape(dy, kept))];
}
const MAX: OpDef<ReduceAttrs> = { name: 'max', gradient: extremeGradient };
const MIN: OpDef<ReduceAttrs> = { name: 'min', gradient: extremeGradient };

function reduce(def: OpDef<ReduceAttrs>, op: ReduceAttrs['op'], x: Tensor, axes: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  assertFloat(def.name, x);
  const list = normaliseAxes(axes, x.rank, def.name);
  const y = output(x.backend, reducedShape(x.shape, list, keepDims));
  const attrs: ReduceAttrs = { op, axes: list, keepDims };
  const inputs = [x];
  x.backend.run('Reduce', inputs, [y], attrs);
  recordOp(def, inputs, y, attrs);
  return y;
}

/** Sum over `axes` (one axis, a list, or all when omitted); negative axes count from the end. */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return reduce(SUM, 'sum', x, axes, keepDims);
}

/** Maximum over `axes`; every tied maximum receives the gradient. */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return reduce(MAX, 'max', x, axes, keepDims);
}

/** Minimum over `axes`; every tied minimum receives the gradient. */
export function min(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return reduce(MIN, 'min', x, axes, keepDims);
}

/** Mean over `axes`: sum, then scale by 1/count (two ops on the tape). */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const list = normaliseAxes(axes, x.rank, 'mean');
  let count = 1;
  for (const a of list) count *= x.shape[a]!;
  return scale(sum(x, list, keepDims), 1 / count);
}

const ARG_MAX: OpDef<KernelAttrs['ArgMax']> = { name: 'argMax' };

/** int32 index of the first maximum along `axis` (ties go to the lowest index). No gradient. */
export function argMax(x: Tensor, axis = -1): Tensor {
  assertFloat('argMax', x);
  const a = normaliseAxis(axis, x.rank, 'argMax');
  const y = output(
    x.backend,
    x.shape.filter((_, k) => k !== a),
    'int32',
  );
  const attrs = { axis: a };
  const inputs = [x];
  x.backend.run('ArgMax', inputs, [y], attrs);
  recordOp(ARG_MAX, inputs, y, attrs);
  return y;
}
