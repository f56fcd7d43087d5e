// Winograd F(2×2, 3×3) for 3×3, stride 1, pad 1 ("same") convolutions (Lavin & Gray 2015):
// each 2×2 output tile is Y = Aᵀ[Σ_ci (G g Gᵀ) ⊙ (Bᵀ d B)]A from the 4×4 input tile d, 16
// multiplications per (input channel, output channel) instead of 36. The channel sums become
// 16 independent GEMMs, one per position ξ of the transformed 4×4 tile:
//   M[ξ][co][tile] = Σ_ci U[ξ][ci][co] · V[ξ][ci][tile].
//
// - winogradFilter: U = G g Gᵀ for every (ci, co), once per call, in groups of 4 output
//   channels (zeros past the last), [16][⌈Cout/4⌉][Cin][4]. transpose = 1 gives the input
//   gradient's filters: output channel c, input channel f, w[f][c] rotated 180°.
// - winogradConv: per sample, the input is zero-padded by one with each padded row split into
//   its even and odd columns (E | O), so that the 4 columns of tile tw are E[tw], O[tw],
//   E[tw+1], O[tw+1]: the input transform runs on 4 horizontally adjacent tiles per f32x4 with
//   plain loads. The sample's tiles are taken a block of tile rows at a time (host: ROWS), tiles
//   numbered flat within the block (row·TW + tw, so rows do not round up to 4 each): transform
//   the block into V, then for each group of 4 output channels run the 16 GEMMs into a small M
//   (4 channels × 8 tiles per micro-tile, then 4) and inverse-transform M straight into y (+ bias).
//   Odd H or W: the padded input has an extra zero row/column and outputs outside the image are
//   dropped.
//
// Determinism: each output is Aᵀ(Σ_ci in order …)A, the same float operations whichever chunk
// or thread computes it; threads split samples.

import { madd } from './fma';

// Layout of the i32 parameter block the host writes (../kernels/winograd.ts).
const P_C = 1; // input channels of the routine
const P_H = 2; // image height = output height
const P_W = 3;
const P_F = 4; // output channels
const P_TH = 5; // tile rows ⌈H/2⌉
const P_TW = 6; // tile columns ⌈W/2⌉
const P_HP = 7; // padded rows 2·TH + 2
const P_EW = 8; // floats of each half (E, O) of a padded row; a row is 2·EW
const P_ROWS = 9; // tile rows per block
const P_TB = 10; // tiles of the V/M buffers (multiple of 4)
const P_COB = 11; // groups of 4 output channels
const P_XS = 12; // floats between ξ planes of V (≥ C·TB, an odd number of cache lines)
const P_MS = 13; // floats between ξ planes of M (≥ 4·TB, likewise)

// @ts-ignore: decorator
@inline
function param(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** Filter transform, see the header. u = G g Gᵀ with G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]]. */
export function winogradFilter(w: usize, F: i32, C: i32, transpose: i32, U: usize): void {
  const outs = transpose ? C : F;
  const ins = transpose ? F : C;
  const cob = (outs + 3) >> 2;
  // G g, 4 × 3, in static memory: only the calling thread runs this, before the chunks start.
  const t = memory.data(48);
  for (let o = 0; o < cob * 4; o++) {
    for (let i = 0; i < ins; i++) {
      // g[a][b]: the 3×3 filter from input channel i to output channel o (transpose: w[i][o]
      // rotated 180°, g[a][b] = w[i][o][2 − a][2 − b]).
      const base = transpose ? (<usize>(i * C + o) * 9) : (<usize>(o * C + i) * 9);
      for (let b = 0; b < 3; b++) {
        let g0: f32 = 0;
        let g1: f32 = 0;
        let g2: f32 = 0;
        if (o < outs) {
          if (transpose) {
            g0 = load<f32>(w + ((base + <usize>(8 - b)) << 2));
            g1 = load<f32>(w + ((base + <usize>(5 - b)) << 2));
            g2 = load<f32>(w + ((base + <usize>(2 - b)) << 2));
          } else {
            g0 = load<f32>(w + ((base + <usize>b) << 2));
            g1 = load<f32>(w + ((base + <usize>(3 + b)) << 2));
            g2 = load<f32>(w + ((base + <usize>(6 + b)) << 2));
          }
        }
        // Column b of G g.
        store<f32>(t + ((<usize>b) << 2), g0);
        store<f32>(t + ((<usize>(3 + b)) << 2), (g0 + g1 + g2) * 0.5);
        store<f32>(t + ((<usize>(6 + b)) << 2), (g0 - g1 + g2) * 0.5);
        store<f32>(t + ((<usize>(9 + b)) << 2), g2);
      }
      for (let a = 0; a < 4; a++) {
        const r0 = load<f32>(t + ((<usize>(a * 3)) << 2));
        const r1 = load<f32>(t + ((<usize>(a * 3 + 1)) << 2));
        const r2 = load<f32>(t + ((<usize>(a * 3 + 2)) << 2));
        const u0 = r0;
        const u1 = (r0 + r1 + r2) * 0.5;
        const u2 = (r0 - r1 + r2) * 0.5;
        const u3 = r2;
        store<f32>(U + uIndex(a * 4, o, i, ins, cob), u0);
        store<f32>(U + uIndex(a * 4 + 1, o, i, ins, cob), u1);
        store<f32>(U + uIndex(a * 4 + 2, o, i, ins, cob), u2);
        store<f32>(U + uIndex(a * 4 + 3, o, i, ins, cob), u3);
      }
    }
  }
}

