// The filter gradient of a 3×3, stride 1, pad 1 convolution by Winograd F(2×2, 3×3).
//
// The forward F(2,3) computes each 2×2 output tile as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A from the
// 4×4 input tile d. Y is linear in g, so summed over all tiles of the batch
//
//     dW[co][ci] = Gᵀ S[co][ci] G,   S[ξ][co][ci] = Σ_tiles (A dY Aᵀ)[ξ][co] · (Bᵀ d B)[ξ][ci]
//
// for the 16 positions ξ = (r, c) of a 4×4 tile: sixteen GEMMs with K = all tiles, 16·F·C
// multiply-adds per tile against 36·F·C for the direct sum (2.25× fewer), plus cheap transforms.
//
// - winoFilterAccum walks the tiles in blocks of whole tile rows (a tile row: one sample, one
//   pair of output rows), transforms a block for its rows r of ξ (the column transforms and the
//   stores, most of the work, split exactly by r; the row combinations are cheap) and
//   accumulates S. Transforms are vectorised over 4 neighbouring tiles: combined rows are
//   de-interleaved into even and odd columns. Layouts per block: Xt[ξ][ci][t], Dt[ξ][co][t]
//   (t: tile in the block, contiguous), so S[ξ][co][ci] is a dot product over t, 2 co × 4 ci
//   per micro-tile, and the block stays in L2 between its transforms and its GEMMs.
// - S is kept as f32x4 lane sums (lane = t mod 4 within the block) in S4; each block's sums
//   start from zero and are added to S4 at its end. winoFilterOut adds the lanes and applies
//   Gᵀ · G (and gives db, see below).
// - The bias gradient rides along: (A dY Aᵀ)[1][1] is the sum of the 2×2 dy tile, so db[co] is
//   the sum of Dt[ξ = (1, 1)] over all tiles, accumulated by the chunk that owns r = 1.

// Determinism: the host cuts the tiles into ranges that depend on the shape only, each summed
// into its own S4; chunks own rows r of ξ within a range (never part of a sum) and walk its
// blocks in order; the block size depends on the shape only; winoFilterOut adds the ranges' S4
// in order. So each S element is the same sequence of float operations on any thread count.

import { madd } from './fma';

// Layout of the i32 parameter block the host writes (../kernels/winogradFilter.ts).
const P_N = 0;
const P_C = 1;
const P_H = 2;
const P_W = 3;
const P_F = 4;
const P_TH = 5; // tile rows per sample: ⌈H/2⌉
const P_TW = 6; // tiles per tile row: ⌈W/2⌉
const P_CIP = 7; // C rounded up to 4
const P_FOP = 8; // F rounded up to 2
const P_R = 9; // tile rows per block
const P_TS = 10; // row stride of Xt/Dt in floats: ⌈R·TW/4⌉·4 + 4 (the last row's vector overrun)
const P_WQ = 11; // floats of each row buffer: 8·⌈TW/4⌉ + 4

