// Vector (f32x4) math shared by the elementwise and softmax kernels: exp, log, log1p, expm1,
// tanh. Scalar tails call the same vector function on a splat and take lane 0, so an element's
// value never depends on whether it fell in a vector body or a tail (so not on the thread split).

/**
 * e^x, lane-wise (Cephes expf: Cody–Waite reduction by ln 2 and a degree-6 polynomial; about
 * 1 ulp). Underflows to 0 below −87.33 (no subnormals), overflows to +∞ above 88.72, NaN stays NaN.
 */
export function vexp(x: v128): v128 {
  const hi = f32x4.splat(88.72283935546875);
  const lo = f32x4.splat(-87.33654022216797);
  const xc = f32x4.max(f32x4.min(x, hi), lo);
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  // 2^n through the exponent bits; n is in [−126, 128] after the clamp. n = 128 (x near the top)
  // is split as 2^127·2 so that it does not overflow the exponent field.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const top = i32x4.gt_s(ni, i32x4.splat(127));
  const e = i32x4.sub(ni, v128.and(top, i32x4.splat(1)));
  const scale = i32x4.shl(i32x4.add(e, i32x4.splat(127)), 23);
  let y = f32x4.mul(p, scale);
  y = v128.bitselect(f32x4.mul(y, f32x4.splat(2)), y, top);
  // Past the clamp: exact limits; NaN passes through.
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x, hi));
  y = v128.bitselect(f32x4.splat(0), y, f32x4.lt(x, lo));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

/**
 * ln x, lane-wise (Cephes logf: x = m·2^e with m in [√½, √2), a degree-9 polynomial in m − 1;
 * about 1 ulp). Subnormals are scaled first; ln 0 = −∞, ln(x < 0) = NaN, ln ∞ = ∞.
 */
export function vlog(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(1.1754943508222875e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  const m = v128.or(v128.and(xs, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000)); // [0.5, 1)
  const small = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  const fe = f32x4.convert_i32x4_s(i32x4.add(e, small)); // small lanes are −1: e − 1
  const r = f32x4.sub(f32x4.add(m, v128.and(small, m)), f32x4.splat(1));
  const z = f32x4.mul(r, r);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, r), z);
  y = f32x4.add(y, f32x4.mul(fe, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let out = f32x4.add(f32x4.add(r, y), f32x4.mul(fe, f32x4.splat(0.693359375)));
  out = v128.bitselect(f32x4.splat(Infinity), out, f32x4.eq(x, f32x4.splat(Infinity)));
  out = v128.bitselect(f32x4.splat(-Infinity), out, f32x4.eq(x, f32x4.splat(0)));
  out = v128.bitselect(f32x4.splat(NaN), out, f32x4.lt(x, f32x4.splat(0)));
  return v128.bitselect(x, out, f32x4.ne(x, x));
}

/**
 * ln(1 + y), lane-wise, accurate for tiny y (Kahan: ln(u)·y/(u − 1) with u = 1 + y, which
 * cancels the rounding of u; y itself where u rounds to 1).
 */
export function vlog1p(y: v128): v128 {
  const u = f32x4.add(y, f32x4.splat(1));
  const d = f32x4.sub(u, f32x4.splat(1));
  let r = f32x4.mul(vlog(u), f32x4.div(y, d));
  r = v128.bitselect(y, r, f32x4.eq(d, f32x4.splat(0)));
  return v128.bitselect(f32x4.splat(Infinity), r, f32x4.eq(y, f32x4.splat(Infinity)));
}

/** e^x − 1, lane-wise, accurate near 0 (Kahan: (u − 1)·x/ln u with u = e^x). */
export function vexpm1(x: v128): v128 {
  const u = vexp(x);
  const d = f32x4.sub(u, f32x4.splat(1));
  let r = f32x4.mul(d, f32x4.div(x, vlog(u)));
  r = v128.bitselect(x, r, f32x4.eq(d, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(-1), r, f32x4.eq(d, f32x4.splat(-1)));
  return v128.bitselect(f32x4.splat(Infinity), r, f32x4.eq(u, f32x4.splat(Infinity)));
}

/**
 * tanh x, lane-wise (Cephes tanhf: an odd polynomial for |x| < 0.625, where 1 − 2/(e^2|x| + 1)
 * would cancel, and that formula elsewhere; about 2 ulp).
 */
export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), ax), ax);
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  // Both branches give |tanh x|; the sign goes back on last (so tanh(−0) = −0).
  const magnitude = v128.bitselect(big, small, f32x4.gt(ax, f32x4.splat(0.625)));
  return v128.or(magnitude, v128.and(x, i32x4.splat(0x80000000)));
}

/** x^y lane-wise (Mathf.pow per lane). */
export function vpow(x: v128, y: v128): v128 {
  let r = x;
  r = f32x4.replace_lane(r, 0, Mathf.pow(f32x4.extract_lane(x, 0), f32x4.extract_lane(y, 0)));
  r = f32x4.replace_lane(r, 1, Mathf.pow(f32x4.extract_lane(x, 1), f32x4.extract_lane(y, 1)));
  r = f32x4.replace_lane(r, 2, Mathf.pow(f32x4.extract_lane(x, 2), f32x4.extract_lane(y, 2)));
  r = f32x4.replace_lane(r, 3, Mathf.pow(f32x4.extract_lane(x, 3), f32x4.extract_lane(y, 3)));
  return r;
}

/** Sum of the four lanes, in a fixed order: (l0 + l1) + (l2 + l3). */
export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

export function hmin(v: v128): f32 {
  return min(min(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), min(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}
