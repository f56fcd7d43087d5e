// The gradients of a stride-1 convolution when most of dy is zero, as it is below a max pool
// (each window passes its gradient to one position) and a ReLU (none where the pre-activation
// is ≤ 0): 2×2 max pooling after a ReLU leaves about 23% of dy nonzero. The work here is
// proportional to dy's nonzeros, not to its size (SparseTrain, Gong et al. 2020, exploits the
// same zeros on CPUs). The host picks these kernels from a sample of dy's density
// (../kernels/convSparse.ts).
//
// Each plane of dy (one sample, one filter) is first compacted, without branches, into a list
// of its nonzeros: the value and the byte offset of its output position (oy, ox) in a
// channels-last, padded buffer [Hs][Ws][C4] (Hs = Ho + kh − 1, Ws = Wo + kw − 1, C4 = C rounded
// up to 4, zero lanes past C). Then each nonzero g of filter f makes kh row updates of kw·C4
// floats:
//
// - convSparseInput: S[oy + u][ox + v][·] += g · wt[f][u][v][·], S one sample's padded dx
//   (scattered: loads and stores); then dx[n][c][i][j] = S[i + pt][j + pl][c].
// - convSparseFilter: A[f][u][v][·] += g · X[oy + u][ox + v][·], X one sample's padded input
//   (gathered: A's rows are held in registers, blocks of 8 vectors, over the whole list); then
//   dw[f][c][u][v] = A[f][u][v][c]. One input channel (a first layer): X is the padded plane
//   itself and a kernel row's kw ≤ 4 taps are one vector.
//
// Determinism: a dx element is summed over (f, oy, ox) in that order within its sample, a dw
// element over (n, oy, ox) in order; threads split samples (dx) or filters (dw), never a sum.
// The sums are those of the dense convolution without its zero terms (g = 0): equal but for
// rounding (another order of the same terms) — and where x or w hold infinities or NaN, whose
// products with a zero gradient the dense kernels would add.

import { madd } from './fma';
import { maxPool2x2BackpropPlane } from './pool';
import { transpose4 } from './movement';
import { compact, gatherRow } from './sparse';

// The i32 parameter block the host writes (../kernels/convSparse.ts, plan).
const P_N = 0;
const P_C = 1;
const P_H = 2;
const P_W = 3;
const P_F = 4;
const P_KH = 5;
const P_KW = 6;
const P_PT = 7;
const P_PL = 8;
const P_HO = 9;
const P_WO = 10;
const P_HS = 11;
const P_WS = 12;
const P_C4 = 13;
const P_MODE = 14; // the input gradient: 0 scatter by planes, 1 gather by positions
// The filter gradient's dy given as a 2×2 stride-2 max pool's gradient (PH × PW planes) and
// that pool's input, not written out (../kernels/Pool.ts defers MaxPoolBackprop); 0: dense.
const P_PH = 15;
const P_PW = 16;
const P_RELU = 17; // 1: that pool carries a ReLU (./pool.ts): windows whose maximum is ≤ 0 pass no gradient

