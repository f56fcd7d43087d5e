// Convolution (NCHW, groups, stride, dilation, padding [t, b, l, r]) through im2col/col2im and
// the packed GEMM. Forward and input-gradient threads take whole samples; the filter gradient
// splits dW's rows or columns and walks the samples in order, so dW's sum over the batch has
// the same order whatever the thread count.

import { sgemm } from './gemm';

// Layout of the i32 parameter block the host writes (see ../kernels/conv.ts).
const P_N = 0;
const P_C = 1;
const P_H = 2;
const P_W = 3;
const P_F = 4;
const P_KH = 5;
const P_KW = 6;
const P_SH = 7;
const P_SW = 8;
const P_PT = 9;
const P_PL = 11;
const P_DH = 13;
const P_DW = 14;
const P_G = 15;
const P_HO = 16;
const P_WO = 17;
const P_DIRECT = 18;

function param(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** Ho·Wo: the size of one output plane. */
function outPlane(p: usize): i32 {
  return param(p, P_HO) * param(p, P_WO);
}

/** ⌈a / b⌉ for b > 0 and any sign of a. */
function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -(-a / b);
}

/**
 * Rows [q0, q1) of one sample's column matrix: col[q − q0][oh·Wo + ow] = x[c, ih, iw] with
 * q = (c·kh + i)·kw + j, ih = oh·sh − pt + i·dh, iw = ow·sw − pl + j·dw (0 outside the image).
 */
function im2col(p: usize, x: usize, q0: i32, q1: i32, col: usize): void {
  const H = param(p, P_H);
  const W = param(p, P_W);
  const kh = param(p, P_KH);
  const kw = param(p, P_KW);
  const sh = param(p, P_SH);
  const sw = param(p, P_SW);
  const pt = param(p, P_PT);
  const pl = param(p, P_PL);
  const dh = param(p, P_DH);
  const dw = param(p, P_DW);
  const Ho = param(p, P_HO);
  const Wo = param(p, P_WO);
  const kk = kh * kw;
  for (let q = q0; q < q1; q++) {
    const c = q / kk;
    const i = (q % kk) / kw;
    const j = q % kw;
    const xc = x + ((<usize>c * H * W) << 2);
    const row = col + ((<usize>(q - q0) * Ho * Wo) << 2);
    const shift = j * dw - pl;
    const owLo = min(Wo, max(0, ceilDiv(-shift, sw)));
    const owHi = max(owLo, min(Wo, ceilDiv(W - shift, sw)));
    for (let oh = 0; oh < Ho; oh++) {
      const ih = oh * sh - pt + i * dh;
      const dst = row + ((<usize>oh * Wo) << 2);
      if (ih < 0 || ih >= H) {
        memory.fill(dst, 0, <usize>Wo << 2);
        continue;
      }
      if (owLo > 0) memory.fill(dst, 0, <usize>owLo << 2);
      if (owHi < Wo) memory.fill(dst + (<usize>owHi << 2), 0, <usize>(Wo - owHi) << 2);
      const xr = xc + ((<usize>ih * W) << 2);
      if (sw == 1) {
        memory.copy(dst + (<usize>owLo << 2), xr + (<usize>(owLo + shift) << 2), <usize>(owHi - owLo) << 2);
      } else {
        for (let ow = owLo; ow < owHi; ow++) store<f32>(dst + (<usize>ow << 2), load<f32>(xr + (<usize>(ow * sw + shift) << 2)));
      }
    }
  }
}

