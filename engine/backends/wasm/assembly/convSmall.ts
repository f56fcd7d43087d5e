// Direct convolution for few taps (Cin·kh·kw ≤ 27: the first layer of a CNN, 1 or 3 input
// channels, 3×3), stride 1, dilation 1, one group; the host's directPlan picks it (mode 2).
//
// With 9 taps convDirect's wide tiles also pay for the garbage columns, the copy of the wide
// output into y and the widening of dy. Here every tile sits on real positions of one output
// row and writes y (or reads dy) in place:
//
// - convSmall (forward): 4 filters × 8 positions of one output row per tile,
//   each tap's 4 weights broadcast once against two vectors read from the padded input; row
//   tails in tiles of 4 positions, the last one storing only the positions that exist.
// - convSmallFilter (3×3): for each sample, pair of filters, input channel and kernel row, the
//   row's 3 taps' dot products at once over the real positions of dy (row by row, 4 positions
//   a vector; a row's last 1 to 3 positions in one vector with the missing lanes masked off),
//   lanes combined at the end. No widened copy of dy, no garbage columns. (Nine accumulators,
//   all 9 taps of one filter or 3 filters × 3 taps, ran at half the speed in V8: keep ≤ 8.)
//
// Determinism: a forward output is Σ_k w·x in tap order, then + bias, on whatever thread. A dW
// element is Σ_n (lane sum of its accumulator), each accumulator a fixed sequence over the
// positions; threads split filters, never a sum.

import { madd } from './fma';
import { planeSum } from './conv';
import { padPlanes } from './convDirect';

// The parameter block of convDirect.ts (the host's directPlan writes it).
const P_N = 0;
const P_C = 1;
const P_H = 2;
const P_W = 3;
const P_F = 4;
const P_PT = 7;
const P_PL = 8;
const P_HO = 9;
const P_WO = 10;
const P_HP = 11;
const P_WP = 12;
const P_K = 14;