/** Byte offset of U[ξ][o / 4][i][o % 4]. */
// @ts-ignore: decorator
@inline
function uIndex(xi: i32, o: i32, i: i32, ins: i32, cob: i32): usize {
  return <usize>(((xi * cob + (o >> 2)) * ins + i) * 4 + (o & 3)) << 2;
}

/**
 * Pads and splits sample planes for the input transform: padded row r (image row r − 1) holds
 * padded column c (image column c − 1) at E[c / 2] (c even) or O[c / 2] (c odd); all else zero.
 */
function padSplit(src: usize, C: i32, H: i32, W: i32, HP: i32, EW: i32, dst: usize): void {
  memory.fill(dst, 0, <usize>(C * HP * 2 * EW) << 2);
  for (let c = 0; c < C; c++) {
    for (let h = 0; h < H; h++) {
      const s = src + ((<usize>(c * H + h) * W) << 2);
      const e = dst + ((<usize>(c * HP + h + 1) * 2 * EW) << 2);
      const o = e + (<usize>EW << 2);
      // Image column w is padded column w + 1: w even → O[w / 2], w odd → E[(w + 1) / 2].
      let w = 0;
      for (; w + 8 <= W; w += 8) {
        const a = v128.load(s + (<usize>w << 2));
        const b = v128.load(s + (<usize>w << 2), 16);
        const half = <usize>(w >> 1) << 2;
        v128.store(o + half, v128.shuffle<f32>(a, b, 0, 2, 4, 6));
        v128.store(e + half, v128.shuffle<f32>(a, b, 1, 3, 5, 7), 4);
      }
      if (w + 4 <= W) {
        const a = v128.load(s + (<usize>w << 2));
        const half = <usize>(w >> 1) << 2;
        v128.store64_lane(o + half, v128.shuffle<f32>(a, a, 0, 2, 0, 2), 0);
        v128.store64_lane(e + half, v128.shuffle<f32>(a, a, 1, 3, 1, 3), 0, 4);
        w += 4;
      }
      for (; w < W; w++) {
        const v = load<f32>(s + (<usize>w << 2));
        if (w & 1) store<f32>(e + (<usize>((w + 1) >> 1) << 2), v);
        else store<f32>(o + (<usize>(w >> 1) << 2), v);
      }
    }
  }
}

/**
 * V[ξ][ci][t .. t + 4) for the 4 tiles from tw of tile row th (rows start at `row`, the padded
 * row 2·th of channel ci): Bᵀ d B with Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]].
 * `v` is V[0][ci][t]; `xs` the byte stride between ξ planes of V.
 */
