// Elementwise kernels: Fill, Cast, Unary and Binary (NumPy broadcasting through strides). Each
// element is computed by the same vector code whether it sits in a vector body or a tail, so
// results do not depend on how the host splits the range across threads.

import { vexp, vexpm1, vlog, vlog1p, vpow, vtanh } from './mathf4';

/** Sets n 32-bit words (f32 or i32 bits) to `bits`. */
export function fill32(dst: usize, n: i32, bits: i32): void {
  const v = i32x4.splat(bits);
  const n16 = n & ~15;
  let i = 0;
  for (; i < n16; i += 16) {
    const p = dst + (<usize>i << 2);
    v128.store(p, v);
    v128.store(p, v, 16);
    v128.store(p, v, 32);
    v128.store(p, v, 48);
  }
  for (; i < n; i++) store<i32>(dst + (<usize>i << 2), bits);
}

export function copyBytes(dst: usize, src: usize, n: usize): void {
  memory.copy(dst, src, n);
}

/** float32 → int32, truncating toward zero (NaN → 0, saturating at the int32 range). */
export function castF32I32(src: usize, dst: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(dst + (<usize>i << 2), i32x4.trunc_sat_f32x4_s(v128.load(src + (<usize>i << 2))));
  for (; i < n; i++) store<i32>(dst + (<usize>i << 2), <i32>load<f32>(src + (<usize>i << 2)));
}