// @ts-ignore: decorator
@inline
function param(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** Bytes of per-thread scratch: Xt and Dt for up to 16 positions ξ, and seven row buffers. */
export function winoFilterScratchBytes(CiP: i32, FoP: i32, Ts: i32, Wq: i32): i32 {
  return (16 * (CiP + FoP) * Ts + 7 * Wq) << 2;
}

/**
 * The input transform of one channel's tile row th (image rows 2th − 1 .. 2th + 2, `zero`
 * where outside) for rows r ∈ [r0, r1) of ξ. First the four rows of Bᵀ d (d0 − d2, d1 + d2,
 * d2 − d1, d1 − d3), over all columns at once, to rows[r][1 .. W] (rows[r][0] and the columns
 * after W stay zero: the padding); then each row's column transform, four tiles at a time (the
 * columns de-interleaved into even and odd), to Xt[(r − r0)·4 + c][t] (slots `cs` bytes apart).
 */
// @ts-ignore: decorator
@inline
function inputRows(xc: usize, H: i32, W: i32, th: i32, r0: i32, r1: i32, TW: i32, rows: usize, Wq: i32, zero: usize, xt: usize, cs: usize): void {
  const rowBytes = <usize>W << 2;
  const rs = <usize>Wq << 2;
  const i0 = 2 * th - 1;
  const p0 = i0 >= 0 ? xc + <usize>i0 * rowBytes : zero;
  const p1 = xc + <usize>(i0 + 1) * rowBytes;
  const p2 = i0 + 2 < H ? p1 + rowBytes : zero;
  const p3 = i0 + 3 < H ? p1 + 2 * rowBytes : zero;
  let j = 0;
  for (; j + 4 <= W; j += 4) {
    const o = <usize>j << 2;
    const d0 = v128.load(p0 + o);
    const d1 = v128.load(p1 + o);
    const d2 = v128.load(p2 + o);
    const d3 = v128.load(p3 + o);
    const out = rows + 4 + o;
    v128.store(out, f32x4.sub(d0, d2));
    v128.store(out + rs, f32x4.add(d1, d2));
    v128.store(out + 2 * rs, f32x4.sub(d2, d1));
    v128.store(out + 3 * rs, f32x4.sub(d1, d3));
  }
  for (; j < W; j++) {
    const o = <usize>j << 2;
    const d0 = load<f32>(p0 + o);
    const d1 = load<f32>(p1 + o);
    const d2 = load<f32>(p2 + o);
    const d3 = load<f32>(p3 + o);
    const out = rows + 4 + o;
    store<f32>(out, d0 - d2);
    store<f32>(out + rs, d1 + d2);
    store<f32>(out + 2 * rs, d2 - d1);
    store<f32>(out + 3 * rs, d1 - d3);
  }
  for (let r = r0; r < r1; r++) {
    const row = rows + <usize>r * rs;
    const x = xt + <usize>(4 * (r - r0)) * cs;
    for (let tw = 0; tw < TW; tw += 4) {
      const base = row + (<usize>(2 * tw) << 2);
      const v0 = v128.load(base);
      const v1 = v128.load(base, 16);
      const w0 = v128.load(base, 8);
      const w1 = v128.load(base, 24);
      // Columns 2tw + k of four tiles: k = 0, 1 from (v0, v1); k = 2, 3 from (w0, w1).
      const k0 = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6);
      const k1 = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
      const k2 = v128.shuffle<f32>(w0, w1, 0, 2, 4, 6);
      const k3 = v128.shuffle<f32>(w0, w1, 1, 3, 5, 7);
      const o = x + (<usize>tw << 2);
      v128.store(o, f32x4.sub(k0, k2));
      v128.store(o + cs, f32x4.add(k1, k2));
      v128.store(o + 2 * cs, f32x4.sub(k2, k1));
      v128.store(o + 3 * cs, f32x4.sub(k1, k3));
    }
  }
}

/**
 * Row transform (A's rows: e0, e0 + e1, e0 − e1, −e1) and column transform (the same rows) of
 * four tiles, without the minus signs of A's last row and column: slots ξ = (3, ·) and (·, 3)
 * hold the negated values (both: the value itself), and winoFilterOut restores the signs.
 */
// @ts-ignore: decorator
@inline
function gradTiles(e0: usize, e1: usize, r0: i32, r1: i32, dt: usize, cs: usize, masked: bool, m0: v128, m1: v128): void {
  let a0 = v128.load(e0);
  let a1 = v128.load(e0, 16);
  let b0 = v128.load(e1);
  let b1 = v128.load(e1, 16);
  if (masked) {
    a0 = v128.and(a0, m0);
    a1 = v128.and(a1, m1);
    b0 = v128.and(b0, m0);
    b1 = v128.and(b1, m1);
  }
  const E0 = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
  const O0 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  const E1 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  const O1 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  for (let r = r0; r < r1; r++) {
    const e = r == 0 ? E0 : r == 1 ? f32x4.add(E0, E1) : r == 2 ? f32x4.sub(E0, E1) : E1;
    const o = r == 0 ? O0 : r == 1 ? f32x4.add(O0, O1) : r == 2 ? f32x4.sub(O0, O1) : O1;
    const d = dt + <usize>(4 * (r - r0)) * cs;
    v128.store(d, e);
    v128.store(d + cs, f32x4.add(e, o));
    v128.store(d + 2 * cs, f32x4.sub(e, o));
    v128.store(d + 3 * cs, o);
  }
}

/**
 * The dy transform of one channel's tile row th (dy rows 2th, 2th + 1, `zero` past Ho) for
 * rows r ∈ [r0, r1) of ξ to Dt[(r − r0)·4 + c][t]: read in place, eight columns (four tiles)
 * at a time. The last, partial group reads past the row and masks the columns from Wo on
 * (m0, m1) while that stays inside dy (before `end`); at the very end of dy it is copied into
 * the zero-padded rows tail0/tail1 instead.
 */