// @ts-ignore: decorator
@inline
function inputTile(row: usize, EW: i32, v: usize, xs: usize): void {
  const rs = <usize>(2 * EW) << 2; // bytes per padded row
  const os = <usize>EW << 2; // E → O
  // Per padded row i: u_i = d_i B, the column transform, for 4 tiles at once.
  let e = v128.load(row);
  let o = v128.load(row + os);
  let e1 = v128.load(row, 4);
  let o1 = v128.load(row + os, 4);
  const a0 = f32x4.sub(e, e1);
  const a1 = f32x4.add(o, e1);
  const a2 = f32x4.sub(e1, o);
  const a3 = f32x4.sub(o, o1);
  e = v128.load(row + rs);
  o = v128.load(row + rs + os);
  e1 = v128.load(row + rs, 4);
  o1 = v128.load(row + rs + os, 4);
  const b0 = f32x4.sub(e, e1);
  const b1 = f32x4.add(o, e1);
  const b2 = f32x4.sub(e1, o);
  const b3 = f32x4.sub(o, o1);
  e = v128.load(row + 2 * rs);
  o = v128.load(row + 2 * rs + os);
  e1 = v128.load(row + 2 * rs, 4);
  o1 = v128.load(row + 2 * rs + os, 4);
  const c0 = f32x4.sub(e, e1);
  const c1 = f32x4.add(o, e1);
  const c2 = f32x4.sub(e1, o);
  const c3 = f32x4.sub(o, o1);
  e = v128.load(row + 3 * rs);
  o = v128.load(row + 3 * rs + os);
  e1 = v128.load(row + 3 * rs, 4);
  o1 = v128.load(row + 3 * rs + os, 4);
  const d0 = f32x4.sub(e, e1);
  const d1 = f32x4.add(o, e1);
  const d2 = f32x4.sub(e1, o);
  const d3 = f32x4.sub(o, o1);
  // Then the row transform: ξ = 4·i + j.
  v128.store(v, f32x4.sub(a0, c0));
  v128.store(v + xs, f32x4.sub(a1, c1));
  v128.store(v + 2 * xs, f32x4.sub(a2, c2));
  v128.store(v + 3 * xs, f32x4.sub(a3, c3));
  v128.store(v + 4 * xs, f32x4.add(b0, c0));
  v128.store(v + 5 * xs, f32x4.add(b1, c1));
  v128.store(v + 6 * xs, f32x4.add(b2, c2));
  v128.store(v + 7 * xs, f32x4.add(b3, c3));
  v128.store(v + 8 * xs, f32x4.sub(c0, b0));
  v128.store(v + 9 * xs, f32x4.sub(c1, b1));
  v128.store(v + 10 * xs, f32x4.sub(c2, b2));
  v128.store(v + 11 * xs, f32x4.sub(c3, b3));
  v128.store(v + 12 * xs, f32x4.sub(b0, d0));
  v128.store(v + 13 * xs, f32x4.sub(b1, d1));
  v128.store(v + 14 * xs, f32x4.sub(b2, d2));
  v128.store(v + 15 * xs, f32x4.sub(b3, d3));
}

/**
 * m[l][t .. t + 8) = Σ_ci u[ci][l] · v[ci][t .. t + 8) for the 4 output channels l of one
 * group: v is V[ξ][0][t] (ci stride vs bytes), u is U[ξ][group][0][0], m is M[ξ][0][t]
 * (l stride ms bytes). Each sum runs over ci in order.
 */
// @ts-ignore: decorator
@inline
function gemm4x8(C: i32, v: usize, vs: usize, u: usize, m: usize, ms: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  const end = u + (<usize>C << 4);
  while (u < end) {
    const x0 = v128.load(v);
    const x1 = v128.load(v, 16);
    const w0 = v128.load32_splat(u);
    c00 = madd(w0, x0, c00);
    c01 = madd(w0, x1, c01);
    const w1 = v128.load32_splat(u, 4);
    c10 = madd(w1, x0, c10);
    c11 = madd(w1, x1, c11);
    const w2 = v128.load32_splat(u, 8);
    c20 = madd(w2, x0, c20);
    c21 = madd(w2, x1, c21);
    const w3 = v128.load32_splat(u, 12);
    c30 = madd(w3, x0, c30);
    c31 = madd(w3, x1, c31);
    u += 16;
    v += vs;
  }
  v128.store(m, c00);
  v128.store(m, c01, 16);
  v128.store(m + ms, c10);
  v128.store(m + ms, c11, 16);
  v128.store(m + 2 * ms, c20);
  v128.store(m + 2 * ms, c21, 16);
  v128.store(m + 3 * ms, c30);
  v128.store(m + 3 * ms, c31, 16);
}

