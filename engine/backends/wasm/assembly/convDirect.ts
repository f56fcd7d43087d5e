// Direct SIMD convolution for stride 1, dilation 1, one group (the 3×3 "same" convolutions of
// the lessons' CNNs), without im2col.
//
// The trick is a "wide" output: the input plane is zero-padded to Hp × Wp (Wp = Wo + kw − 1)
// and the output is computed at every position p = oh·Wp + ow with 0 ≤ ow < Wp, the columns
// ow ≥ Wo being garbage that is never copied out. Then the im2col row of tap q = (c, i, j) is
// the contiguous slice xpad[c·Hp·Wp + i·Wp + j + p], so the micro-kernels read the padded
// input (a few KiB, in L1) directly: no column matrix, no B packing. The price is Wp/Wo more
// positions (16/14 for 14×14, 30/28 for 28×28).
//
// - convDirect: y = conv(x, w) (+ bias) per sample. Mode 0: 2 filters × 16 wide positions per
//   micro-tile, then the valid columns are copied out. Mode 1 (many taps): 16 filters × 2 real
//   positions, no garbage columns, outputs stored transposed. The input gradient is the same
//   routine on dy with flipped, transposed weights (convPackWeights).
// - convDirectFilter: dW[f][q] = Σ_n Σ_p dy[n][f][p]·xpad[n][off(q) + p], dot products over
//   the wide positions (dy is widened with zeros in the garbage columns), 2 filters × the 3 or
//   4 taps of one kernel row.
//
// Determinism: every output element is one fixed sequence of mul/add (k or p in order; in the
// dot products f32x4 lanes combined as (l0 + l1) + (l2 + l3)) whichever chunk or micro-kernel
// computes it, and samples are summed in order; threads split samples (convDirect) or dW's
// filters/channels (convDirectFilter), never a sum.

import { madd } from './fma';
import { planeSum } from './conv';

// Layout of the i32 parameter block the host writes (see ../kernels/Conv2D.ts, directPlan).
const P_N = 0;
const P_C = 1; // input channels (of the routine: F for the input gradient)
const P_H = 2;
const P_W = 3;
const P_F = 4; // output channels
const P_KH = 5;
const P_KW = 6;
const P_PT = 7;
const P_PL = 8;
const P_HO = 9;
const P_WO = 10;
const P_HP = 11; // padded input height: Ho + kh − 1
const P_WP = 12; // padded input width: Wo + kw − 1
const P_PW = 13; // wide positions Ho·Wp, rounded up to 16
const P_K = 14; // taps C·kh·kw
const P_MODE = 15; // 0: wide 2×16 tiles (weights in pairs); 1: 16 filters × 2 positions (weights in 16s)