// @ts-ignore: decorator
@inline
function param(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** Stores the first n (1 to 4) lanes of v at dst. */
// @ts-ignore: decorator
@inline
function storePart(dst: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(dst, v);
    return;
  }
  store<f32>(dst, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(dst, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(dst, f32x4.extract_lane(v, 2), 8);
}

/**
 * 4 filters (one weight group, wpk [K][4]) × 8 positions from padded position xb: y rows of the
 * filters at y, y + plane, …; only the first nf filters are stored. bias: the group's 4 floats, or 0.
 */
// @ts-ignore: decorator
@inline
function tile4x8(K: i32, offs: usize, xb: usize, wpk: usize, y: usize, plane: usize, nf: i32, bias: usize): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let c0 = f32x4.splat(0);
  let c1 = f32x4.splat(0);
  let d0 = f32x4.splat(0);
  let d1 = f32x4.splat(0);
  const end = offs + (<usize>K << 2);
  while (offs < end) {
    const xa = xb + <usize>load<i32>(offs);
    const x0 = v128.load(xa);
    const x1 = v128.load(xa, 16);
    const w0 = v128.load32_splat(wpk);
    a0 = madd(w0, x0, a0);
    a1 = madd(w0, x1, a1);
    const w1 = v128.load32_splat(wpk, 4);
    b0 = madd(w1, x0, b0);
    b1 = madd(w1, x1, b1);
    const w2 = v128.load32_splat(wpk, 8);
    c0 = madd(w2, x0, c0);
    c1 = madd(w2, x1, c1);
    const w3 = v128.load32_splat(wpk, 12);
    d0 = madd(w3, x0, d0);
    d1 = madd(w3, x1, d1);
    offs += 4;
    wpk += 16;
  }
  // The bias joins each output after its sum, as a separate add does.
  if (bias) {
    const v0 = v128.load32_splat(bias);
    a0 = f32x4.add(a0, v0);
    a1 = f32x4.add(a1, v0);
    const v1 = v128.load32_splat(bias, 4);
    b0 = f32x4.add(b0, v1);
    b1 = f32x4.add(b1, v1);
    const v2 = v128.load32_splat(bias, 8);
    c0 = f32x4.add(c0, v2);
    c1 = f32x4.add(c1, v2);
    const v3 = v128.load32_splat(bias, 12);
    d0 = f32x4.add(d0, v3);
    d1 = f32x4.add(d1, v3);
  }
  v128.store(y, a0);
  v128.store(y, a1, 16);
  if (nf < 2) return;
  y += plane;
  v128.store(y, b0);
  v128.store(y, b1, 16);
  if (nf < 3) return;
  y += plane;
  v128.store(y, c0);
  v128.store(y, c1, 16);
  if (nf < 4) return;
  y += plane;
  v128.store(y, d0);
  v128.store(y, d1, 16);
}

/** tile4x8 for 4 positions, of which the first n (1 to 4) are stored. Same sums, same order. */
// @ts-ignore: decorator
@inline
function tile4x4(K: i32, offs: usize, xb: usize, wpk: usize, y: usize, plane: usize, nf: i32, bias: usize, n: i32): void {
  let a = f32x4.splat(0);
  let b = f32x4.splat(0);
  let c = f32x4.splat(0);
  let d = f32x4.splat(0);
  const end = offs + (<usize>K << 2);
  while (offs < end) {
    const x0 = v128.load(xb + <usize>load<i32>(offs));
    a = madd(v128.load32_splat(wpk), x0, a);
    b = madd(v128.load32_splat(wpk, 4), x0, b);
    c = madd(v128.load32_splat(wpk, 8), x0, c);
    d = madd(v128.load32_splat(wpk, 12), x0, d);
    offs += 4;
    wpk += 16;
  }
  if (bias) {
    a = f32x4.add(a, v128.load32_splat(bias));
    b = f32x4.add(b, v128.load32_splat(bias, 4));
    c = f32x4.add(c, v128.load32_splat(bias, 8));
    d = f32x4.add(d, v128.load32_splat(bias, 12));
  }
  storePart(y, a, n);
  if (nf > 1) storePart(y + plane, b, n);
  if (nf > 2) storePart(y + 2 * plane, c, n);
  if (nf > 3) storePart(y + 3 * plane, d, n);
}

/**
 * y[n] = conv(xpad) (+ bias) for one padded sample, weights packed in groups of 4 by
 * convPackWeights. tmp: 16 bytes of scratch for a group's bias.
 */
function convSmallSample(K: i32, F: i32, Ho: i32, Wo: i32, Wp: i32, offs: usize, xpad: usize, wpk: usize, yn: usize, tmp: usize, bias: usize): void {
  const plane = (<usize>Ho * Wo) << 2;
  for (let fb = 0; fb < F; fb += 4) {
    const nf = min(4, F - fb);
    const wb = wpk + ((<usize>fb * K) << 2);
    const yb = yn + <usize>fb * plane;
    let bg: usize = 0;
    if (bias) {
      for (let f = 0; f < 4; f++) store<f32>(tmp + (<usize>f << 2), f < nf ? load<f32>(bias + (<usize>(fb + f) << 2)) : 0);
      bg = tmp;
    }
    for (let oh = 0; oh < Ho; oh++) {
      const xr = xpad + ((<usize>oh * Wp) << 2);
      const yr = yb + ((<usize>oh * Wo) << 2);
      let ow = 0;
      for (; ow + 8 <= Wo; ow += 8) tile4x8(K, offs, xr + (<usize>ow << 2), wb, yr + (<usize>ow << 2), plane, nf, bg);
      // Reads up to 3 columns past the row: the next row's padding or SLACK, never stored.
      for (; ow < Wo; ow += 4) tile4x4(K, offs, xr + (<usize>ow << 2), wb, yr + (<usize>ow << 2), plane, nf, bg, Wo - ow);
    }
  }
}

/**
 * convDirect (same arguments) in mode 2: y[n] = conv(x[n]) (+ bias) for samples [n0, n1).
 * Scratch per thread: xpad (convPadBytes(C, Hp, Wp)) and 16 bytes at tmp.
 */
export function convSmall(p: usize, x: usize, wpk: usize, offs: usize, y: usize, n0: i32, n1: i32, xpad: usize, tmp: usize, bias: usize): void {
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const Ho = param(p, P_HO);
  const Wo = param(p, P_WO);
  const Hp = param(p, P_HP);
  const Wp = param(p, P_WP);
  const K = param(p, P_K);
  const pt = param(p, P_PT);
  const pl = param(p, P_PL);
  for (let n = n0; n < n1; n++) {
    padPlanes(x + ((<usize>n * C * H * W) << 2), C, H, W, pt, pl, Hp, Wp, xpad);
    convSmallSample(K, F, Ho, Wo, Wp, offs, xpad, wpk, y + ((<usize>n * F * Ho * Wo) << 2), tmp, bias);
  }
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// @ts-ignore: decorator
@inline
function put(dst: usize, v: f32, accumulate: bool): void {
  store<f32>(dst, accumulate ? load<f32>(dst) + v : v);
}

/** The first n (1 to 3) floats at p in the low lanes, zeros above: no read past p + n. */
// @ts-ignore: decorator
@inline
function loadPart(p: usize, n: i32): v128 {
  if (n == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  return n == 2 ? v : v128.load32_lane(p + 8, v, 2);
}

/**
 * o0/o1[0..3] (=|+=) Σ_p d0/d1[p]·x[p + (0, j)] for j = 0..2 over Ho×Wo planes d0, d1 (dense)
 * and padded rows from x (row stride Wp floats): one kernel row's taps, two filters.
 */
function dot2x3(Ho: i32, Wo: i32, Wp: i32, d0: usize, d1: usize, x: usize, o0: usize, o1: usize, acc: bool): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  const stride = <usize>Wp << 2;
  const full = Wo & ~3;
  const rest = Wo & 3;
  let mask = i32x4.splat(0);
  if (rest > 0) mask = i32x4.replace_lane(mask, 0, -1);
  if (rest > 1) mask = i32x4.replace_lane(mask, 1, -1);
  if (rest > 2) mask = i32x4.replace_lane(mask, 2, -1);
  const d1off = d1 - d0;
  for (let oh = 0; oh < Ho; oh++) {
    let dp = d0 + ((<usize>oh * Wo) << 2);
    let xp = x + <usize>oh * stride;
    const dEnd = dp + (<usize>full << 2);
    while (dp < dEnd) {
      const u = v128.load(dp);
      const v = v128.load(dp + d1off);
      const y0 = v128.load(xp);
      a0 = madd(u, y0, a0);
      b0 = madd(v, y0, b0);
      const y1 = v128.load(xp, 4);
      a1 = madd(u, y1, a1);
      b1 = madd(v, y1, b1);
      const y2 = v128.load(xp, 8);
      a2 = madd(u, y2, a2);
      b2 = madd(v, y2, b2);
      dp += 16;
      xp += 16;
    }
    if (rest) {
      const u = loadPart(dp, rest);
      const v = loadPart(dp + d1off, rest);
      const y0 = v128.load(xp);
      a0 = f32x4.add(a0, v128.and(f32x4.mul(u, y0), mask));
      b0 = f32x4.add(b0, v128.and(f32x4.mul(v, y0), mask));
      const y1 = v128.load(xp, 4);
      a1 = f32x4.add(a1, v128.and(f32x4.mul(u, y1), mask));
      b1 = f32x4.add(b1, v128.and(f32x4.mul(v, y1), mask));
      const y2 = v128.load(xp, 8);
      a2 = f32x4.add(a2, v128.and(f32x4.mul(u, y2), mask));
      b2 = f32x4.add(b2, v128.and(f32x4.mul(v, y2), mask));
    }
  }
  put(o0, hsum(a0), acc);
  put(o0 + 4, hsum(a1), acc);
  put(o0 + 8, hsum(a2), acc);
  put(o1, hsum(b0), acc);
  put(o1 + 4, hsum(b1), acc);
  put(o1 + 8, hsum(b2), acc);
}

/**
 * convDirectFilter (same arguments) for 3×3 kernels: dW[f0:f1][c0:c1] = Σ_n dy[n] ⋆ x[n],
 * samples in order (n = 0 overwrites), and db[f0:f1] when db ≠ 0. Scratch: xpad
 * (convPadBytes(c1 − c0, Hp, Wp)) and 64 bytes at sink, where an odd last filter's partner
 * (itself again) leaves its sums.
 */
export function convSmallFilter(
  p: usize, x: usize, dy: usize, dw: usize, f0: i32, f1: i32, c0: i32, c1: i32, xpad: usize, sink: usize, db: usize,
): void {
  const N = param(p, P_N);
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const Ho = param(p, P_HO);
  const Wo = param(p, P_WO);
  const Hp = param(p, P_HP);
  const Wp = param(p, P_WP);
  const pt = param(p, P_PT);
  const pl = param(p, P_PL);
  const nc = c1 - c0;
  const plane = Ho * Wo;
  if (f1 <= f0 || nc <= 0) return;
  if (N == 0) {
    for (let f = f0; f < f1; f++) memory.fill(dw + ((<usize>(f * C + c0) * 9) << 2), 0, <usize>(nc * 9) << 2);
    if (db) memory.fill(db + (<usize>f0 << 2), 0, <usize>(f1 - f0) << 2);
    return;
  }
  for (let n = 0; n < N; n++) {
    const acc = n > 0;
    padPlanes(x + ((<usize>(n * C + c0) * H * W) << 2), nc, H, W, pt, pl, Hp, Wp, xpad);
    if (db) {
      for (let f = f0; f < f1; f++) {
        const s = planeSum(dy + ((<usize>(n * F + f) * plane) << 2), plane);
        const o = db + (<usize>f << 2);
        store<f32>(o, acc ? load<f32>(o) + s : <f32>0 + s);
      }
    }
    for (let f = f0; f < f1; f += 2) {
      const pair = f + 1 < f1;
      const d0 = dy + ((<usize>(n * F + f) * plane) << 2);
      const d1 = pair ? d0 + (<usize>plane << 2) : d0;
      for (let c = 0; c < nc; c++) {
        const o0 = dw + ((<usize>((f * C + c0 + c) * 9)) << 2);
        const o1 = pair ? o0 + ((<usize>C * 9) << 2) : sink;
        // Each dW element's sum depends only on its own filter's dy: pairing changes nothing.
        for (let i = 0; i < 3; i++) {
          const xr = xpad + ((<usize>(c * Hp + i) * Wp) << 2);
          dot2x3(Ho, Wo, Wp, d0, d1, xr, o0 + 12 * i, o1 + 12 * i, acc);
        }
      }
    }
  }
}
