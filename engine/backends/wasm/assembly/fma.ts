// The multiply-accumulate every product kernel's inner loop is made of (GEMM, spmm, the
// convolutions and their gradients). scripts/build-wasm.mjs builds the module twice: without
// relaxed SIMD this is a multiply then an add, two roundings, the same bits on every CPU; with
// it (`--enable relaxed-simd`, netwright-kernels-fma.wasm) it is f32x4.relaxed_madd, which the
// runtime lowers to one fused multiply-add where the CPU has one (one rounding: about 1.7× the
// GEMM throughput on x86-64 with FMA3) and to a multiply then an add where it has not.
// Either way one module on one CPU gives the same bits every run, at every thread count.

/** c + a·b, lane-wise. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * 1 when madd really fuses here — this build and this CPU — else 0 (the host tunes the sparse
 * kernels' thresholds by it). The host passes a = 1 + 2⁻¹² and c = −(1 + 2⁻¹¹): a·a + c is
 * 2⁻²⁴ with one rounding and 0 with two (a·a rounds to 1 + 2⁻¹¹). Arguments, not constants, so
 * that the compiler cannot fold the answer in.
 */
export function fusedMultiplyAdd(a: f32, c: f32): i32 {
  return f32x4.extract_lane(madd(f32x4.splat(a), f32x4.splat(a), f32x4.splat(c)), 0) != 0 ? 1 : 0;
}
