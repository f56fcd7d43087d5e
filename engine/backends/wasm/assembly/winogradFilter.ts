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
//   pair of output rows), transforms a block for its rows r of ξ (the row transforms Bᵀ d and
//   A dY split exactly by r, so a chunk does only its share of them) and accumulates S.
//   Transforms are vectorised over 4 neighbouring tiles: a combined input row is de-interleaved
//   into even and odd columns. Layouts per block: Xt[c][ci][t], Dt[c][co][t] (t: tile in the
//   block, contiguous), so S[ξ][co][ci] is a dot product over t, 2 co × 4 ci per micro-tile.
// - S is kept as f32x4 lane sums (lane = t mod 4 within the block) in S4, folded only at the
//   end: winoFilterOut adds the lanes and applies Gᵀ · G (and gives db, see below).
// - The bias gradient rides along: (A dY Aᵀ)[1][1] is the sum of the 2×2 dy tile, so db[co] is
//   the sum of Dt[ξ = (1, 1)] over all tiles, accumulated by the chunk that owns r = 1.
//
// Determinism: chunks own rows r of ξ (never a sum), every chunk walks all blocks in order, and
// the block size depends on the shape only, so each S element is the same sequence of float
// operations on any thread count.

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

/** Bytes of per-thread scratch: Xt and Dt for 4 positions ξ, and three row buffers. */
export function winoFilterScratchBytes(CiP: i32, FoP: i32, Ts: i32, Wq: i32): i32 {
  return (4 * (CiP + FoP) * Ts + 3 * Wq) << 2;
}

/** out[0..n) = a ± b (sub: minus), four at a time then singles. */
// @ts-ignore: decorator
@inline
function combineRows(out: usize, a: usize, b: usize, n: i32, sub: bool): void {
  const end = out + (<usize>n << 2);
  const end4 = out + (<usize>(n & ~3) << 2);
  while (out < end4) {
    const u = v128.load(a);
    const v = v128.load(b);
    v128.store(out, sub ? f32x4.sub(u, v) : f32x4.add(u, v));
    out += 16;
    a += 16;
    b += 16;
  }
  while (out < end) {
    const u = load<f32>(a);
    const v = load<f32>(b);
    store<f32>(out, sub ? u - v : u + v);
    out += 4;
    a += 4;
    b += 4;
  }
}

/**
 * Row r of Bᵀ d for the 4 input rows of tile row th (image rows 2th − 1 .. 2th + 2, `zero` where
 * outside), written to row[1 .. W] (row[0] and row[W + 1 ..] stay zero: the padding), then the
 * column transform of tiles 0 .. 4⌈TW/4⌉ to Xt[c][t0 + tw] (c = 0..3, rows `cs` bytes apart).
 */
// @ts-ignore: decorator
@inline
function inputRow(xc: usize, H: i32, W: i32, th: i32, r: i32, TW: i32, row: usize, zero: usize, xt: usize, cs: usize): void {
  const rowBytes = <usize>W << 2;
  const i0 = 2 * th - 1;
  // Bᵀ's rows: d0 − d2, d1 + d2, d2 − d1, d1 − d3.
  const ka = r == 0 ? 0 : r == 2 ? 2 : 1;
  const kb = r == 0 ? 2 : r == 1 ? 2 : r == 2 ? 1 : 3;
  const ia = i0 + ka;
  const ib = i0 + kb;
  const a = ia >= 0 && ia < H ? xc + <usize>ia * rowBytes : zero;
  const b = ib >= 0 && ib < H ? xc + <usize>ib * rowBytes : zero;
  combineRows(row + 4, a, b, W, r != 1);
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
    const o = xt + (<usize>tw << 2);
    v128.store(o, f32x4.sub(k0, k2));
    v128.store(o + cs, f32x4.add(k1, k2));
    v128.store(o + 2 * cs, f32x4.sub(k2, k1));
    v128.store(o + 3 * cs, f32x4.sub(k1, k3));
  }
}

/**
 * Row r of A dY for tile row th (dy rows 2th, 2th + 1, `zero` past Ho) to row[0 .. Wo) (zeros
 * after), then the column transform of tiles 0 .. 4⌈TW/4⌉ to Dt[c][t0 + tw].
 */