// @ts-ignore: decorator
@inline
function gradRows(
  dc: usize, Ho: i32, Wo: i32, th: i32, r0: i32, r1: i32, TW: i32, end: usize, m0: v128, m1: v128, tail0: usize, tail1: usize, zero: usize, dt: usize, cs: usize,
): void {
  const rowBytes = <usize>Wo << 2;
  const e0 = dc + <usize>(2 * th) * rowBytes;
  const e1 = 2 * th + 1 < Ho ? e0 + rowBytes : zero;
  let tw = 0;
  for (; 2 * tw + 8 <= Wo; tw += 4) gradTiles(e0 + (<usize>(2 * tw) << 2), e1 + (<usize>(2 * tw) << 2), r0, r1, dt + (<usize>tw << 2), cs, false, m0, m1);
  if (tw < TW) {
    const o = <usize>(2 * tw) << 2;
    if ((e1 == zero ? e0 : e1) + o + 32 <= end) {
      gradTiles(e0 + o, e1 + o, r0, r1, dt + (<usize>tw << 2), cs, true, m0, m1);
      return;
    }
    // Always the same count for a shape, so the tail rows' zeros beyond it are never overwritten.
    for (let j = 2 * tw; j < Wo; j++) {
      const b = <usize>(j - 2 * tw) << 2;
      store<f32>(tail0 + b, load<f32>(e0 + o + b));
      store<f32>(tail1 + b, load<f32>(e1 + o + b));
    }
    gradTiles(tail0, tail1, r0, r1, dt + (<usize>tw << 2), cs, false, m0, m1);
  }
}

/** Lanes of columns j .. j + 3 that are < Wo: all ones, else zero. */
// @ts-ignore: decorator
@inline
function colMask(j: i32, Wo: i32): v128 {
  let m = i32x4.splat(0);
  m = i32x4.replace_lane(m, 0, j < Wo ? -1 : 0);
  m = i32x4.replace_lane(m, 1, j + 1 < Wo ? -1 : 0);
  m = i32x4.replace_lane(m, 2, j + 2 < Wo ? -1 : 0);
  m = i32x4.replace_lane(m, 3, j + 3 < Wo ? -1 : 0);
  return m;
}

/**
 * One 2 × 4 micro-tile of S for one ξ: s[0..4) += lanes of d0·x0..x3, s[4..8) of d1·x0..x3,
 * over len (a multiple of 4) tiles; x rows are xs bytes apart. The block's sums start from
 * zero and join s at the end: a running sum over all ~6,000 tiles of a batch would carry five
 * times the direct kernel's rounding error (which sums each sample, then the samples).
 */
// @ts-ignore: decorator
@inline
function micro2x4(len: i32, d0: usize, d1: usize, x: usize, xs: usize, s: usize): void {
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
    const x0 = v128.load(x);
    a0 = madd(u, x0, a0);
    b0 = madd(v, x0, b0);
    const x1 = v128.load(x + xs);
    a1 = madd(u, x1, a1);
    b1 = madd(v, x1, b1);
    const x2 = v128.load(x + 2 * xs);
    a2 = madd(u, x2, a2);
    b2 = madd(v, x2, b2);
    const x3 = v128.load(x + 3 * xs);
    a3 = madd(u, x3, a3);
    b3 = madd(v, x3, b3);
    d0 += 16;
    d1 += 16;
    x += 16;
  }
  v128.store(s, f32x4.add(v128.load(s), a0));
  v128.store(s, f32x4.add(v128.load(s, 16), a1), 16);
  v128.store(s, f32x4.add(v128.load(s, 32), a2), 32);
  v128.store(s, f32x4.add(v128.load(s, 48), a3), 48);
  v128.store(s, f32x4.add(v128.load(s, 64), b0), 64);
  v128.store(s, f32x4.add(v128.load(s, 80), b1), 80);
  v128.store(s, f32x4.add(v128.load(s, 96), b2), 96);
  v128.store(s, f32x4.add(v128.load(s, 112), b3), 112);
}