// @ts-ignore: decorator
@inline
function param(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/**
 * Plane (n, f) of dy, dense: where it is when dy is dense; else rebuilt into `buf` from the
 * pooled gradient dy (N × F × PH × PW) and the pool's input px (N × F × Ho × Wo), value for
 * value as MaxPoolBackprop would have written it (with the pool's ReLU, P_RELU, when it has one).
 */
function dyPlane(p: usize, dy: usize, px: usize, n: i32, f: i32, buf: usize): usize {
  const Ho = param(p, P_HO);
  const Wo = param(p, P_WO);
  const PH = param(p, P_PH);
  const PW = param(p, P_PW);
  const plane = n * param(p, P_F) + f;
  if (PH == 0) return dy + (<usize>(plane * Ho * Wo) << 2);
  maxPool2x2BackpropPlane(dy + (<usize>(plane * PH * PW) << 2), px + (<usize>(plane * Ho * Wo) << 2), buf, Ho, Wo, PH, PW, param(p, P_RELU) != 0);
  return buf;
}

/**
 * table[oy·Wo + ox] = the byte offset of output position (oy, ox) in a channels-last buffer
 * of Ws positions a row and `lanes` floats a position.
 */
function offsetTable(Ho: i32, Wo: i32, Ws: i32, lanes: i32, table: usize): void {
  for (let oy = 0; oy < Ho; oy++) {
    for (let ox = 0; ox < Wo; ox++) store<i32>(table + (<usize>(oy * Wo + ox) << 2), ((oy * Ws + ox) * lanes) << 2);
  }
}

/**
 * Between an NCHW sample nchw [C][H][W] and a channels-last padded buffer cl [Hs][Ws][C4]
 * (position (i + pt, j + pl) for pixel (i, j)): toCl = true copies nchw into cl, false cl
 * into nchw. Blocks of 4 channels × 4 pixels go through a 4×4 register transpose; lanes past
 * C in cl are not touched.
 */
function channelsLast(nchw: usize, C: i32, H: i32, W: i32, cl: usize, Ws: i32, C4: i32, pt: i32, pl: i32, toCl: bool): void {
  const plane = <usize>(H * W) << 2;
  const pos = <usize>C4 << 2;
  const w4 = W & ~3;
  for (let c = 0; c < C; c += 4) {
    const cn = min(4, C - c);
    for (let i = 0; i < H; i++) {
      const a = nchw + (<usize>((c * H + i) * W) << 2);
      const b = cl + (<usize>(((i + pt) * Ws + pl) * C4 + c) << 2);
      let j = 0;
      if (cn == 4) {
        for (; j < w4; j += 4) {
          const sa = a + (<usize>j << 2);
          const sb = b + <usize>j * pos;
          if (toCl) transpose4(sa, plane, sb, pos);
          else transpose4(sb, pos, sa, plane);
        }
      }
      for (; j < W; j++) {
        for (let k = 0; k < cn; k++) {
          const pa = a + <usize>k * plane + (<usize>j << 2);
          const pb = b + <usize>j * pos + (<usize>k << 2);
          if (toCl) store<f32>(pb, load<f32>(pa));
          else store<f32>(pa, load<f32>(pb));
        }
      }
    }
  }
}

/** dst[i] += g·src[i] for `bytes` / 4 floats (a multiple of 4), four vectors a step where it can. */
// @ts-ignore: decorator
@inline
function axpy(dst: usize, src: usize, g: v128, bytes: usize): void {
  const end = dst + bytes;
  const end4 = dst + (bytes & ~63);
  while (dst < end4) {
    const s0 = v128.load(src);
    const s1 = v128.load(src, 16);
    const s2 = v128.load(src, 32);
    const s3 = v128.load(src, 48);
    v128.store(dst, madd(g, s0, v128.load(dst)));
    v128.store(dst, madd(g, s1, v128.load(dst, 16)), 16);
    v128.store(dst, madd(g, s2, v128.load(dst, 32)), 32);
    v128.store(dst, madd(g, s3, v128.load(dst, 48)), 48);
    dst += 64;
    src += 64;
  }
  while (dst < end) {
    v128.store(dst, madd(g, v128.load(src), v128.load(dst)));
    dst += 16;
    src += 16;
  }
}

/**
 * wt[f][u][v][c] = w[f][c][u][v] for c < C, 0 for C ≤ c < C4: the filters channels-last, for
 * convSparseInput (F·kh·kw·C4 floats).
 */
export function convSparsePack(w: usize, F: i32, C: i32, kh: i32, kw: i32, C4: i32, wt: usize): void {
  memory.fill(wt, 0, <usize>(F * kh * kw * C4) << 2);
  for (let f = 0; f < F; f++) {
    for (let c = 0; c < C; c++) {
      for (let u = 0; u < kh; u++) {
        for (let v = 0; v < kw; v++) {
          const value = load<f32>(w + (<usize>(((f * C + c) * kh + u) * kw + v) << 2));
          store<f32>(wt + (<usize>(((f * kh + u) * kw + v) * C4 + c) << 2), value);
        }
      }
    }
  }
}

/** Bytes of convSparseInput's per-thread scratch: the padded channels-last dx of one sample (lists after it). */
export function convSparseSampleBytes(Hs: i32, Ws: i32, C4: i32): i32 {
  return ((Hs * Ws * C4 + 4 + 15) & ~15) << 2;
}

/**
 * Bytes of one nonzero list, or of an offset table, for a plane of Ho·Wo positions or a
 * position of F filters: the larger count and a vector's overhang, in whole 64-byte lines.
 */
export function convSparseEntries(HoWo: i32, F: i32): i32 {
  return (max(HoWo, F) + 4 + 15) & ~15;
}

/**
 * dx[n] for samples [n0, n1) from dy and the packed filters wt (convSparsePack). Per-thread
 * scratch: s (convSparseSampleBytes) and lists: three lists of convSparseEntries(Ho·Wo, F)
 * floats, then (mode 1) dy of one sample channels-last, Ho·Wo·F4 floats.
 *
 * Mode 0 scatters each nonzero of a plane: kh row updates of S, loaded and stored. Mode 1 walks
 * the positions instead: dy of the sample goes channels-last, each position's nonzero filters
 * are compacted, and for each block of a kernel row Σ_f g_f · wt[f][u][block] is summed in
 * registers over that list, then added to S once.
 */
export function convSparseInput(p: usize, dy: usize, wt: usize, dx: usize, n0: i32, n1: i32, s: usize, lists: usize): void {
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const kh = param(p, P_KH);
  const kw = param(p, P_KW);
  const pt = param(p, P_PT);
  const pl = param(p, P_PL);
  const Ho = param(p, P_HO);
  const Wo = param(p, P_WO);
  const Hs = param(p, P_HS);
  const Ws = param(p, P_WS);
  const C4 = param(p, P_C4);
  const byPosition = param(p, P_MODE) == 1;
  const tapBytes = <usize>(kw * C4) << 2;
  const rowStride = <usize>(Ws * C4) << 2;
  const filterBytes = <usize>kh * tapBytes;
  const listBytes = <usize>convSparseEntries(Ho * Wo, F) << 2;
  const table = lists;
  const offs = table + listBytes;
  const vals = offs + listBytes;
  const F4 = (F + 3) & ~3;
  const dyT = vals + listBytes;
  if (byPosition) {
    for (let f = 0; f < F4; f++) store<i32>(table + (<usize>f << 2), <i32>(<usize>f * filterBytes));
    // Lanes past F stay zero: each sample overwrites the first F.
    memory.fill(dyT, 0, <usize>(Ho * Wo * F4) << 2);
  } else {
    offsetTable(Ho, Wo, Ws, C4, table);
  }
  for (let n = n0; n < n1; n++) {
    memory.fill(s, 0, <usize>(Hs * Ws * C4) << 2);
    if (byPosition) {
      channelsLast(dy + (<usize>(n * F * Ho * Wo) << 2), F, Ho, Wo, dyT, Wo, F4, 0, 0, true);
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          const count = compact(dyT + (<usize>((oy * Wo + ox) * F4) << 2), F4, table, offs, vals, 0);
          if (count == 0) continue;
          let a = s + (<usize>((oy * Ws + ox) * C4) << 2);
          let x = wt;
          for (let u = 0; u < kh; u++) {
            gatherRow(a, x, tapBytes, offs, vals, count);
            a += rowStride;
            x += tapBytes;
          }
        }
      }
    } else {
      for (let f = 0; f < F; f++) {
        const plane = dy + (<usize>((n * F + f) * Ho * Wo) << 2);
        const count = compact(plane, Ho * Wo, table, offs, vals, 0);
        const wf = wt + <usize>f * filterBytes;
        for (let k = 0; k < count; k++) {
          const g = v128.load32_splat(vals + (<usize>k << 2));
          let d = s + <usize>load<i32>(offs + (<usize>k << 2));
          let wr = wf;
          for (let u = 0; u < kh; u++) {
            axpy(d, wr, g, tapBytes);
            d += rowStride;
            wr += tapBytes;
          }
        }
      }
    }
    channelsLast(dx + (<usize>(n * C * H * W) << 2), C, H, W, s, Ws, C4, pt, pl, false);
  }
}