// @ts-ignore: decorator
@inline
function gradRow(dc: usize, Ho: i32, Wo: i32, th: i32, r: i32, TW: i32, row: usize, zero: usize, dt: usize, cs: usize): void {
  const rowBytes = <usize>Wo << 2;
  // A's rows: e0, e0 + e1, e0 − e1, −e1 (as 0 − e1).
  const e0 = dc + <usize>(2 * th) * rowBytes;
  const e1 = 2 * th + 1 < Ho ? e0 + rowBytes : zero;
  combineRows(row, r == 3 ? zero : e0, r == 0 ? zero : e1, Wo, r >= 2);
  for (let tw = 0; tw < TW; tw += 4) {
    const base = row + (<usize>(2 * tw) << 2);
    const v0 = v128.load(base);
    const v1 = v128.load(base, 16);
    const e = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6);
    const o = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
    const d = dt + (<usize>tw << 2);
    v128.store(d, e);
    v128.store(d + cs, f32x4.add(e, o));
    v128.store(d + 2 * cs, f32x4.sub(e, o));
    v128.store(d + 3 * cs, f32x4.neg(o));
  }
}

/**
 * One 2 × 4 micro-tile of S for one ξ: s[0..4) += lanes of d0·x0..x3, s[4..8) of d1·x0..x3,
 * over len (a multiple of 4) tiles; x rows are xs bytes apart.
 */
// @ts-ignore: decorator
@inline
function micro2x4(len: i32, d0: usize, d1: usize, x: usize, xs: usize, s: usize): void {
  let a0 = v128.load(s);
  let a1 = v128.load(s, 16);
  let a2 = v128.load(s, 32);
  let a3 = v128.load(s, 48);
  let b0 = v128.load(s, 64);
  let b1 = v128.load(s, 80);
  let b2 = v128.load(s, 96);
  let b3 = v128.load(s, 112);
  const end = d0 + (<usize>len << 2);
  while (d0 < end) {
    const u = v128.load(d0);
    const v = v128.load(d1);
    const x0 = v128.load(x);
    a0 = f32x4.add(a0, f32x4.mul(u, x0));
    b0 = f32x4.add(b0, f32x4.mul(v, x0));
    const x1 = v128.load(x + xs);
    a1 = f32x4.add(a1, f32x4.mul(u, x1));
    b1 = f32x4.add(b1, f32x4.mul(v, x1));
    const x2 = v128.load(x + 2 * xs);
    a2 = f32x4.add(a2, f32x4.mul(u, x2));
    b2 = f32x4.add(b2, f32x4.mul(v, x2));
    const x3 = v128.load(x + 3 * xs);
    a3 = f32x4.add(a3, f32x4.mul(u, x3));
    b3 = f32x4.add(b3, f32x4.mul(v, x3));
    d0 += 16;
    d1 += 16;
    x += 16;
  }
  v128.store(s, a0);
  v128.store(s, a1, 16);
  v128.store(s, a2, 32);
  v128.store(s, a3, 48);
  v128.store(s, b0, 64);
  v128.store(s, b1, 80);
  v128.store(s, b2, 96);
  v128.store(s, b3, 112);
}

/** Bytes of S4: 16 positions × FoP × CiP lane sums, then FoP lane sums for db. */
export function winoFilterSumBytes(CiP: i32, FoP: i32): i32 {
  return (16 * FoP * CiP + FoP) << 4;
}

/**
 * S4's rows r ∈ [r0, r1) of ξ (and db's lane sums when withDb ≠ 0 and r0 ≤ 1 < r1) over all tiles
 * of x (N×C×H×W) and dy (N×F×H×W). Scratch per thread: winoFilterScratchBytes.
 */
