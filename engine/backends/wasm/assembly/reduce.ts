// Reductions (sum/max/min), ArgMax, Softmax and LogSoftmax. Threads split the *outputs* only:
// every output's own summation order is fixed by the shapes, never by the thread count.
// Sums are blocked (16 lanes within blocks of 1024 elements, blocks added in order) to keep
// f32 error small on long rows.

import { hmax, hmin, hsum, vexp } from './mathf4';

export const R_SUM: i32 = 0;
export const R_MAX: i32 = 1;
export const R_MIN: i32 = 2;

const BLOCK: i32 = 1024;

function sumRow(x: usize, n: i32): f32 {
  let total: f32 = 0;
  for (let b0 = 0; b0 < n; b0 += BLOCK) {
    const len = min(BLOCK, n - b0);
    const p = x + (<usize>b0 << 2);
    let v0 = f32x4.splat(0);
    let v1 = f32x4.splat(0);
    let v2 = f32x4.splat(0);
    let v3 = f32x4.splat(0);
    const n16 = len & ~15;
    let i = 0;
    for (; i < n16; i += 16) {
      const q = p + (<usize>i << 2);
      v0 = f32x4.add(v0, v128.load(q));
      v1 = f32x4.add(v1, v128.load(q, 16));
      v2 = f32x4.add(v2, v128.load(q, 32));
      v3 = f32x4.add(v3, v128.load(q, 48));
    }
    let s = hsum(f32x4.add(f32x4.add(v0, v1), f32x4.add(v2, v3)));
    for (; i < len; i++) s += load<f32>(p + (<usize>i << 2));
    total += s;
  }
  return total;
}

function maxRow(x: usize, n: i32, isMin: bool): f32 {
  if (n == 0) return isMin ? Infinity : -Infinity;
  let v = v128.load32_splat(x);
  const n4 = n & ~3;
  let i = 0;
  if (isMin) {
    for (; i < n4; i += 4) v = f32x4.min(v, v128.load(x + (<usize>i << 2)));
  } else {
    for (; i < n4; i += 4) v = f32x4.max(v, v128.load(x + (<usize>i << 2)));
  }
  let m = isMin ? hmin(v) : hmax(v);
  for (; i < n; i++) {
    const y = load<f32>(x + (<usize>i << 2));
    m = isMin ? min(m, y) : max(m, y);
  }
  return m;
}

/** out[r] = reduce(x[r·len : (r+1)·len]) for r in [r0, r1). */
export function reduceRows(op: i32, x: usize, out: usize, len: i32, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) {
    const row = x + ((<usize>r * len) << 2);
    const v = op == R_SUM ? sumRow(row, len) : maxRow(row, len, op == R_MIN);
    store<f32>(out + (<usize>r << 2), v);
  }
}

/**
 * x is outer×R×inner; out[o, j] = reduce over r of x[o, r, j], for o in [o0, o1) and j in
 * [j0, j1). Each column is reduced in r order (sums in blocks of 1024 rows).
 */