/** Bytes of convSparseFilter's accumulators for `filters` filters: dW's, then db's. */
export function convSparseAccBytes(filters: i32, C: i32, kh: i32, kw: i32, C4: i32): i32 {
  return ((C == 1 && kw <= 4 ? filters * kh * 4 : filters * kh * kw * C4) + filters) << 2;
}

/**
 * One input channel, 3 kernel rows: a[u] += Σ_k vals[k] · (x + offs[k] + u·rowStride)[one
 * vector] for u = 0, 1, 2 in one pass, even and odd k in two sets of accumulators (so the adds
 * do not wait on each other), added at the end.
 */
// @ts-ignore: decorator
@inline
function gatherRows3(a: usize, x: usize, rowStride: i32, offs: usize, vals: usize, count: i32): void {
  const r1 = <usize>rowStride;
  const r2 = r1 << 1;
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  const pairs = offs + (<usize>(count & ~1) << 2);
  while (offs < pairs) {
    const g = v128.load32_splat(vals);
    const h = v128.load32_splat(vals, 4);
    const s = x + <usize>load<i32>(offs);
    const t = x + <usize>load<i32>(offs, 4);
    a0 = madd(g, v128.load(s), a0);
    a1 = madd(g, v128.load(s + r1), a1);
    a2 = madd(g, v128.load(s + r2), a2);
    b0 = madd(h, v128.load(t), b0);
    b1 = madd(h, v128.load(t + r1), b1);
    b2 = madd(h, v128.load(t + r2), b2);
    offs += 8;
    vals += 8;
  }
  if (count & 1) {
    const g = v128.load32_splat(vals);
    const s = x + <usize>load<i32>(offs);
    a0 = madd(g, v128.load(s), a0);
    a1 = madd(g, v128.load(s + r1), a1);
    a2 = madd(g, v128.load(s + r2), a2);
  }
  v128.store(a, f32x4.add(v128.load(a), f32x4.add(a0, b0)));
  v128.store(a, f32x4.add(v128.load(a, 16), f32x4.add(a1, b1)), 16);
  v128.store(a, f32x4.add(v128.load(a, 32), f32x4.add(a2, b2)), 32);
}