// @ts-ignore: decorator
@inline
function param(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** Floats past the last padded plane that wide tiles may read (zeroed): Pw − P + kw − 1 < 48. */
const SLACK: i32 = 64;

/** Bytes of per-thread scratch for the padded input: planes·Hp·Wp + SLACK floats. */
export function convPadBytes(planes: i32, Hp: i32, Wp: i32): i32 {
  return (planes * Hp * Wp + SLACK) << 2;
}

/**
 * Copies n floats. Rows here are short (7 to 30 floats) and there are hundreds per sample:
 * memory.copy's per-call cost in V8 would be most of the time.
 */
// @ts-ignore: decorator
@inline
function copyRow(dst: usize, src: usize, n: i32): void {
  const end = dst + (<usize>n << 2);
  const end4 = dst + (<usize>(n & ~3) << 2);
  while (dst < end4) {
    v128.store(dst, v128.load(src));
    dst += 16;
    src += 16;
  }
  while (dst < end) {
    store<f32>(dst, load<f32>(src));
    dst += 4;
    src += 4;
  }
}

/** copyRow plus b on every value: the bias rides along with the wide-to-dense copy. */
// @ts-ignore: decorator
@inline
function copyRowBias(dst: usize, src: usize, n: i32, b: f32): void {
  const bv = f32x4.splat(b);
  const end = dst + (<usize>n << 2);
  const end4 = dst + (<usize>(n & ~3) << 2);
  while (dst < end4) {
    v128.store(dst, f32x4.add(v128.load(src), bv));
    dst += 16;
    src += 16;
  }
  while (dst < end) {
    store<f32>(dst, load<f32>(src) + b);
    dst += 4;
    src += 4;
  }
}

/**
 * Zero-pads `planes` H×W planes at `src` into Hp×Wp planes at `dst` with the image at (pt, pl),
 * and zeroes SLACK floats after them. (convSmall.ts pads with it too.)
 */
export function padPlanes(src: usize, planes: i32, H: i32, W: i32, pt: i32, pl: i32, Hp: i32, Wp: i32, dst: usize): void {
  memory.fill(dst, 0, <usize>convPadBytes(planes, Hp, Wp));
  for (let c = 0; c < planes; c++) {
    const s = src + ((<usize>c * H * W) << 2);
    const d = dst + ((<usize>(c * Hp + pt) * Wp + pl) << 2);
    for (let h = 0; h < H; h++) copyRow(d + ((<usize>h * Wp) << 2), s + ((<usize>h * W) << 2), W);
  }
}

/**
 * Packs weights for convDirect into groups of `group` output channels, [⌈F'/group⌉][K'][group]
 * (missing channels of the last group are zeros), and writes the byte offset of each tap into
 * the padded input, offs[k] for k = (c, i, j). transpose = 0: the forward weights, w
 * [F][C][kh][kw] as is. transpose = 1: the input gradient's weights: output channel c, tap
 * (f, i, j) = w[f][c][kh−1−i][kw−1−j].
 */
export function convPackWeights(
  w: usize, F: i32, C: i32, kh: i32, kw: i32, transpose: i32, group: i32, Hp: i32, Wp: i32, wpk: usize, offs: usize,
): void {
  const kk = kh * kw;
  const outs = transpose ? C : F;
  const ins = transpose ? F : C;
  const K = ins * kk;
  const padded = ((outs + group - 1) / group) * group;
  for (let o = 0; o < padded; o++) {
    const dst = wpk + ((<usize>(o / group) * K * group + (o % group)) << 2);
    for (let k = 0; k < K; k++) {
      const c = k / kk;
      const i = (k % kk) / kw;
      const j = k % kw;
      const src = transpose ? ((c * C + o) * kh + (kh - 1 - i)) * kw + (kw - 1 - j) : ((o * C + c) * kh + i) * kw + j;
      store<f32>(dst + ((<usize>k * group) << 2), o < outs ? load<f32>(w + (<usize>src << 2)) : 0);
    }
  }
  for (let k = 0; k < K; k++) {
    const c = k / kk;
    const i = (k % kk) / kw;
    const j = k % kw;
    store<i32>(offs + (<usize>k << 2), ((c * Hp + i) * Wp + j) << 2);
  }
}

/**
 * One 2 × 16 tile of the wide output: out0/out1 (two filters, 16 positions from `xb`) =
 * Σ_k wpk[k][0|1] · xb[offs[k] .. + 16].
 */
// @ts-ignore: decorator
@inline
function tile2x16(K: i32, offs: usize, xb: usize, wpk: usize, out0: usize, out1: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c02 = f32x4.splat(0);
  let c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c12 = f32x4.splat(0);
  let c13 = f32x4.splat(0);
  const end = offs + (<usize>K << 2);
  while (offs < end) {
    const xa = xb + <usize>load<i32>(offs);
    const x0 = v128.load(xa);
    const x1 = v128.load(xa, 16);
    const x2 = v128.load(xa, 32);
    const x3 = v128.load(xa, 48);
    const w0 = v128.load32_splat(wpk);
    c00 = madd(w0, x0, c00);
    c01 = madd(w0, x1, c01);
    c02 = madd(w0, x2, c02);
    c03 = madd(w0, x3, c03);
    const w1 = v128.load32_splat(wpk, 4);
    c10 = madd(w1, x0, c10);
    c11 = madd(w1, x1, c11);
    c12 = madd(w1, x2, c12);
    c13 = madd(w1, x3, c13);
    offs += 4;
    wpk += 8;
  }
  v128.store(out0, c00);
  v128.store(out0, c01, 16);
  v128.store(out0, c02, 32);
  v128.store(out0, c03, 48);
  v128.store(out1, c10);
  v128.store(out1, c11, 16);
  v128.store(out1, c12, 32);
  v128.store(out1, c13, 48);
}

/**
 * One 16 × 2 tile: 16 output channels (one weight group) at two neighbouring positions, xb
 * and xb + 4 in padded coordinates. Every position is a real one (no wide garbage), so this
 * is the better tile when K is large enough to hide the transposed stores. The tile goes to
 * tmp[0..128) (bytes); convSample16x2 keeps the group's bias at tmp[128..192).
 * Each output is the same k-ordered sequence of mul/add as in tile2x16.
 */
// @ts-ignore: decorator
@inline
function tile16x2(K: i32, offs: usize, xb: usize, wpk: usize, tmp: usize): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  let b3 = f32x4.splat(0);
  const end = offs + (<usize>K << 2);
  while (offs < end) {
    const xa = xb + <usize>load<i32>(offs);
    const s0 = v128.load32_splat(xa);
    const s1 = v128.load32_splat(xa, 4);
    const w0 = v128.load(wpk);
    a0 = madd(w0, s0, a0);
    b0 = madd(w0, s1, b0);
    const w1 = v128.load(wpk, 16);
    a1 = madd(w1, s0, a1);
    b1 = madd(w1, s1, b1);
    const w2 = v128.load(wpk, 32);
    a2 = madd(w2, s0, a2);
    b2 = madd(w2, s1, b2);
    const w3 = v128.load(wpk, 48);
    a3 = madd(w3, s0, a3);
    b3 = madd(w3, s1, b3);
    offs += 4;
    wpk += 64;
  }
  v128.store(tmp, a0);
  v128.store(tmp, a1, 16);
  v128.store(tmp, a2, 32);
  v128.store(tmp, a3, 48);
  v128.store(tmp, b0, 64);
  v128.store(tmp, b1, 80);
  v128.store(tmp, b2, 96);
  v128.store(tmp, b3, 112);
}