export function castI32F32(src: usize, dst: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(dst + (<usize>i << 2), f32x4.convert_i32x4_s(v128.load(src + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>load<i32>(src + (<usize>i << 2)));
}

// ---------------------------------------------------------------------------------------------
// Unary. Op codes match UNARY_OPS in ../kernels/elementwise.ts.

export const U_NEG: i32 = 0;
export const U_ABS: i32 = 1;
export const U_SIGN: i32 = 2;
export const U_SQUARE: i32 = 3;
export const U_SQRT: i32 = 4;
export const U_RSQRT: i32 = 5;
export const U_RECIPROCAL: i32 = 6;
export const U_EXP: i32 = 7;
export const U_LOG: i32 = 8;
export const U_STEP: i32 = 9;
export const U_RELU: i32 = 10;
export const U_SIGMOID: i32 = 11;
export const U_TANH: i32 = 12;
export const U_SOFTPLUS: i32 = 13;
export const U_SOFTSIGN: i32 = 14;
export const U_SCALE: i32 = 15;
export const U_POW: i32 = 16;
export const U_CLIP: i32 = 17;
export const U_LEAKY_RELU: i32 = 18;
export const U_ELU: i32 = 19;

// @inline with a constant `op` (see unary below): the switch folds away, one loop per op.
@inline
function unaryV(op: i32, x: v128, alpha: f32, beta: f32): v128 {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  switch (op) {
    case U_NEG:
      return f32x4.neg(x);
    case U_ABS:
      return f32x4.abs(x);
    case U_SIGN: {
      const s = v128.or(v128.and(f32x4.gt(x, zero), one), v128.and(f32x4.lt(x, zero), f32x4.splat(-1)));
      return v128.bitselect(x, s, f32x4.ne(x, x));
    }
    case U_SQUARE:
      return f32x4.mul(x, x);
    case U_SQRT:
      return f32x4.sqrt(x);
    case U_RSQRT:
      return f32x4.div(one, f32x4.sqrt(x));
    case U_RECIPROCAL:
      return f32x4.div(one, x);
    case U_EXP:
      return vexp(x);
    case U_LOG:
      return vlog(x);
    case U_STEP:
      return v128.and(f32x4.gt(x, zero), one);
    case U_RELU:
      return f32x4.max(x, zero);
    case U_SIGMOID:
      return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
    case U_TANH:
      return vtanh(x);
    case U_SOFTPLUS:
      // max(x, 0) + log1p(e^−|x|): no overflow for large x, no cancellation for small.
      return f32x4.add(f32x4.max(x, zero), vlog1p(vexp(f32x4.neg(f32x4.abs(x)))));
    case U_SOFTSIGN:
      return f32x4.div(x, f32x4.add(one, f32x4.abs(x)));
    case U_SCALE:
      return f32x4.add(f32x4.mul(f32x4.splat(alpha), x), f32x4.splat(beta));
    case U_POW:
      if (alpha == 2) return f32x4.mul(x, x);
      if (alpha == 1) return x;
      return vpow(x, f32x4.splat(alpha));
    case U_CLIP:
      return f32x4.min(f32x4.max(x, f32x4.splat(alpha)), f32x4.splat(beta));
    case U_LEAKY_RELU:
      return v128.bitselect(x, f32x4.mul(f32x4.splat(alpha), x), f32x4.gt(x, zero));
    default: {
      // ELU: x > 0 ? x : α(e^x − 1), with expm1 for accuracy near 0.
      const neg = f32x4.mul(f32x4.splat(alpha), vexpm1(f32x4.min(x, zero)));
      return v128.bitselect(x, neg, f32x4.gt(x, zero));
    }
  }
}

@inline
function unaryLoop(op: i32, x: usize, out: usize, i0: i32, i1: i32, alpha: f32, beta: f32): void {
  let i = i0;
  const end16 = i0 + ((i1 - i0) & ~15);
  for (; i < end16; i += 16) {
    const src = x + (<usize>i << 2);
    const dst = out + (<usize>i << 2);
    const v0 = unaryV(op, v128.load(src), alpha, beta);
    const v1 = unaryV(op, v128.load(src, 16), alpha, beta);
    const v2 = unaryV(op, v128.load(src, 32), alpha, beta);
    const v3 = unaryV(op, v128.load(src, 48), alpha, beta);
    v128.store(dst, v0);
    v128.store(dst, v1, 16);
    v128.store(dst, v2, 32);
    v128.store(dst, v3, 48);
  }
  for (; i < i1; i++) {
    const r = unaryV(op, f32x4.splat(load<f32>(x + (<usize>i << 2))), alpha, beta);
    store<f32>(out + (<usize>i << 2), f32x4.extract_lane(r, 0));
  }
}

/** out[i0:i1] = op(x[i0:i1]). */
export function unary(op: i32, x: usize, out: usize, i0: i32, i1: i32, alpha: f32, beta: f32): void {
  // Each case inlines unaryLoop with a constant op, so each op gets its own tight loop.
  switch (op) {
    case U_NEG: unaryLoop(U_NEG, x, out, i0, i1, alpha, beta); break;
    case U_ABS: unaryLoop(U_ABS, x, out, i0, i1, alpha, beta); break;
    case U_SIGN: unaryLoop(U_SIGN, x, out, i0, i1, alpha, beta); break;
    case U_SQUARE: unaryLoop(U_SQUARE, x, out, i0, i1, alpha, beta); break;
    case U_SQRT: unaryLoop(U_SQRT, x, out, i0, i1, alpha, beta); break;
    case U_RSQRT: unaryLoop(U_RSQRT, x, out, i0, i1, alpha, beta); break;
    case U_RECIPROCAL: unaryLoop(U_RECIPROCAL, x, out, i0, i1, alpha, beta); break;
    case U_EXP: unaryLoop(U_EXP, x, out, i0, i1, alpha, beta); break;
    case U_LOG: unaryLoop(U_LOG, x, out, i0, i1, alpha, beta); break;
    case U_STEP: unaryLoop(U_STEP, x, out, i0, i1, alpha, beta); break;
    case U_RELU: unaryLoop(U_RELU, x, out, i0, i1, alpha, beta); break;
    case U_SIGMOID: unaryLoop(U_SIGMOID, x, out, i0, i1, alpha, beta); break;
    case U_TANH: unaryLoop(U_TANH, x, out, i0, i1, alpha, beta); break;
    case U_SOFTPLUS: unaryLoop(U_SOFTPLUS, x, out, i0, i1, alpha, beta); break;
    case U_SOFTSIGN: unaryLoop(U_SOFTSIGN, x, out, i0, i1, alpha, beta); break;
    case U_SCALE: unaryLoop(U_SCALE, x, out, i0, i1, alpha, beta); break;
    case U_POW: unaryLoop(U_POW, x, out, i0, i1, alpha, beta); break;
    case U_CLIP: unaryLoop(U_CLIP, x, out, i0, i1, alpha, beta); break;
    case U_LEAKY_RELU: unaryLoop(U_LEAKY_RELU, x, out, i0, i1, alpha, beta); break;
    default: unaryLoop(U_ELU, x, out, i0, i1, alpha, beta);
  }
}

// ---------------------------------------------------------------------------------------------
// Binary. Op codes match BINARY_OPS in ../kernels/elementwise.ts.

export const B_ADD: i32 = 0;
export const B_SUB: i32 = 1;
export const B_MUL: i32 = 2;
export const B_DIV: i32 = 3;
export const B_MAX: i32 = 4;
export const B_MIN: i32 = 5;
export const B_POW: i32 = 6;
export const B_GREATER: i32 = 7;
export const B_GREATER_EQUAL: i32 = 8;
export const B_EQUAL: i32 = 9;
export const B_RELU_GRAD: i32 = 10;

@inline
function binaryV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case B_ADD:
      return f32x4.add(a, b);
    case B_SUB:
      return f32x4.sub(a, b);
    case B_MUL:
      return f32x4.mul(a, b);
    case B_DIV:
      return f32x4.div(a, b);
    case B_MAX:
      return f32x4.max(a, b);
    case B_MIN:
      return f32x4.min(a, b);
    case B_POW:
      return vpow(a, b);
    case B_GREATER:
      return v128.and(f32x4.gt(a, b), f32x4.splat(1));
    case B_GREATER_EQUAL:
      return v128.and(f32x4.ge(a, b), f32x4.splat(1));
    case B_EQUAL:
      return v128.and(f32x4.eq(a, b), f32x4.splat(1));
    default:
      // reluGrad: a where b > 0, else 0 (the mask of b > 0 is all ones or all zeros).
      return v128.and(a, f32x4.gt(b, f32x4.splat(0)));
  }
}