export function reduceMiddle(op: i32, x: usize, out: usize, R: i32, inner: i32, o0: i32, o1: i32, j0: i32, j1: i32): void {
  const strideBytes = <usize>inner << 2;
  for (let o = o0; o < o1; o++) {
    const base = x + ((<usize>o * R * inner) << 2);
    const obase = out + ((<usize>o * inner) << 2);
    let j = j0;
    const j4 = j0 + ((j1 - j0) & ~3);
    for (; j < j4; j += 4) {
      const col = base + (<usize>j << 2);
      let v: v128;
      if (op == R_SUM) {
        v = f32x4.splat(0);
        for (let b0 = 0; b0 < R; b0 += BLOCK) {
          const end = min(R, b0 + BLOCK);
          let s = f32x4.splat(0);
          for (let r = b0; r < end; r++) s = f32x4.add(s, v128.load(col + <usize>r * strideBytes));
          v = f32x4.add(v, s);
        }
      } else {
        v = R > 0 ? v128.load(col) : f32x4.splat(op == R_MIN ? Infinity : -Infinity);
        if (op == R_MIN) {
          for (let r = 1; r < R; r++) v = f32x4.min(v, v128.load(col + <usize>r * strideBytes));
        } else {
          for (let r = 1; r < R; r++) v = f32x4.max(v, v128.load(col + <usize>r * strideBytes));
        }
      }
      v128.store(obase + (<usize>j << 2), v);
    }
    for (; j < j1; j++) {
      const col = base + (<usize>j << 2);
      let v: f32;
      if (op == R_SUM) {
        v = 0;
        for (let b0 = 0; b0 < R; b0 += BLOCK) {
          const end = min(R, b0 + BLOCK);
          let s: f32 = 0;
          for (let r = b0; r < end; r++) s += load<f32>(col + <usize>r * strideBytes);
          v += s;
        }
      } else {
        v = R > 0 ? load<f32>(col) : op == R_MIN ? Infinity : -Infinity;
        for (let r = 1; r < R; r++) {
          const y = load<f32>(col + <usize>r * strideBytes);
          v = op == R_MIN ? min(v, y) : max(v, y);
        }
      }
      store<f32>(obase + (<usize>j << 2), v);
    }
  }
}

/** x is outer×R×inner; out[o, j] (int32) = first r with the largest x[o, r, j] (NaN never wins). */
export function argMax(x: usize, out: usize, R: i32, inner: i32, o0: i32, o1: i32): void {
  for (let o = o0; o < o1; o++) {
    const base = x + ((<usize>o * R * inner) << 2);
    for (let j = 0; j < inner; j++) {
      let best: f32 = -Infinity;
      let bi = 0;
      let found = false;
      for (let r = 0; r < R; r++) {
        const v = load<f32>(base + ((<usize>r * inner + j) << 2));
        if (!found ? v == v : v > best) {
          best = v;
          bi = r;
          found = true;
        }
      }
      store<i32>(out + ((<usize>o * inner + j) << 2), bi);
    }
  }
}

/**
 * Rows r in [r0, r1) of a rows×len matrix: softmax, or log-softmax when `logSoftmax`.
 * softmax = e^(x − max) / Σ e^(x − max); log-softmax = x − max − log Σ e^(x − max).
 */
export function softmaxRows(x: usize, out: usize, len: i32, r0: i32, r1: i32, logSoftmax: i32): void {
  const n4 = len & ~3;
  for (let r = r0; r < r1; r++) {
    const xr = x + ((<usize>r * len) << 2);
    const or = out + ((<usize>r * len) << 2);
    const m = maxRow(xr, len, false);
    const vm = f32x4.splat(m);
    // Pass 1: e = exp(x − m) (kept in out for softmax), summed in a fixed order.
    let acc = f32x4.splat(0);
    let i = 0;
    for (; i < n4; i += 4) {
      const e = vexp(f32x4.sub(v128.load(xr + (<usize>i << 2)), vm));
      if (!logSoftmax) v128.store(or + (<usize>i << 2), e);
      acc = f32x4.add(acc, e);
    }
    let s = hsum(acc);
    for (; i < len; i++) {
      const e = f32x4.extract_lane(vexp(f32x4.splat(load<f32>(xr + (<usize>i << 2)) - m)), 0);
      if (!logSoftmax) store<f32>(or + (<usize>i << 2), e);
      s += e;
    }
    // Pass 2: normalise.
    i = 0;
    if (logSoftmax) {
      // (x − m) − log s rather than x − (m + log s): no cancellation against a large m.
      const ls = Mathf.log(s);
      const vls = f32x4.splat(ls);
      for (; i < n4; i += 4) v128.store(or + (<usize>i << 2), f32x4.sub(f32x4.sub(v128.load(xr + (<usize>i << 2)), vm), vls));
      for (; i < len; i++) store<f32>(or + (<usize>i << 2), (load<f32>(xr + (<usize>i << 2)) - m) - ls);
    } else {
      const inv = f32x4.splat(s);
      for (; i < n4; i += 4) v128.store(or + (<usize>i << 2), f32x4.div(v128.load(or + (<usize>i << 2)), inv));
      for (; i < len; i++) store<f32>(or + (<usize>i << 2), load<f32>(or + (<usize>i << 2)) / s);
    }
  }
}