/** convDirect's mode 1 for one padded sample: 16 × 2 tiles straight into y[n]. */
function convSample16x2(K: i32, F: i32, Ho: i32, Wo: i32, Wp: i32, offs: usize, xpad: usize, wpk: usize, yn: usize, tmp: usize, bias: usize): void {
  const planeBytes = (<usize>Ho * Wo) << 2;
  for (let fb = 0; fb < F; fb += 16) {
    const nf = min(16, F - fb);
    const wb = wpk + ((<usize>fb * K) << 2);
    const yb = yn + <usize>fb * planeBytes;
    // The bias joins each output after its sum, as a separate add does.
    if (bias) {
      for (let f = 0; f < 16; f++) store<f32>(tmp + (<usize>f << 2), f < nf ? load<f32>(bias + (<usize>(fb + f) << 2)) : 0, 128);
    } else {
      memory.fill(tmp + 128, 0, 64);
    }
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow += 2) {
        // With odd Wo the last tile's second position is a padding column: computed, not kept.
        tile16x2(K, offs, xpad + ((<usize>(oh * Wp + ow)) << 2), wb, tmp);
        const y0 = yb + ((<usize>(oh * Wo + ow)) << 2);
        for (let f = 0; f < nf; f++) store<f32>(y0 + <usize>f * planeBytes, load<f32>(tmp + (<usize>f << 2)) + load<f32>(tmp + (<usize>f << 2), 128));
        if (ow + 1 < Wo) {
          for (let f = 0; f < nf; f++) store<f32>(y0 + <usize>f * planeBytes, load<f32>(tmp + (<usize>f << 2), 64) + load<f32>(tmp + (<usize>f << 2), 128), 4);
        }
      }
    }
  }
}

/** Bytes of per-thread scratch for the wide output: 2·⌈F/2⌉ rows of Pw floats. */
export function convWideBytes(F: i32, Pw: i32): i32 {
  return (((F + 1) & ~1) * Pw) << 2;
}

/**
 * y[n] = conv(x[n]) for samples [n0, n1), with weights and offsets from convPackWeights.
 * Scratch per thread: xpad (convPadBytes(C, Hp, Wp)) and ywide (convWideBytes(F, Pw); 192 bytes in
 * mode 1). `bias`: F floats added to the outputs, or 0.
 */