/**
 * S4 (16 positions × FoP × CiP f32x4 lane sums in micro-tiles of 2 co × 4 ci, then FoP lane
 * sums for db): its rows r ∈ [r0, r1) of ξ (and db's lane sums when withDb ≠ 0 and r0 ≤ 1 < r1)
 * over the tile rows [ga, gb) of the batch (tile row g: sample g / TH, tile row g mod TH) of
 * x (N×C×H×W) and dy (N×F×H×W), in blocks of R tile rows from ga. Scratch per thread:
 * winoFilterScratchBytes.
 */
export function winoFilterAccum(p: usize, x: usize, dy: usize, s4: usize, r0: i32, r1: i32, ga: i32, gb: i32, scratch: usize, withDb: i32): void {
  const N = param(p, P_N);
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const TH = param(p, P_TH);
  const TW = param(p, P_TW);
  const CiP = param(p, P_CIP);
  const FoP = param(p, P_FOP);
  const R = param(p, P_R);
  const Ts = param(p, P_TS);
  const Wq = param(p, P_WQ);
  const rowBytes = <usize>Ts << 2;
  const xcs = <usize>CiP * rowBytes; // Xt slot ξ to slot ξ + 1
  const dcs = <usize>FoP * rowBytes;
  const nxi = 4 * (r1 - r0);
  const xt = scratch;
  const dt = xt + 16 * xcs;
  const rowBuf = dt + 16 * dcs;
  const rs = <usize>Wq << 2;
  const tail0 = rowBuf + 4 * rs;
  const tail1 = tail0 + rs;
  const zero = tail1 + rs;
  const plane = (<usize>H * W) << 2;
  const dyEnd = dy + <usize>(N * F) * plane;
  // Masks of the last, partial group of eight dy columns (unused when W is a multiple of 8).
  const jt = (W >> 3) << 3;
  const m0 = colMask(jt, W);
  const m1 = colMask(jt + 4, W);
  const pairs = FoP >> 1;
  const quads = CiP >> 2;
  const tileBytes: usize = 128; // one micro-tile of S4: 8 f32x4
  const xiBytes = <usize>pairs * quads * tileBytes;
  // Padding channels (rows ci ≥ C, co ≥ F) and the row buffers' margins stay zero throughout.
  memory.fill(scratch, 0, <usize>winoFilterScratchBytes(CiP, FoP, Ts, Wq));
  memory.fill(s4 + <usize>(4 * r0) * xiBytes, 0, <usize>nxi * xiBytes);
  const dbOwner = withDb != 0 && r0 <= 1 && 1 < r1;
  const db4 = s4 + 16 * xiBytes;
  if (dbOwner) memory.fill(db4, 0, <usize>FoP << 4);
  for (let g0 = ga; g0 < gb; g0 += R) {
    const g1 = min(g0 + R, gb);
    const T = (g1 - g0) * TW;
    const Tc = (T + 3) & ~3;
    for (let g = g0; g < g1; g++) {
      const n = g / TH;
      const th = g % TH;
      const t0 = <usize>((g - g0) * TW) << 2;
      for (let ci = 0; ci < C; ci++) {
        inputRows(x + <usize>(n * C + ci) * plane, H, W, th, r0, r1, TW, rowBuf, Wq, zero, xt + <usize>ci * rowBytes + t0, xcs);
      }
      for (let co = 0; co < F; co++) {
        gradRows(dy + <usize>(n * F + co) * plane, H, W, th, r0, r1, TW, dyEnd, m0, m1, tail0, tail1, zero, dt + <usize>co * rowBytes + t0, dcs);
      }
    }
    // Tiles T .. Tc (the last vector's tail) hold the last row's overrun or old values: zero.
    for (let t = T; t < Tc; t++) {
      const tb = <usize>t << 2;
      for (let k = 0; k < nxi; k++) {
        for (let ci = 0; ci < C; ci++) store<f32>(xt + <usize>k * xcs + <usize>ci * rowBytes + tb, 0);
        for (let co = 0; co < F; co++) store<f32>(dt + <usize>k * dcs + <usize>co * rowBytes + tb, 0);
      }
    }
    for (let k = 0; k < nxi; k++) {
      const sx = s4 + <usize>(4 * r0 + k) * xiBytes;
      const xc = xt + <usize>k * xcs;
      const dcb = dt + <usize>k * dcs;
      for (let cp = 0; cp < pairs; cp++) {
        const d0 = dcb + <usize>(2 * cp) * rowBytes;
        for (let cq = 0; cq < quads; cq++) {
          micro2x4(Tc, d0, d0 + rowBytes, xc + <usize>(4 * cq) * rowBytes, rowBytes, sx + <usize>(cp * quads + cq) * tileBytes);
        }
      }
    }
    if (dbOwner) {
      // Dt's slot ξ = (1, 1) is (A dY Aᵀ)[1][1]: each tile's dy sum.
      const d11 = dt + <usize>(4 * (1 - r0) + 1) * dcs;
      for (let co = 0; co < F; co++) {
        // The block's sum joins the total at the end, as in micro2x4.
        let acc = f32x4.splat(0);
        const row = d11 + <usize>co * rowBytes;
        for (let t = 0; t < Tc; t += 4) acc = f32x4.add(acc, v128.load(row + (<usize>t << 2)));
        v128.store(db4 + (<usize>co << 4), f32x4.add(v128.load(db4 + (<usize>co << 4)), acc));
      }
    }
  }
}
// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * Row r of S G, column j: S[r][·] folded from its lane sums at `at` (positions xiBytes apart),
 * with the signs gradTiles left out (row 3 and column 3 negated).
 */