/** The adjoint of im2col over all rows: dx[c, ih, iw] += col[q][oh·Wo + ow] (dx pre-zeroed). */
function col2im(p: usize, col: usize, Cg: i32, dx: usize): void {
  const H = param(p, P_H);
  const W = param(p, P_W);
  const kh = param(p, P_KH);
  const kw = param(p, P_KW);
  const sh = param(p, P_SH);
  const sw = param(p, P_SW);
  const pt = param(p, P_PT);
  const pl = param(p, P_PL);
  const dh = param(p, P_DH);
  const dw = param(p, P_DW);
  const Ho = param(p, P_HO);
  const Wo = param(p, P_WO);
  const kk = kh * kw;
  const rows = Cg * kk;
  for (let q = 0; q < rows; q++) {
    const c = q / kk;
    const i = (q % kk) / kw;
    const j = q % kw;
    const xc = dx + ((<usize>c * H * W) << 2);
    const row = col + ((<usize>q * Ho * Wo) << 2);
    const shift = j * dw - pl;
    const owLo = min(Wo, max(0, ceilDiv(-shift, sw)));
    const owHi = max(owLo, min(Wo, ceilDiv(W - shift, sw)));
    for (let oh = 0; oh < Ho; oh++) {
      const ih = oh * sh - pt + i * dh;
      if (ih < 0 || ih >= H) continue;
      const src = row + ((<usize>oh * Wo) << 2);
      const xr = xc + ((<usize>ih * W) << 2);
      if (sw == 1) {
        const d = xr + (<usize>(owLo + shift) << 2);
        const s = src + (<usize>owLo << 2);
        const n = owHi - owLo;
        const n4 = n & ~3;
        let t = 0;
        for (; t < n4; t += 4) {
          const off = <usize>t << 2;
          v128.store(d + off, f32x4.add(v128.load(d + off), v128.load(s + off)));
        }
        for (; t < n; t++) {
          const off = <usize>t << 2;
          store<f32>(d + off, load<f32>(d + off) + load<f32>(s + off));
        }
      } else {
        for (let ow = owLo; ow < owHi; ow++) {
          const d = xr + (<usize>(ow * sw + shift) << 2);
          store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ow << 2)));
        }
      }
    }
  }
}

/** row[0..n) += b. */
export function addBias(row: usize, n: i32, b: f32): void {
  const bv = f32x4.splat(b);
  const end = row + (<usize>n << 2);
  const end4 = row + (<usize>(n & ~3) << 2);
  while (row < end4) {
    v128.store(row, f32x4.add(v128.load(row), bv));
    row += 16;
  }
  while (row < end) {
    store<f32>(row, load<f32>(row) + b);
    row += 4;
  }
}

/**
 * y[n] = conv(x[n], w) (+ bias[f] when bias ≠ 0) for samples n in [n0, n1). `col`: Cg·kh·kw ×
 * Ho·Wo floats of scratch.
 */
export function conv2dForward(p: usize, x: usize, w: usize, y: usize, n0: i32, n1: i32, col: usize, scratch: usize, bias: usize): void {
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const G = param(p, P_G);
  const hw = outPlane(p);
  const Cg = C / G;
  const Fg = F / G;
  const ckk = Cg * param(p, P_KH) * param(p, P_KW);
  const direct = param(p, P_DIRECT) != 0;
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < G; g++) {
      const xg = x + ((<usize>(n * C + g * Cg) * H * W) << 2);
      const yg = y + ((<usize>(n * F + g * Fg) * hw) << 2);
      const wg = w + ((<usize>g * Fg * ckk) << 2);
      let bsrc = xg;
      if (!direct) {
        im2col(p, xg, 0, ckk, col);
        bsrc = col;
      }
      sgemm(Fg, hw, ckk, wg, ckk, 0, bsrc, hw, 0, yg, hw, 0, 0, Fg, 0, hw, scratch);
      if (bias) {
        for (let f = 0; f < Fg; f++) addBias(yg + ((<usize>f * hw) << 2), hw, load<f32>(bias + (<usize>(g * Fg + f) << 2)));
      }
    }
  }
}

/** Σ row[0..hw): f32x4 lanes combined as (l0 + l1) + (l2 + l3), then the tail in order. */
export function planeSum(row: usize, hw: i32): f32 {
  const hw4 = hw & ~3;
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i < hw4; i += 4) acc = f32x4.add(acc, v128.load(row + (<usize>i << 2)));
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; i < hw; i++) s += load<f32>(row + (<usize>i << 2));
  return s;
}