export function convDirect(p: usize, x: usize, wpk: usize, offs: usize, y: usize, n0: i32, n1: i32, xpad: usize, ywide: usize, bias: usize): void {
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const Ho = param(p, P_HO);
  const Wo = param(p, P_WO);
  const Hp = param(p, P_HP);
  const Wp = param(p, P_WP);
  const Pw = param(p, P_PW);
  const K = param(p, P_K);
  const pt = param(p, P_PT);
  const pl = param(p, P_PL);
  const pairs = (F + 1) >> 1;
  const rowBytes = <usize>Pw << 2;
  const woBytes = <usize>Wo << 2;
  for (let n = n0; n < n1; n++) {
    padPlanes(x + ((<usize>n * C * H * W) << 2), C, H, W, pt, pl, Hp, Wp, xpad);
    if (param(p, P_MODE) == 1) {
      convSample16x2(K, F, Ho, Wo, Wp, offs, xpad, wpk, y + ((<usize>n * F * Ho * Wo) << 2), ywide, bias);
      continue;
    }
    for (let t = 0; t < Pw; t += 16) {
      const xb = xpad + (<usize>t << 2);
      for (let fp = 0; fp < pairs; fp++) {
        const out0 = ywide + (<usize>(2 * fp) * rowBytes) + (<usize>t << 2);
        tile2x16(K, offs, xb, wpk + ((<usize>fp * K * 2) << 2), out0, out0 + rowBytes);
      }
    }
    // Keep the Wo valid columns of each wide row.
    const yn = y + ((<usize>n * F * Ho * Wo) << 2);
    for (let f = 0; f < F; f++) {
      const src = ywide + <usize>f * rowBytes;
      const dst = yn + ((<usize>f * Ho * Wo) << 2);
      if (bias) {
        const b = load<f32>(bias + (<usize>f << 2));
        for (let oh = 0; oh < Ho; oh++) copyRowBias(dst + <usize>oh * woBytes, src + ((<usize>oh * Wp) << 2), Wo, b);
      } else {
        for (let oh = 0; oh < Ho; oh++) copyRow(dst + <usize>oh * woBytes, src + ((<usize>oh * Wp) << 2), Wo);
      }
    }
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

/** Σ_p d[p]·x[p] over len floats (a multiple of 4), lanes combined by hsum. */
// @ts-ignore: decorator
@inline
function dot1(len: i32, d: usize, x: usize): f32 {
  let acc = f32x4.splat(0);
  const end = d + (<usize>len << 2);
  while (d < end) {
    acc = madd(v128.load(d), v128.load(x), acc);
    d += 16;
    x += 16;
  }
  return hsum(acc);
}

// Two filters' rows d0, d1 against three or four neighbouring taps (i, j..j+3) of one kernel
// row: one base pointer with constant offsets. (Four separate tap pointers ran 3× slower in V8.)

/** o0/o1[0..4] (=|+=) Σ_p d0/d1[p]·x[p + 0..3]. */
// @ts-ignore: decorator
@inline
function dot2x4(len: i32, d0: usize, d1: usize, x: usize, o0: usize, o1: usize, acc: bool): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  let b3 = f32x4.splat(0);
  const end = d0 + (<usize>len << 2);
  while (d0 < end) {
    const u = v128.load(d0);
    const v = v128.load(d1);
    const y0 = v128.load(x);
    a0 = madd(u, y0, a0);
    b0 = madd(v, y0, b0);
    const y1 = v128.load(x, 4);
    a1 = madd(u, y1, a1);
    b1 = madd(v, y1, b1);
    const y2 = v128.load(x, 8);
    a2 = madd(u, y2, a2);
    b2 = madd(v, y2, b2);
    const y3 = v128.load(x, 12);
    a3 = madd(u, y3, a3);
    b3 = madd(v, y3, b3);
    d0 += 16;
    d1 += 16;
    x += 16;
  }
  put(o0, hsum(a0), acc);
  put(o0 + 4, hsum(a1), acc);
  put(o0 + 8, hsum(a2), acc);
  put(o0 + 12, hsum(a3), acc);
  put(o1, hsum(b0), acc);
  put(o1 + 4, hsum(b1), acc);
  put(o1 + 8, hsum(b2), acc);
  put(o1 + 12, hsum(b3), acc);
}

/** o0/o1[0..3] (=|+=) Σ_p d0/d1[p]·x[p + 0..2]. */
// @ts-ignore: decorator
@inline
function dot2x3(len: i32, d0: usize, d1: usize, x: usize, o0: usize, o1: usize, acc: bool): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  const end = d0 + (<usize>len << 2);
  while (d0 < end) {
    const u = v128.load(d0);
    const v = v128.load(d1);
    const y0 = v128.load(x);
    a0 = madd(u, y0, a0);
    b0 = madd(v, y0, b0);
    const y1 = v128.load(x, 4);
    a1 = madd(u, y1, a1);
    b1 = madd(v, y1, b1);
    const y2 = v128.load(x, 8);
    a2 = madd(u, y2, a2);
    b2 = madd(v, y2, b2);
    d0 += 16;
    d1 += 16;
    x += 16;
  }
  put(o0, hsum(a0), acc);
  put(o0 + 4, hsum(a1), acc);
  put(o0 + 8, hsum(a2), acc);
  put(o1, hsum(b0), acc);
  put(o1 + 4, hsum(b1), acc);
  put(o1 + 8, hsum(b2), acc);
}