/** out[0:n] = a[k·sa] op b[k·sb] with element strides 1 or 0 (broadcast) on each side. */
@inline
function binaryRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  let i = 0;
  const n16 = n & ~15;
  if (sa == 1 && sb == 1) {
    for (; i < n16; i += 16) {
      const off = <usize>i << 2;
      const pa = a + off;
      const pb = b + off;
      const po = out + off;
      v128.store(po, binaryV(op, v128.load(pa), v128.load(pb)));
      v128.store(po, binaryV(op, v128.load(pa, 16), v128.load(pb, 16)), 16);
      v128.store(po, binaryV(op, v128.load(pa, 32), v128.load(pb, 32)), 32);
      v128.store(po, binaryV(op, v128.load(pa, 48), v128.load(pb, 48)), 48);
    }
  } else if (sa == 1 && sb == 0) {
    const vb = v128.load32_splat(b);
    for (; i < n16; i += 16) {
      const off = <usize>i << 2;
      const pa = a + off;
      const po = out + off;
      v128.store(po, binaryV(op, v128.load(pa), vb));
      v128.store(po, binaryV(op, v128.load(pa, 16), vb), 16);
      v128.store(po, binaryV(op, v128.load(pa, 32), vb), 32);
      v128.store(po, binaryV(op, v128.load(pa, 48), vb), 48);
    }
  } else if (sa == 0 && sb == 1) {
    const va = v128.load32_splat(a);
    for (; i < n16; i += 16) {
      const off = <usize>i << 2;
      const pb = b + off;
      const po = out + off;
      v128.store(po, binaryV(op, va, v128.load(pb)));
      v128.store(po, binaryV(op, va, v128.load(pb, 16)), 16);
      v128.store(po, binaryV(op, va, v128.load(pb, 32)), 32);
      v128.store(po, binaryV(op, va, v128.load(pb, 48)), 48);
    }
  }
  for (; i < n; i++) {
    const x = v128.load32_splat(a + ((<usize>i * sa) << 2));
    const y = v128.load32_splat(b + ((<usize>i * sb) << 2));
    store<f32>(out + (<usize>i << 2), f32x4.extract_lane(binaryV(op, x, y), 0));
  }
}

@inline
function binaryLoop(
  op: i32, r0: i32, r1: i32, d1: i32, d2: i32, d3: i32,
  a: usize, a0: i32, a1: i32, a2: i32, a3: i32,
  b: usize, b0: i32, b1: i32, b2: i32, b3: i32,
  out: usize,
): void {
  for (let i0 = r0; i0 < r1; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const pa = a + ((<usize>i0 * a0 + <usize>i1 * a1 + <usize>i2 * a2) << 2);
        const pb = b + ((<usize>i0 * b0 + <usize>i1 * b1 + <usize>i2 * b2) << 2);
        const po = out + ((((<usize>i0 * d1 + i1) * d2 + i2) * d3) << 2);
        binaryRow(op, pa, a3, pb, b3, po, d3);
      }
    }
  }
}

/**
 * Broadcasting binary op over (up to) 4 collapsed dims: out (contiguous, shape d0×d1×d2×d3) at
 * [i0, i1, i2, i3] = a[Σ ik·ak] op b[Σ ik·bk], for i0 in [r0, r1). Strides are in elements and
 * 0 along broadcast dims; the innermost stride of each side is 0 or 1.
 */
export function binary4(
  op: i32, r0: i32, r1: i32, d1: i32, d2: i32, d3: i32,
  a: usize, a0: i32, a1: i32, a2: i32, a3: i32,
  b: usize, b0: i32, b1: i32, b2: i32, b3: i32,
  out: usize,
): void {
  // As in unary(): one inlined, specialised loop nest per op.
  switch (op) {
    case B_ADD: binaryLoop(B_ADD, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out); break;
    case B_SUB: binaryLoop(B_SUB, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out); break;
    case B_MUL: binaryLoop(B_MUL, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out); break;
    case B_DIV: binaryLoop(B_DIV, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out); break;
    case B_MAX: binaryLoop(B_MAX, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out); break;
    case B_MIN: binaryLoop(B_MIN, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out); break;
    case B_POW: binaryLoop(B_POW, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out); break;
    case B_GREATER: binaryLoop(B_GREATER, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out); break;
    case B_GREATER_EQUAL: binaryLoop(B_GREATER_EQUAL, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out); break;
    case B_EQUAL: binaryLoop(B_EQUAL, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out); break;
    default: binaryLoop(B_RELU_GRAD, r0, r1, d1, d2, d3, a, a0, a1, a2, a3, b, b0, b1, b2, b3, out);
  }
}