/**
 * db[f] = Σ_n planeSum(dy[n][f]) for filters [f0, f1), samples in order (the filter gradient's
 * fused bias gradient in convDirect.ts sums the same way).
 */
export function convBiasGrad(dy: usize, db: usize, N: i32, F: i32, hw: i32, f0: i32, f1: i32): void {
  for (let f = f0; f < f1; f++) {
    let total: f32 = 0;
    for (let n = 0; n < N; n++) total += planeSum(dy + ((<usize>(n * F + f) * hw) << 2), hw);
    store<f32>(db + (<usize>f << 2), total);
  }
}

/** dx[n] for samples n in [n0, n1): col2im(wᵀ · dy[n]). `col` as for conv2dForward. */
export function conv2dBackpropInput(p: usize, dy: usize, w: usize, dx: usize, n0: i32, n1: i32, col: usize, scratch: usize): void {
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const G = param(p, P_G);
  const hw = outPlane(p);
  const Cg = C / G;
  const Fg = F / G;
  const ckk = Cg * param(p, P_KH) * param(p, P_KW);
  const direct = param(p, P_DIRECT) != 0;
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < G; g++) {
      const dyg = dy + ((<usize>(n * F + g * Fg) * hw) << 2);
      const dxg = dx + ((<usize>(n * C + g * Cg) * H * W) << 2);
      const wg = w + ((<usize>g * Fg * ckk) << 2);
      if (direct) {
        sgemm(ckk, hw, Fg, wg, ckk, 1, dyg, hw, 0, dxg, hw, 0, 0, ckk, 0, hw, scratch);
      } else {
        sgemm(ckk, hw, Fg, wg, ckk, 1, dyg, hw, 0, col, hw, 0, 0, ckk, 0, hw, scratch);
        memory.fill(dxg, 0, (<usize>Cg * H * W) << 2);
        col2im(p, col, Cg, dxg);
      }
    }
  }
}

/**
 * dw[g][f0:f1, q0:q1] = Σ_n dy[n, g]·col(x[n, g])ᵀ, samples in order (n = 0 overwrites).
 * `col`: (q1 − q0) × Ho·Wo floats of scratch.
 */
export function conv2dBackpropFilter(
  p: usize, x: usize, dy: usize, dw: usize, f0: i32, f1: i32, q0: i32, q1: i32, col: usize, scratch: usize,
): void {
  const N = param(p, P_N);
  const C = param(p, P_C);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const F = param(p, P_F);
  const G = param(p, P_G);
  const hw = outPlane(p);
  const Cg = C / G;
  const Fg = F / G;
  const ckk = Cg * param(p, P_KH) * param(p, P_KW);
  const direct = param(p, P_DIRECT) != 0;
  if (f1 <= f0 || q1 <= q0) return;
  for (let g = 0; g < G; g++) {
    const dwg = dw + ((<usize>g * Fg * ckk + q0) << 2);
    if (N == 0) {
      for (let f = f0; f < f1; f++) memory.fill(dwg + ((<usize>f * ckk) << 2), 0, <usize>(q1 - q0) << 2);
      continue;
    }
    for (let n = 0; n < N; n++) {
      const xg = x + ((<usize>(n * C + g * Cg) * H * W) << 2);
      const dyg = dy + ((<usize>(n * F + g * Fg) * hw) << 2);
      let bsrc = xg + ((<usize>q0 * hw) << 2);
      if (!direct) {
        im2col(p, xg, q0, q1, col);
        bsrc = col;
      }
      sgemm(Fg, q1 - q0, hw, dyg, hw, 0, bsrc, hw, 1, dwg, ckk, n > 0 ? 1 : 0, f0, f1, 0, q1 - q0, scratch);
    }
  }
}