/** Byte offset of local tap q = (c, i, j) in a padded block of channels. */
// @ts-ignore: decorator
@inline
function tapOffset(q: i32, kk: i32, kw: i32, Hp: i32, Wp: i32): usize {
  const c = q / kk;
  const r = q % kk;
  return <usize>(((c * Hp + r / kw) * Wp + r % kw) << 2);
}

/**
 * dW[f0:f1][c0:c1] = Σ_n (dy[n] ⋆ x[n]) for the forward routine's geometry, samples in order
 * (n = 0 overwrites), and, when db ≠ 0, the bias gradient db[f0:f1] as convBiasGrad computes
 * it (one chunk per filter asks for it). Scratch per thread: xpad (convPadBytes(c1 − c0, Hp,
 * Wp)) and dyw (convWideBytes(f1 − f0, Pw)).
 */
export function convDirectFilter(
  p: usize, x: usize, dy: usize, dw: usize, f0: i32, f1: i32, c0: i32, c1: i32, xpad: usize, dyw: usize, db: usize,
): void {
  const N = param(p, P_N);
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const kh = param(p, P_KH);
  const kw = param(p, P_KW);
  const Ho = param(p, P_HO);
  const Wo = param(p, P_WO);
  const Hp = param(p, P_HP);
  const Wp = param(p, P_WP);
  const Pw = param(p, P_PW);
  const pt = param(p, P_PT);
  const pl = param(p, P_PL);
  const kk = kh * kw;
  const nf = f1 - f0;
  const nq = (c1 - c0) * kk;
  const rowBytes = <usize>Pw << 2;
  if (nf <= 0 || nq <= 0) return;
  if (N == 0) {
    for (let f = f0; f < f1; f++) memory.fill(dw + ((<usize>(f * C + c0) * kk) << 2), 0, <usize>nq << 2);
    if (db) memory.fill(db + (<usize>f0 << 2), 0, <usize>nf << 2);
    return;
  }
  for (let n = 0; n < N; n++) {
    const acc = n > 0;
    padPlanes(x + ((<usize>(n * C + c0) * H * W) << 2), c1 - c0, H, W, pt, pl, Hp, Wp, xpad);
    if (db) {
      for (let f = f0; f < f1; f++) {
        const s = planeSum(dy + ((<usize>(n * F + f) * Ho * Wo) << 2), Ho * Wo);
        const o = db + (<usize>f << 2);
        store<f32>(o, acc ? load<f32>(o) + s : <f32>0 + s);
      }
    }
    // dy's rows of filters [f0, f1), widened: Wo values then zeros up to Wp, zeros after Ho·Wp.
    memory.fill(dyw, 0, <usize>nf * rowBytes);
    for (let f = 0; f < nf; f++) {
      const s = dy + ((<usize>(n * F + f0 + f) * Ho * Wo) << 2);
      const d = dyw + <usize>f * rowBytes;
      for (let oh = 0; oh < Ho; oh++) copyRow(d + ((<usize>oh * Wp) << 2), s + ((<usize>oh * Wo) << 2), Wo);
    }
    for (let f = 0; f < nf; f += 2) {
      const d0 = dyw + <usize>f * rowBytes;
      const o0 = dw + ((<usize>((f0 + f) * C + c0) * kk) << 2);
      if (f + 1 < nf) {
        // A filter pair: each kernel row's taps in groups of four, then three, then singles.
        const d1 = d0 + rowBytes;
        const o1 = o0 + ((<usize>C * kk) << 2);
        for (let c = 0; c < c1 - c0; c++) {
          for (let i = 0; i < kh; i++) {
            const xr = xpad + ((<usize>(c * Hp + i) * Wp) << 2);
            const q = (c * kh + i) * kw;
            let j = 0;
            for (; j + 4 <= kw; j += 4) dot2x4(Pw, d0, d1, xr + (<usize>j << 2), o0 + (<usize>(q + j) << 2), o1 + (<usize>(q + j) << 2), acc);
            if (j + 3 == kw) {
              dot2x3(Pw, d0, d1, xr + (<usize>j << 2), o0 + (<usize>(q + j) << 2), o1 + (<usize>(q + j) << 2), acc);
              continue;
            }
            for (; j < kw; j++) {
              const xj = xr + (<usize>j << 2);
              put(o0 + (<usize>(q + j) << 2), dot1(Pw, d0, xj), acc);
              put(o1 + (<usize>(q + j) << 2), dot1(Pw, d1, xj), acc);
            }
          }
        }
      } else {
        for (let q = 0; q < nq; q++) put(o0 + (<usize>q << 2), dot1(Pw, d0, xpad + tapOffset(q, kk, kw, Hp, Wp)), acc);
      }
    }
  }
}
