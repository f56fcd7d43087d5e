// Plumbing shared by the op front-ends: allocating step outputs, turning number operands into
// tensors, and the dtype checks. An op front-end is always: check and compute the output
// shape, allocate the output, run one kernel, record the op on the active tape.

import type { Backend, DType } from '../backends/backend.js';
import { empty, scalar, Tensor } from '../core/tensor.js';
import { activeTape } from '../autograd/tape.js';
import type { Shape } from '../core/shape.js';

/** A tensor, or a plain number that becomes a scalar tensor on the other operand's backend. */
export type Operand = Tensor | number;

/** A fresh step-lifetime output: everything an op produces lives until `endStep()`. */
export function output(backend: Backend, shape: Shape, dtype: DType = 'float32'): Tensor {
  return empty(backend, shape, dtype, 'step');
}

export function assertFloat(op: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new Error(`${op}: expects a float32 tensor, got ${t.dtype} (cast it first)`);
}

export function assertInt(op: string, t: Tensor): void {
  if (t.dtype !== 'int32') throw new Error(`${op}: expects int32 indices, got ${t.dtype}`);
}

export function sameBackend(op: string, a: Tensor, b: Tensor): void {
  if (a.backend !== b.backend) throw new Error(`${op}: the operands live on different backends (${a.backend.name}, ${b.backend.name})`);
}

/** Resolves two operands, at least one of them a tensor, into tensors on one backend. */
export function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  if (a instanceof Tensor) {
    if (b instanceof Tensor) {
      sameBackend(op, a, b);
      return [a, b];
    }
    return [a, scalar(a.backend, b, a.dtype)];
  }
  if (b instanceof Tensor) return [scalar(b.backend, a, b.dtype), b];
  throw new Error(`${op}: at least one operand must be a tensor`);
}

/** True while a tape asks for composite activations as their elementary ops (the debugger view). */
export function elementaryMode(): boolean {
  const tape = activeTape();
  return tape !== null && tape.elementary;
}

/** Accepts n or [a, b] for a two-axis (height, width) option. */
export function pairOf(value: number | readonly [number, number], what: string, op: string): [number, number] {
  const pair: [number, number] = typeof value === 'number' ? [value, value] : [value[0], value[1]];
  if (!Number.isInteger(pair[0]) || !Number.isInteger(pair[1]) || pair[0] < 0 || pair[1] < 0) {
    throw new Error(`${op}: ${what} must be non-negative integers, got ${String(value)}`);
  }
  return pair;
}

/** Padding as n (all sides), [h, w] (top = bottom = h, left = right = w) or [top, bottom, left, right]. */
export type Padding = number | readonly [number, number] | readonly [number, number, number, number];

export function padOf(pad: Padding, op: string): [number, number, number, number] {
  let out: [number, number, number, number];
  if (typeof pad === 'number') out = [pad, pad, pad, pad];
  else if (pad.length === 2) out = [pad[0], pad[0], pad[1], pad[1]];
  else out = [pad[0], pad[1], pad[2], pad[3]];
  for (const p of out) {
    if (!Number.isInteger(p) || p < 0) throw new Error(`${op}: padding must be non-negative integers, got ${String(pad)}`);
  }
  return out;
}