/** gemm4x8 for the last 4 tiles of a block whose tile count is 4 mod 8. */
// @ts-ignore: decorator
@inline
function gemm4x4(C: i32, v: usize, vs: usize, u: usize, m: usize, ms: usize): void {
  let c0 = f32x4.splat(0);
  let c1 = f32x4.splat(0);
  let c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0);
  const end = u + (<usize>C << 4);
  while (u < end) {
    const x0 = v128.load(v);
    c0 = madd(v128.load32_splat(u), x0, c0);
    c1 = madd(v128.load32_splat(u, 4), x0, c1);
    c2 = madd(v128.load32_splat(u, 8), x0, c2);
    c3 = madd(v128.load32_splat(u, 12), x0, c3);
    u += 16;
    v += vs;
  }
  v128.store(m, c0);
  v128.store(m + ms, c1);
  v128.store(m + 2 * ms, c2);
  v128.store(m + 3 * ms, c3);
}

/**
 * y = conv3×3 same (x, w) (+ bias) for samples [n0, n1): U from winogradFilter; per-thread
 * scratch xpad (C·HP·2·EW floats), V (16·XS floats), M (16·MS floats).
 */
export function winogradConv(p: usize, x: usize, U: usize, y: usize, n0: i32, n1: i32, xpad: usize, V: usize, M: usize, bias: usize): void {
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const TH = param(p, P_TH);
  const TW = param(p, P_TW);
  const HP = param(p, P_HP);
  const EW = param(p, P_EW);
  const ROWS = param(p, P_ROWS);
  const TB = param(p, P_TB);
  const COB = param(p, P_COB);
  const vs = <usize>TB << 2; // bytes between ci rows of V, and between channels l of M
  // The 16 ξ planes are written (V) and read (M) together: an odd number of cache lines
  // apart they fall in 16 different L1 sets (4 KiB apart they all fell in one, 1.6× slower).
  const xs = <usize>param(p, P_XS) << 2; // bytes between ξ planes of V
  const ms = <usize>param(p, P_MS) << 2; // bytes between ξ planes of M
  const planeBytes = <usize>(H * W) << 2;
  const rowBytes = <usize>(2 * EW) << 2;
  const tw4 = (TW + 3) & ~3;
  for (let n = n0; n < n1; n++) {
    padSplit(x + <usize>n * C * planeBytes, C, H, W, HP, EW, xpad);
    const yn = y + <usize>n * F * planeBytes;
    for (let r0 = 0; r0 < TH; r0 += ROWS) {
      const r1 = min(r0 + ROWS, TH);
      // Tiles in this block, rounded up to 4 (the 4-wide transforms of the last row may run up
      // to tw4 past its start): 8 at a time, then 4 (49 tiles of a 14×14 image: 52, not 56).
      const nT = ((r1 - r0 - 1) * TW + tw4 + 3) & ~3;
      for (let ci = 0; ci < C; ci++) {
        for (let th = r0; th < r1; th++) {
          const row = xpad + <usize>(ci * HP + 2 * th) * rowBytes;
          const v = V + <usize>ci * vs + (<usize>((th - r0) * TW) << 2);
          for (let tw = 0; tw < TW; tw += 4) inputTile(row + (<usize>tw << 2), EW, v + (<usize>tw << 2), xs);
        }
      }
      for (let cb = 0; cb < COB; cb++) {
        for (let xi = 0; xi < 16; xi++) {
          const u = U + ((<usize>(xi * COB + cb) * C) << 4);
          let t = 0;
          for (; t + 8 <= nT; t += 8) {
            gemm4x8(C, V + <usize>xi * xs + (<usize>t << 2), vs, u, M + <usize>xi * ms + (<usize>t << 2), vs);
          }
          if (t < nT) gemm4x4(C, V + <usize>xi * xs + (<usize>t << 2), vs, u, M + <usize>xi * ms + (<usize>t << 2), vs);
        }
        for (let l = 0; l < 4; l++) {
          const co = cb * 4 + l;
          if (co >= F) break;
          const b = f32x4.splat(bias ? load<f32>(bias + (<usize>co << 2)) : 0);
          const yc = yn + <usize>co * planeBytes;
          for (let th = r0; th < r1; th++) {
            for (let tw = 0; tw < TW; tw += 4) {
              outputTiles(M + <usize>l * vs + (<usize>((th - r0) * TW + tw) << 2), ms, b, yc, H, W, th, tw, TW);
            }
          }
        }
      }
    }
  }
}