export function winoFilterAccum(p: usize, x: usize, dy: usize, s4: usize, r0: i32, r1: i32, scratch: usize, withDb: i32): void {
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
  const xcs = <usize>CiP * rowBytes; // Xt[c] to Xt[c + 1]
  const dcs = <usize>FoP * rowBytes;
  const xt = scratch;
  const dt = xt + 4 * xcs;
  const xrow = dt + 4 * dcs;
  const drow = xrow + (<usize>Wq << 2);
  const zero = drow + (<usize>Wq << 2);
  const plane = (<usize>H * W) << 2;
  const pairs = FoP >> 1;
  const quads = CiP >> 2;
  const tileBytes: usize = 128; // one micro-tile of S4: 8 f32x4
  const xiBytes = <usize>pairs * quads * tileBytes;
  // Padding channels (rows ci ≥ C, co ≥ F) and the row buffers' margins stay zero throughout.
  memory.fill(scratch, 0, <usize>winoFilterScratchBytes(CiP, FoP, Ts, Wq));
  memory.fill(s4 + <usize>(4 * r0) * xiBytes, 0, <usize>(4 * (r1 - r0)) * xiBytes);
  const dbOwner = withDb != 0 && r0 <= 1 && 1 < r1;
  const db4 = s4 + 16 * xiBytes;
  if (dbOwner) memory.fill(db4, 0, <usize>FoP << 4);
  const rows = N * TH;
  for (let g0 = 0; g0 < rows; g0 += R) {
    const g1 = min(g0 + R, rows);
    const T = (g1 - g0) * TW;
    const Tc = (T + 3) & ~3;
    for (let r = r0; r < r1; r++) {
      for (let g = g0; g < g1; g++) {
        const n = g / TH;
        const th = g % TH;
        const t0 = <usize>((g - g0) * TW) << 2;
        for (let ci = 0; ci < C; ci++) {
          inputRow(x + <usize>(n * C + ci) * plane, H, W, th, r, TW, xrow, zero, xt + <usize>ci * rowBytes + t0, xcs);
        }
        for (let co = 0; co < F; co++) {
          gradRow(dy + <usize>(n * F + co) * plane, H, W, th, r, TW, drow, zero, dt + <usize>co * rowBytes + t0, dcs);
        }
      }
      // Tiles T .. Tc (the last vector's tail) hold the last row's overrun or old values: zero.
      if (Tc > T) {
        for (let c = 0; c < 4; c++) {
          for (let ci = 0; ci < C; ci++) memory.fill(xt + <usize>c * xcs + <usize>ci * rowBytes + (<usize>T << 2), 0, <usize>(Tc - T) << 2);
          for (let co = 0; co < F; co++) memory.fill(dt + <usize>c * dcs + <usize>co * rowBytes + (<usize>T << 2), 0, <usize>(Tc - T) << 2);
        }
      }
      for (let c = 0; c < 4; c++) {
        const sx = s4 + <usize>(4 * r + c) * xiBytes;
        const xc = xt + <usize>c * xcs;
        const dcb = dt + <usize>c * dcs;
        for (let cp = 0; cp < pairs; cp++) {
          const d0 = dcb + <usize>(2 * cp) * rowBytes;
          for (let cq = 0; cq < quads; cq++) {
            micro2x4(Tc, d0, d0 + rowBytes, xc + <usize>(4 * cq) * rowBytes, rowBytes, sx + <usize>(cp * quads + cq) * tileBytes);
          }
        }
      }
      if (dbOwner && r == 1) {
        // Dt[c = 1] is (A dY Aᵀ)[1][1]: each tile's dy sum.
        const d1 = dt + dcs;
        for (let co = 0; co < F; co++) {
          let acc = v128.load(db4 + (<usize>co << 4));
          const row = d1 + <usize>co * rowBytes;
          for (let t = 0; t < Tc; t += 4) acc = f32x4.add(acc, v128.load(row + (<usize>t << 2)));
          v128.store(db4 + (<usize>co << 4), acc);
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Row r of S G, column j: S[r][·] folded from its lane sums at `at` (positions xiBytes apart). */
// @ts-ignore: decorator
@inline
function sg(at: usize, xiBytes: usize, r: i32, j: i32): f32 {
  const s0 = hsum(v128.load(at + <usize>(4 * r) * xiBytes));
  const s1 = hsum(v128.load(at + <usize>(4 * r + 1) * xiBytes));
  const s2 = hsum(v128.load(at + <usize>(4 * r + 2) * xiBytes));
  const s3 = hsum(v128.load(at + <usize>(4 * r + 3) * xiBytes));
  return gt(s0, s1, s2, s3, j);
}

/** Row j of Gᵀ times (v0, v1, v2, v3): v0 + ½(v1 + v2), ½(v1 − v2), ½(v1 + v2) + v3. */
// @ts-ignore: decorator
@inline
function gt(v0: f32, v1: f32, v2: f32, v3: f32, j: i32): f32 {
  return j == 0 ? v0 + (v1 + v2) * 0.5 : j == 1 ? (v1 - v2) * 0.5 : (v1 + v2) * 0.5 + v3;
}

/** dW[co][ci] = Gᵀ S[co][ci] G for filters [f0, f1) from S4's lane sums, and db[f0:f1) when db ≠ 0. */
export function winoFilterOut(p: usize, s4: usize, dw: usize, db: usize, f0: i32, f1: i32): void {
  const C = param(p, P_C);
  const CiP = param(p, P_CIP);
  const FoP = param(p, P_FOP);
  const quads = CiP >> 2;
  const xiBytes = <usize>(FoP >> 1) * quads * 128;
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
