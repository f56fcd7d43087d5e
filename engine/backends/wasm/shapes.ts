// Shape arithmetic for the host side of the wasm kernels: strides, NumPy broadcasting, and
// "collapsing" (dropping size-1 dims and merging dims that are contiguous for every operand),
// so most strided loops reduce to one or two dims before they reach wasm.

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The NumPy broadcast of two shapes, or an error naming both. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `shape` seen from an index over `outShape` (right-aligned; 0 where broadcast). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => {
    const j = i - off;
    return j < 0 || shape[j] === 1 ? 0 : own[j]!;
  });
}

export interface Collapsed {
  /** The box of indices, outermost first; [] for a single element. */
  readonly dims: number[];
  /** One stride list per operand, each aligned with `dims`. */
  readonly strides: number[][];
}

/**
 * Drops size-1 dims and merges neighbours i, i+1 wherever, for every operand,
 * stride[i] = stride[i+1]·dims[i+1] — the same element walk with fewer loops.
 */
export function collapse(dims: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const outDims: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i]!;
    if (d === 1) continue;
    const last = outDims.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[i]! * d)) {
      outDims[last]! *= d;
      strides.forEach((s, k) => (outStrides[k]![last] = s[i]!));
      continue;
    }
    outDims.push(d);
    strides.forEach((s, k) => outStrides[k]!.push(s[i]!));
  }
  return { dims: outDims, strides: outStrides };
}

/**
 * Fixed split of [0, total) into `parts` ranges with boundaries on multiples of `align`: a
 * function of its arguments only, so the same shapes always give the same ranges.
 */
export function splitRange(total: number, parts: number, align = 1): [number, number][] {
  const ranges: [number, number][] = [];
  let lo = 0;
  for (let t = 1; t <= parts; t++) {
    const hi = t === parts ? total : Math.min(total, Math.round((total * t) / parts / align) * align);
    ranges.push([lo, Math.max(lo, hi)]);
    lo = Math.max(lo, hi);
  }
  return ranges;
}
