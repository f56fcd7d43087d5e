// Shape arithmetic shared by tensors, op front-ends and backends: sizes, row-major strides,
// NumPy broadcasting and axis normalisation. Pure functions over plain number arrays; every
// error message names the op so a user sees which node's shapes disagree.

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar, []). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major (C order) strides in elements: the last axis is contiguous. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `[2,3,4]`, for error messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/**
 * The NumPy broadcast of two shapes: align on the right; each pair of sizes must be equal or
 * one of them 1. Returns `a` itself when the shapes are equal (the common case allocates nothing).
 */
export function broadcastShapes(a: Shape, b: Shape, op = 'broadcast'): Shape {
  if (sameShape(a, b)) return a;
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (axis ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Maps a possibly negative axis (−1 = last) into [0, rank). */
export function normaliseAxis(axis: number, rank: number, op = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Normalises a list of axes (or one axis, or undefined meaning "all axes") into sorted,
 * distinct, non-negative axes.
 */
export function normaliseAxes(axes: number | readonly number[] | undefined, rank: number, op = 'axes'): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => normaliseAxis(a, rank, op)).sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1]) throw new Error(`${op}: axis ${out[i]} is listed twice`);
  }
  return out;
}

/** The shape left after reducing `axes` (sorted, distinct), with them kept as 1 when keepDims. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else {
      out.push(shape[i]!);
    }
  }
  return out;
}

/** Resolves one −1 entry of a reshape target against the element count. */
export function inferReshape(size: number, shape: Shape, op = 'reshape'): number[] {
  const out = shape.slice();
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i]!;
    if (d === -1) {
      if (unknown >= 0) throw new Error(`${op}: only one dimension may be -1, got ${formatShape(shape)}`);
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: invalid dimension ${d} in ${formatShape(shape)}`);
    } else {
      known *= d;
    }
  }
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new Error(`${op}: cannot infer the -1 in ${formatShape(shape)} for ${size} elements`);
    }
    out[unknown] = size / known;
  } else if (known !== size) {
    throw new Error(`${op}: cannot reshape ${size} elements into ${formatShape(shape)} (${known} elements)`);
  }
  return out;
}

/** Output length of a sliding window (convolution or pooling) along one axis. */
export function windowOutput(size: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation = 1): number {
  const span = dilation * (kernel - 1) + 1;
  return Math.floor((size + padBefore + padAfter - span) / stride) + 1;
}