/**
 * Softmax cross-entropy of an N×K matrix x against int32 labels (the SoftmaxCrossEntropy
 * kernel): p = softmax of each row, and loss[0] = −(1/N)·Σ_r log softmax(x_r)[label_r], the row
 * terms (x[label] − max) − log Σ e^(x − max) added in row order (a label outside [0, K) adds 0).
 * One thread: the batch's rows are few, and one order of the sum keeps it deterministic.
 */
export function softmaxCrossEntropy(x: usize, labels: usize, loss: usize, p: usize, N: i32, K: i32): void {
  const k4 = K & ~3;
  let total: f32 = 0;
  for (let r = 0; r < N; r++) {
    const xr = x + ((<usize>r * K) << 2);
    const pr = p + ((<usize>r * K) << 2);
    const m = maxRow(xr, K, false);
    const vm = f32x4.splat(m);
    // As softmaxRows: e = exp(x − m) into p, summed in a fixed order, then divided by the sum.
    let acc = f32x4.splat(0);
    let i = 0;
    for (; i < k4; i += 4) {
      const e = vexp(f32x4.sub(v128.load(xr + (<usize>i << 2)), vm));
      v128.store(pr + (<usize>i << 2), e);
      acc = f32x4.add(acc, e);
    }
    let s = hsum(acc);
    for (; i < K; i++) {
      const e = f32x4.extract_lane(vexp(f32x4.splat(load<f32>(xr + (<usize>i << 2)) - m)), 0);
      store<f32>(pr + (<usize>i << 2), e);
      s += e;
    }
    const vs = f32x4.splat(s);
    for (i = 0; i < k4; i += 4) v128.store(pr + (<usize>i << 2), f32x4.div(v128.load(pr + (<usize>i << 2)), vs));
    for (; i < K; i++) store<f32>(pr + (<usize>i << 2), load<f32>(pr + (<usize>i << 2)) / s);
    const label = load<i32>(labels + (<usize>r << 2));
    if (label >= 0 && label < K) total += (load<f32>(xr + (<usize>label << 2)) - m) - Mathf.log(s);
  }
  store<f32>(loss, N > 0 ? -total / <f32>N : 0);
}

/**
 * Rows [r0, r1) of the SoftmaxCrossEntropyBackprop kernel: dx = (p − onehot(label))·dy/N, and 0
 * on rows whose label is outside [0, K).
 */
export function softmaxCrossEntropyBackprop(p: usize, labels: usize, dy: usize, dx: usize, N: i32, K: i32, r0: i32, r1: i32): void {
  const scale: f32 = load<f32>(dy) / <f32>N;
  const vscale = f32x4.splat(scale);
  const k4 = K & ~3;
  for (let r = r0; r < r1; r++) {
    const pr = p + ((<usize>r * K) << 2);
    const dr = dx + ((<usize>r * K) << 2);
    const label = load<i32>(labels + (<usize>r << 2));
    if (label < 0 || label >= K) {
      memory.fill(dr, 0, <usize>K << 2);
      continue;
    }
    let i = 0;
    for (; i < k4; i += 4) v128.store(dr + (<usize>i << 2), f32x4.mul(v128.load(pr + (<usize>i << 2)), vscale));
    for (; i < K; i++) store<f32>(dr + (<usize>i << 2), load<f32>(pr + (<usize>i << 2)) * scale);
    // The label's column: (p − 1)·scale, computed as such (not p·scale − scale).
    const at = dr + (<usize>label << 2);
    store<f32>(at, (load<f32>(pr + (<usize>label << 2)) - 1) * scale);
  }
}