/**
 * y's 2×2 tiles for 4 tiles from (th, tw) of one channel: Aᵀ m A + b with
 * Aᵀ = [[1,1,1,0],[0,1,−1,−1]]; m is M[0][l][t] (ξ stride ms bytes). Outputs past the image
 * (odd H or W, tiles past TW) are dropped.
 */
// @ts-ignore: decorator
@inline
function outputTiles(m: usize, ms: usize, b: v128, yc: usize, H: i32, W: i32, th: i32, tw: i32, TW: i32): void {
  // s_i = row i of Aᵀ·m, for the 4 columns j.
  const m0 = v128.load(m);
  const m1 = v128.load(m + ms);
  const m2 = v128.load(m + 2 * ms);
  const m3 = v128.load(m + 3 * ms);
  const m4 = v128.load(m + 4 * ms);
  const m5 = v128.load(m + 5 * ms);
  const m6 = v128.load(m + 6 * ms);
  const m7 = v128.load(m + 7 * ms);
  const m8 = v128.load(m + 8 * ms);
  const m9 = v128.load(m + 9 * ms);
  const m10 = v128.load(m + 10 * ms);
  const m11 = v128.load(m + 11 * ms);
  const m12 = v128.load(m + 12 * ms);
  const m13 = v128.load(m + 13 * ms);
  const m14 = v128.load(m + 14 * ms);
  const m15 = v128.load(m + 15 * ms);
  const s00 = f32x4.add(f32x4.add(m0, m4), m8);
  const s01 = f32x4.add(f32x4.add(m1, m5), m9);
  const s02 = f32x4.add(f32x4.add(m2, m6), m10);
  const s03 = f32x4.add(f32x4.add(m3, m7), m11);
  const s10 = f32x4.sub(f32x4.sub(m4, m8), m12);
  const s11 = f32x4.sub(f32x4.sub(m5, m9), m13);
  const s12 = f32x4.sub(f32x4.sub(m6, m10), m14);
  const s13 = f32x4.sub(f32x4.sub(m7, m11), m15);
  const y00 = f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), b);
  const y01 = f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), b);
  const y10 = f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), b);
  const y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), b);
  const oh = 2 * th;
  const ow = 2 * tw;
  const y0 = yc + (<usize>(oh * W + ow) << 2);
  // Each output row of the 4 tiles: 8 values, interleaved from the tiles' two columns; partial
  // tiles (past TW, or the last column of an odd W) keep the first n.
  const n = min(2 * min(4, TW - tw), W - ow);
  storeRow(y0, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), n);
  if (oh + 1 < H) storeRow(y0 + (<usize>W << 2), v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), n);
}

/** Stores the first n (1 to 8) floats of lo ‖ hi at dst. */
// @ts-ignore: decorator
@inline
function storeRow(dst: usize, lo: v128, hi: v128, n: i32): void {
  if (n >= 4) {
    v128.store(dst, lo);
    if (n == 8) v128.store(dst, hi, 16);
    else if (n >= 6) {
      v128.store64_lane(dst, hi, 0, 16);
      if (n == 7) v128.store32_lane(dst, hi, 2, 24);
    } else if (n == 5) v128.store32_lane(dst, hi, 0, 16);
  } else if (n >= 2) {
    v128.store64_lane(dst, lo, 0);
    if (n == 3) v128.store32_lane(dst, lo, 2, 8);
  } else {
    v128.store32_lane(dst, lo, 0);
  }
}