/**
 * dw (and db when db ≠ 0) for filters [f0, f1), walking every sample in order. Per-thread
 * scratch: xs (convSparseSampleBytes), acc (convSparseAccBytes(f1 − f0, …)) and lists
 * (three lists of convSparseEntries(Ho·Wo, 0) floats); and, when dy comes pooled (P_PH > 0:
 * px is the pool's input), pbuf: Ho·Wo floats for one plane of dy.
 */
export function convSparseFilter(
  p: usize, x: usize, dy: usize, dw: usize, f0: i32, f1: i32, xs: usize, acc: usize, lists: usize, db: usize, px: usize, pbuf: usize,
): void {
  const N = param(p, P_N);
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const kh = param(p, P_KH);
  const kw = param(p, P_KW);
  const pt = param(p, P_PT);
  const pl = param(p, P_PL);
  const Ho = param(p, P_HO);
  const Wo = param(p, P_WO);
  const Ws = param(p, P_WS);
  const C4 = param(p, P_C4);
  const one = C == 1 && kw <= 4;
  // One channel: a kernel row's taps are one vector read straight from the padded plane.
  const lanes = one ? 1 : C4;
  const tapBytes: usize = one ? 16 : <usize>(kw * C4) << 2;
  const rowStride = <usize>(Ws * lanes) << 2;
  const filterBytes = <usize>kh * tapBytes;
  const listBytes = <usize>convSparseEntries(Ho * Wo, 0) << 2;
  const table = lists;
  const offs = table + listBytes;
  const vals = offs + listBytes;
  memory.fill(acc, 0, <usize>(f1 - f0) * filterBytes);
  // db's running sums follow the accumulators (convSparseAccBytes).
  const dbAcc = acc + <usize>(f1 - f0) * filterBytes;
  // The plane sums of db land one past the offset table's last entry (its overhang).
  const sumAt = table + (<usize>(Ho * Wo) << 2);
  // The borders and the lanes past C stay zero: each sample overwrites the interior only.
  memory.fill(xs, 0, <usize>convSparseSampleBytes(param(p, P_HS), Ws, lanes));
  offsetTable(Ho, Wo, Ws, lanes, table);
  for (let n = 0; n < N; n++) {
    const xn = x + (<usize>(n * C * H * W) << 2);
    if (one) {
      for (let i = 0; i < H; i++) memory.copy(xs + (<usize>((i + pt) * Ws + pl) << 2), xn + (<usize>(i * W) << 2), <usize>W << 2);
    } else {
      channelsLast(xn, C, H, W, xs, Ws, C4, pt, pl, true);
    }
    for (let f = f0; f < f1; f++) {
      const plane = dyPlane(p, dy, px, n, f, pbuf);
      // db[f] = Σ_n planeSum(dy[n][f]) in sample order, as convBiasGrad sums it.
      const b = dbAcc + (<usize>(f - f0) << 2);
      const count = compact(plane, Ho * Wo, table, offs, vals, db ? sumAt : 0);
      if (db) store<f32>(b, n == 0 ? load<f32>(sumAt) : load<f32>(b) + load<f32>(sumAt));
      let a = acc + <usize>(f - f0) * filterBytes;
      if (one && kh == 3) {
        gatherRows3(a, xs, <i32>rowStride, offs, vals, count);
        continue;
      }
      for (let u = 0; u < kh; u++) {
        gatherRow(a, xs + <usize>u * rowStride, tapBytes, offs, vals, count);
        a += tapBytes;
      }
    }
  }
  // db is written once at the end, not per sample: the filters of another thread's block may
  // share its cache lines.
  if (db) for (let f = f0; f < f1; f++) store<f32>(db + (<usize>f << 2), N == 0 ? 0 : load<f32>(dbAcc + (<usize>(f - f0) << 2)));
  for (let f = f0; f < f1; f++) {
    const af = acc + <usize>(f - f0) * filterBytes;
    for (let c = 0; c < C; c++) {
      for (let u = 0; u < kh; u++) {
        for (let v = 0; v < kw; v++) {
          const a = af + <usize>u * tapBytes + (<usize>(one ? v : v * C4 + c) << 2);
          store<f32>(dw + (<usize>(((f * C + c) * kh + u) * kw + v) << 2), load<f32>(a));
        }
      }
    }
  }
}