// @ts-ignore: decorator
@inline
function sg(at: usize, xiBytes: usize, r: i32, j: i32): f32 {
  const s0 = hsum(v128.load(at + <usize>(4 * r) * xiBytes));
  const s1 = hsum(v128.load(at + <usize>(4 * r + 1) * xiBytes));
  const s2 = hsum(v128.load(at + <usize>(4 * r + 2) * xiBytes));
  const s3 = -hsum(v128.load(at + <usize>(4 * r + 3) * xiBytes));
  const v = gt(s0, s1, s2, s3, j);
  return r == 3 ? -v : v;
}

/** Row j of Gᵀ times (v0, v1, v2, v3): v0 + ½(v1 + v2), ½(v1 − v2), ½(v1 + v2) + v3. */
// @ts-ignore: decorator
@inline
function gt(v0: f32, v1: f32, v2: f32, v3: f32, j: i32): f32 {
  return j == 0 ? v0 + (v1 + v2) * 0.5 : j == 1 ? (v1 - v2) * 0.5 : (v1 + v2) * 0.5 + v3;
}

/**
 * dW[co][ci] = Gᵀ S[co][ci] G for filters [f0, f1) from S4's lane sums, and db[f0:f1) when
 * db ≠ 0. S4 comes in `parts` partial sums over consecutive ranges of tiles, `partBytes`
 * apart: first they are added into the first, in order (the same operations on any thread
 * count, since the parts depend on the shape only).
 */
export function winoFilterOut(p: usize, s4: usize, parts: i32, partBytes: usize, dw: usize, db: usize, f0: i32, f1: i32): void {
  const C = param(p, P_C);
  const CiP = param(p, P_CIP);
  const FoP = param(p, P_FOP);
  const quads = CiP >> 2;
  const xiBytes = <usize>(FoP >> 1) * quads * 128;
  const sumEnd = s4 + 16 * xiBytes + (<usize>FoP << 4);
  for (let k = 1; k < parts; k++) {
    const part = s4 + <usize>k * partBytes;
    for (let a = s4; a < sumEnd; a += 16) v128.store(a, f32x4.add(v128.load(a), v128.load(part + (a - s4))));
  }
  for (let co = f0; co < f1; co++) {
    for (let ci = 0; ci < C; ci++) {
      const at = s4 + <usize>((co >> 1) * quads + (ci >> 2)) * 128 + (<usize>((co & 1) * 4 + (ci & 3)) << 4);
      const o = dw + ((<usize>(co * C + ci) * 9) << 2);
      for (let j = 0; j < 3; j++) {
        const u0 = sg(at, xiBytes, 0, j);
        const u1 = sg(at, xiBytes, 1, j);
        const u2 = sg(at, xiBytes, 2, j);
        const u3 = sg(at, xiBytes, 3, j);
        for (let i = 0; i < 3; i++) store<f32>(o + (<usize>(3 * i + j) << 2), gt(u0, u1, u2, u3, i));
      }
    }
    if (db) store<f32>(db + (<usize>co << 2), hsum(v128.load(s4 + 16 * xiBytes + (<usize>co << 4))));
  }
}
