// Shared by the sparse kernels (convSparse.ts, spmm.ts): counting nonzeros, compacting a run of
// floats into a list of its nonzeros without data-dependent branches, and sums over such a list
// held in registers.

import { madd } from './fma';

/** Nonzero floats (NaN included) among n floats at src. */
export function countNonzero(src: usize, n: i32): i32 {
  const zero = f32x4.splat(0);
  let count = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) count += <i32>popcnt(i32x4.bitmask(f32x4.ne(v128.load(src + (<usize>i << 2)), zero)));
  for (; i < n; i++) count += i32(load<f32>(src + (<usize>i << 2)) != 0);
  return count;
}

/**
 * Swizzle controls that move the lanes set in a 4-bit mask to the front, in order (entry m:
 * 16 bytes); unused bytes are 128 (swizzle writes 0).
 */
export const COMPRESS = memory.data<u8>([
  128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128,
  8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 128, 128, 128, 128,
  12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 128, 128, 128, 128,
  8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128,
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
]);

/**
 * The nonzeros of `count` floats at `plane` (a plane of dy, a row of a matrix): vals[k] their values, offs[k] their
 * table entries (table[q] for the q-th float), in order. Returns how many. Each 4 positions are a compare, a
 * bitmask and two swizzles: no branch depends on the data. With sum ≠ 0 it also stores there
 * the plane's sum, added exactly as conv.ts's planeSum adds it (so db matches convBiasGrad).
 */
export function compact(plane: usize, count: i32, table: usize, offs: usize, vals: usize, sum: usize): i32 {
  const zero = f32x4.splat(0);
  let total = f32x4.splat(0);
  let k = 0;
  let q = 0;
  for (; q + 4 <= count; q += 4) {
    const v = v128.load(plane + (<usize>q << 2));
    total = f32x4.add(total, v);
    const m = i32x4.bitmask(f32x4.ne(v, zero));
    const ctl = v128.load(COMPRESS + (<usize>m << 4));
    const at = <usize>k << 2;
    v128.store(vals + at, i8x16.swizzle(v, ctl));
    v128.store(offs + at, i8x16.swizzle(v128.load(table + (<usize>q << 2)), ctl));
    k += <i32>popcnt(m);
  }
  let s = f32x4.extract_lane(total, 0) + f32x4.extract_lane(total, 1) + (f32x4.extract_lane(total, 2) + f32x4.extract_lane(total, 3));
  for (; q < count; q++) {
    const g = load<f32>(plane + (<usize>q << 2));
    s += g;
    store<f32>(vals + (<usize>k << 2), g);
    store<i32>(offs + (<usize>k << 2), load<i32>(table + (<usize>q << 2)));
    k += i32(g != 0);
  }
  if (sum) store<f32>(sum, s);
  return k;
}

/** a[0..8 vectors] += Σ_k vals[k] · (x + offs[k])[0..8 vectors], in k order, in registers. */
// @ts-ignore: decorator
@inline
export function gather8(a: usize, x: usize, offs: usize, vals: usize, count: i32): void {
  let a0 = v128.load(a);
  let a1 = v128.load(a, 16);
  let a2 = v128.load(a, 32);
  let a3 = v128.load(a, 48);
  let a4 = v128.load(a, 64);
  let a5 = v128.load(a, 80);
  let a6 = v128.load(a, 96);
  let a7 = v128.load(a, 112);
  const end = offs + (<usize>count << 2);
  while (offs < end) {
    const g = v128.load32_splat(vals);
    const src = x + <usize>load<i32>(offs);
    a0 = madd(g, v128.load(src), a0);
    a1 = madd(g, v128.load(src, 16), a1);
    a2 = madd(g, v128.load(src, 32), a2);
    a3 = madd(g, v128.load(src, 48), a3);
    a4 = madd(g, v128.load(src, 64), a4);
    a5 = madd(g, v128.load(src, 80), a5);
    a6 = madd(g, v128.load(src, 96), a6);
    a7 = madd(g, v128.load(src, 112), a7);
    offs += 4;
    vals += 4;
  }
  v128.store(a, a0);
  v128.store(a, a1, 16);
  v128.store(a, a2, 32);
  v128.store(a, a3, 48);
  v128.store(a, a4, 64);
  v128.store(a, a5, 80);
  v128.store(a, a6, 96);
  v128.store(a, a7, 112);
}

/** gather8 for 4 vectors. */
// @ts-ignore: decorator
@inline
export function gather4(a: usize, x: usize, offs: usize, vals: usize, count: i32): void {
  let a0 = v128.load(a);
  let a1 = v128.load(a, 16);
  let a2 = v128.load(a, 32);
  let a3 = v128.load(a, 48);
  const end = offs + (<usize>count << 2);
  while (offs < end) {
    const g = v128.load32_splat(vals);
    const src = x + <usize>load<i32>(offs);
    a0 = madd(g, v128.load(src), a0);
    a1 = madd(g, v128.load(src, 16), a1);
    a2 = madd(g, v128.load(src, 32), a2);
    a3 = madd(g, v128.load(src, 48), a3);
    offs += 4;
    vals += 4;
  }
  v128.store(a, a0);
  v128.store(a, a1, 16);
  v128.store(a, a2, 32);
  v128.store(a, a3, 48);
}

/** gather8 for 1 vector. */
// @ts-ignore: decorator
@inline
export function gather1(a: usize, x: usize, offs: usize, vals: usize, count: i32): void {
  let a0 = v128.load(a);
  const end = offs + (<usize>count << 2);
  while (offs < end) {
    a0 = madd(v128.load32_splat(vals), v128.load(x + <usize>load<i32>(offs)), a0);
    offs += 4;
    vals += 4;
  }
  v128.store(a, a0);
}


/**
 * The widest gather block (8, 4 or 1 vectors, in bytes) that fits in `bytes` (a multiple of 16),
 * and that block: a[0..width) += Σ_k vals[k] · (x + offs[k])[0..width).
 */
// @ts-ignore: decorator
@inline
export function blockWidth(bytes: usize): usize {
  return bytes >= 128 ? 128 : bytes >= 64 ? 64 : 16;
}

// @ts-ignore: decorator
@inline
export function gatherBlock(width: usize, a: usize, x: usize, offs: usize, vals: usize, count: i32): void {
  if (width == 128) gather8(a, x, offs, vals, count);
  else if (width == 64) gather4(a, x, offs, vals, count);
  else gather1(a, x, offs, vals, count);
}

/** a[0..bytes) += Σ_k vals[k] · (x + offs[k])[0..bytes) for `bytes` a multiple of 16: blocks of 8, 4 and 1 vectors, each over the whole list. */
// @ts-ignore: decorator
@inline
export function gatherRow(a: usize, x: usize, bytes: usize, offs: usize, vals: usize, count: i32): void {
  let b: usize = 0;
  while (b < bytes) {
    const width = blockWidth(bytes - b);
    gatherBlock(width, a + b, x + b, offs, vals, count);
    b += width;
  }
}