// ---------------------------------------------------------------------------------------------
// Fused optimizer update (the AdamUpdate kernel): one pass over w, g, m, v instead of ~15
// elementwise kernels, each rounding to f32 at the same points as the op-by-op version.

@inline
function adamV(
  pw: usize, pg: usize, pm: usize, pv: usize, decay: bool,
  b1: v128, c1: v128, b2: v128, c2: v128, eps: v128, stepSize: v128, rootCorrection: v128, wd: v128,
): void {
  const w = v128.load(pw);
  let g = v128.load(pg);
  if (decay) g = f32x4.add(g, f32x4.mul(wd, w));
  const m = f32x4.add(f32x4.mul(b1, v128.load(pm)), f32x4.mul(c1, g));
  const v = f32x4.add(f32x4.mul(b2, v128.load(pv)), f32x4.mul(c2, f32x4.mul(g, g)));
  v128.store(pm, m);
  v128.store(pv, v);
  const denominator = f32x4.add(f32x4.mul(rootCorrection, f32x4.sqrt(v)), eps);
  v128.store(pw, f32x4.sub(w, f32x4.div(f32x4.mul(stepSize, m), denominator)));
}

@inline
function adamLoop(
  w: usize, g: usize, m: usize, v: usize, i0: i32, i1: i32, decay: bool,
  b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, stepSize: f32, rootCorrection: f32, wd: f32,
): void {
  const vb1 = f32x4.splat(b1);
  const vc1 = f32x4.splat(c1);
  const vb2 = f32x4.splat(b2);
  const vc2 = f32x4.splat(c2);
  const veps = f32x4.splat(eps);
  const vstep = f32x4.splat(stepSize);
  const vroot = f32x4.splat(rootCorrection);
  const vwd = f32x4.splat(wd);
  let i = i0;
  const end4 = i0 + ((i1 - i0) & ~3);
  for (; i < end4; i += 4) {
    const off = <usize>i << 2;
    adamV(w + off, g + off, m + off, v + off, decay, vb1, vc1, vb2, vc2, veps, vstep, vroot, vwd);
  }
  // The tail, one lane at a time through the same vector code (same results as in the body).
  for (; i < i1; i++) {
    const off = <usize>i << 2;
    const tw = v128.load32_zero(w + off);
    const tg = v128.load32_zero(g + off);
    const tm = v128.load32_zero(m + off);
    const tv = v128.load32_zero(v + off);
    let gg = tg;
    if (decay) gg = f32x4.add(gg, f32x4.mul(vwd, tw));
    const nm = f32x4.add(f32x4.mul(vb1, tm), f32x4.mul(vc1, gg));
    const nv = f32x4.add(f32x4.mul(vb2, tv), f32x4.mul(vc2, f32x4.mul(gg, gg)));
    const nw = f32x4.sub(tw, f32x4.div(f32x4.mul(vstep, nm), f32x4.add(f32x4.mul(vroot, f32x4.sqrt(nv)), veps)));
    store<f32>(m + off, f32x4.extract_lane(nm, 0));
    store<f32>(v + off, f32x4.extract_lane(nv, 0));
    store<f32>(w + off, f32x4.extract_lane(nw, 0));
  }
}

/**
 * Adam on elements [i0, i1), in place. With g' = g + wd·w (coupled L2; wd = 0: none):
 *   m ← b1·m + c1·g',   v ← b2·v + c2·g'²,   w ← w − stepSize·m / (rootCorrection·√v + eps),
 * where the host passes c1 = 1 − b1, c2 = 1 − b2, stepSize = lr / (1 − b1ᵗ) and
 * rootCorrection = 1 / √(1 − b2ᵗ).
 */
export function adamUpdate(
  w: usize, g: usize, m: usize, v: usize, i0: i32, i1: i32,
  b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, stepSize: f32, rootCorrection: f32, wd: f32,
): void {
  if (wd != 0) adamLoop(w, g, m, v, i0, i1, true, b1, c1, b2, c2, eps, stepSize, rootCorrection, wd);
  else adamLoop(w, g, m, v, i0, i1, false, b1, c1, b2, c2, eps, stepSize, rootCorrection, wd);
}
