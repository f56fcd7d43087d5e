// What a reference kernel sees of a tensor, and the index arithmetic the kernels share.
// Float32 tensors are held as Float64Array (the oracle computes and stores in float64 so that
// finite-difference checks reach 1e-6 relative); int32 tensors as Int32Array.

import type { DType, KernelAttrs, KernelName } from '../../backend.js';

export interface Buf {
  readonly data: Float64Array | Int32Array;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** One kernel: reads `inputs`, writes every element of each of `outputs`. */
export type Kernel<K extends KernelName> = (inputs: readonly Buf[], outputs: readonly Buf[], attrs: KernelAttrs[K]) => void;

export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i]!;
  }
  return out;
}

/** Writes the coordinates of flat (row-major) index `flat` of `shape` into `coords`. */
export function unravel(flat: number, shape: readonly number[], coords: number[]): void {
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    coords[k] = flat % d;
    flat = Math.floor(flat / d);
  }
}

/**
 * Offset of output coordinates `coords` in an input of `shape` broadcast to the output (NumPy
 * rules: shapes align on the right; a size-1 axis repeats).
 */
export function broadcastOffset(coords: readonly number[], shape: readonly number[], stridesOfShape: readonly number[]): number {
  const lead = coords.length - shape.length;
  let offset = 0;
  for (let k = 0; k < shape.length; k++) {
    if (shape[k] !== 1) offset += coords[lead + k]! * stridesOfShape[k]!;
  }
  return offset;
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`reference: ${message}`);
}

export function rankIs(buf: Buf, rank: number, kernel: string, what: string): void {
  check(buf.shape.length === rank, `${kernel}: ${what} must have rank ${rank}, got [${buf.shape.join(',')}]`);
}
