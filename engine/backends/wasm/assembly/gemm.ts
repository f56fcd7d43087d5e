// SGEMM kernels: C[m0:m1, n0:n1] (= or +=) op(A)·op(B), row-major, f32. The host splits C into
// fixed row/column ranges, one per thread; K is never split, and its blocking depends on K
// alone, so every element of C is summed in the same order whatever the thread count.

import { madd } from './fma';

// ---------------------------------------------------------------------------------------------
// Version 1: the naive SIMD GEMM (DESIGN.md §4's "30-line" baseline), kept for the benchmark
// and as a second opinion in tests. No transposes, no packing: C = A·B.

export function sgemmV1(M: i32, N: i32, K: i32, a: usize, b: usize, c: usize): void {
  // i-k-j order: C's row i accumulates splat(A[i,k]) · B's row k, four columns at a time.
  const n4 = N & ~3;
  for (let i = 0; i < M; i++) {
    const crow = c + ((<usize>i * N) << 2);
    memory.fill(crow, 0, <usize>N << 2);
    for (let k = 0; k < K; k++) {
      const aik = load<f32>(a + ((<usize>i * K + k) << 2));
      const av = f32x4.splat(aik);
      const brow = b + ((<usize>k * N) << 2);
      let j = 0;
      for (; j < n4; j += 4) {
        const off = <usize>j << 2;
        v128.store(crow + off, f32x4.add(v128.load(crow + off), f32x4.mul(av, v128.load(brow + off))));
      }
      for (; j < N; j++) {
        const off = <usize>j << 2;
        store<f32>(crow + off, load<f32>(crow + off) + aik * load<f32>(brow + off));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Version 2: packed and register-blocked (BLIS loop order). The micro-kernel keeps a 2×16 tile
// of C in eight f32x4 accumulators; on this hardware (V8's register allocator, SIMD128 without
// FMA) 2×16 beat 4×8, 6×8, 8×8, 3×12, 4×12 and 4×16, and unrolling k made it slower
// (docs/wasm-backend.md has the measurements). Its multiply-adds are madd (fma.ts): fused in
// the fma build, where unrolling k by two was slower again (31 against 42 GFLOPS).

export const MR: i32 = 2;
export const NR: i32 = 16;
/** Rows of A packed at once (an L2-sized block). */
export const MC: i32 = 128;
/** Columns of B packed at once. */
export const NC: i32 = 512;
/** The largest K block; the actual block depends on K only (see kBlock). */
export const KC: i32 = 384;

/** Bytes of per-thread scratch sgemm needs: packed A block, packed B panel and one edge tile. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4 + 64;
}

/** The K block for a given K: as even as possible, at most KC. A function of K alone. */
export function kBlock(K: i32): i32 {
  const blocks = (K + KC - 1) / KC;
  return (K + blocks - 1) / blocks;
}

/**
 * The 2×16 micro-kernel: tile = Σ_k a[k][0..2] ⊗ b[k][0..16] over a packed A micro-panel
 * ([kc][2]) and a packed B micro-panel ([kc][16]); then C = tile or C += tile. Each accumulator
 * lane sums its k terms in order, one madd each, so the result does not depend on where the
 * tile sits.
 */
function kernel2x16(kc: i32, a: usize, b: usize, c: usize, ldcBytes: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c02 = f32x4.splat(0);
  let c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c12 = f32x4.splat(0);
  let c13 = f32x4.splat(0);
  const aEnd = a + ((<usize>kc * MR) << 2);
  while (a < aEnd) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const b2 = v128.load(b, 32);
    const b3 = v128.load(b, 48);
    const a0 = v128.load32_splat(a);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c02 = madd(a0, b2, c02);
    c03 = madd(a0, b3, c03);
    const a1 = v128.load32_splat(a, 4);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c12 = madd(a1, b2, c12);
    c13 = madd(a1, b3, c13);
    a += MR << 2;
    b += NR << 2;
  }
  const c1 = c + ldcBytes;
  if (accumulate) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c02 = f32x4.add(v128.load(c, 32), c02);
    c03 = f32x4.add(v128.load(c, 48), c03);
    c10 = f32x4.add(v128.load(c1), c10);
    c11 = f32x4.add(v128.load(c1, 16), c11);
    c12 = f32x4.add(v128.load(c1, 32), c12);
    c13 = f32x4.add(v128.load(c1, 48), c13);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c, c02, 32);
  v128.store(c, c03, 48);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c1, c12, 32);
  v128.store(c1, c13, 48);
}

/**
 * Packs op(A)[i0 : i0+mc, k0 : k0+kc] into MR-row micro-panels, each [kc][MR]; rows past the
 * end of A are zeros. op(A)(i, k) is a[i·lda + k], or a[k·lda + i] when transposed.
 */
function packA(a: usize, lda: i32, transA: bool, M: i32, i0: i32, mc: i32, k0: i32, kc: i32, dst: usize): void {
  const ldaBytes = <usize>lda << 2;
  for (let p = 0; p < mc; p += MR) {
    const r = i0 + p;
    const two = r + 1 < M;
    if (transA) {
      let src = a + ((<usize>k0 * lda + r) << 2);
      if (two) {
        for (let k = 0; k < kc; k++) {
          store<u64>(dst, load<u64>(src));
          src += ldaBytes;
          dst += 8;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          store<f32>(dst, load<f32>(src));
          store<f32>(dst, 0, 4);
          src += ldaBytes;
          dst += 8;
        }
      }
    } else {
      const r0 = a + ((<usize>r * lda + k0) << 2);
      if (two) {
        const r1 = r0 + ldaBytes;
        const k4 = kc & ~3;
        let k = 0;
        for (; k < k4; k += 4) {
          const x = v128.load(r0 + (<usize>k << 2));
          const y = v128.load(r1 + (<usize>k << 2));
          // (x0 y0 x1 y1) (x2 y2 x3 y3)
          v128.store(dst, v128.shuffle<f32>(x, y, 0, 4, 1, 5));
          v128.store(dst, v128.shuffle<f32>(x, y, 2, 6, 3, 7), 16);
          dst += 32;
        }
        for (; k < kc; k++) {
          store<f32>(dst, load<f32>(r0 + (<usize>k << 2)));
          store<f32>(dst, load<f32>(r1 + (<usize>k << 2)), 4);
          dst += 8;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          store<f32>(dst, load<f32>(r0 + (<usize>k << 2)));
          store<f32>(dst, 0, 4);
          dst += 8;
        }
      }
    }
  }
}

/**
 * Packs op(B)[k0 : k0+kc, j0 : j0+nc] into NR-column micro-panels, each [kc][NR]; columns past
 * the end of B are zeros. op(B)(k, j) is b[k·ldb + j], or b[j·ldb + k] when transposed.
 */
function packB(b: usize, ldb: i32, transB: bool, N: i32, j0: i32, nc: i32, k0: i32, kc: i32, dst: usize): void {
  const ldbBytes = <usize>ldb << 2;
  for (let p = 0; p < nc; p += NR) {
    const j = j0 + p;
    const width = min(NR, N - j);
    if (!transB) {
      let src = b + ((<usize>k0 * ldb + j) << 2);
      if (width == NR) {
        for (let k = 0; k < kc; k++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          v128.store(dst, v128.load(src, 32), 32);
          v128.store(dst, v128.load(src, 48), 48);
          src += ldbBytes;
          dst += NR << 2;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          let q = 0;
          for (; q < width; q++) store<f32>(dst + (<usize>q << 2), load<f32>(src + (<usize>q << 2)));
          for (; q < NR; q++) store<f32>(dst + (<usize>q << 2), 0);
          src += ldbBytes;
          dst += NR << 2;
        }
      }
    } else {
      // Column j of op(B) is row j of b: transpose 4×4 blocks (4 columns × 4 k) at a time.
      const k4 = kc & ~3;
      for (let q = 0; q < NR; q += 4) {
        const col = dst + (<usize>q << 2);
        if (q + 4 <= width) {
          const s0 = b + ((<usize>(j + q) * ldb + k0) << 2);
          const s1 = s0 + ldbBytes;
          const s2 = s1 + ldbBytes;
          const s3 = s2 + ldbBytes;
          let k = 0;
          for (; k < k4; k += 4) {
            const off = <usize>k << 2;
            const r0 = v128.load(s0 + off);
            const r1 = v128.load(s1 + off);
            const r2 = v128.load(s2 + off);
            const r3 = v128.load(s3 + off);
            const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // a0 b0 a1 b1
            const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5); // c0 d0 c1 d1
            const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // a2 b2 a3 b3
            const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7); // c2 d2 c3 d3
            const out = col + ((<usize>k * NR) << 2);
            v128.store(out, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
            v128.store(out, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), NR << 2);
            v128.store(out, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), NR << 3);
            v128.store(out, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), (NR << 3) + (NR << 2));
          }
          for (; k < kc; k++) {
            const off = <usize>k << 2;
            const out = col + ((<usize>k * NR) << 2);
            store<f32>(out, load<f32>(s0 + off));
            store<f32>(out, load<f32>(s1 + off), 4);
            store<f32>(out, load<f32>(s2 + off), 8);
            store<f32>(out, load<f32>(s3 + off), 12);
          }
        } else {
          for (let k = 0; k < kc; k++) {
            const out = col + ((<usize>k * NR) << 2);
            for (let t = 0; t < 4; t++) {
              const jj = q + t;
              const v: f32 = jj < width ? load<f32>(b + ((<usize>(j + jj) * ldb + k0 + k) << 2)) : 0;
              store<f32>(out + (<usize>t << 2), v);
            }
          }
        }
      }
      dst += (<usize>kc * NR) << 2;
    }
  }
}

/**
 * C[m0:m1, n0:n1] = op(A)·op(B) (or += when `accumulate`), with op(A) M×K and op(B) K×N.
 * `scratch` is this thread's gemmScratchBytes() of 16-byte-aligned memory.
 */
export function sgemm(
  M: i32, N: i32, K: i32,
  a: usize, lda: i32, transA: i32,
  b: usize, ldb: i32, transB: i32,
  c: usize, ldc: i32, accumulate: i32,
  m0: i32, m1: i32, n0: i32, n1: i32,
  scratch: usize,
): void {
  if (m1 <= m0 || n1 <= n0) return;
  const ldcBytes = <usize>ldc << 2;
  if (K == 0) {
    if (!accumulate) {
      for (let i = m0; i < m1; i++) memory.fill(c + ((<usize>i * ldc + n0) << 2), 0, <usize>(n1 - n0) << 2);
    }
    return;
  }
  const ap = (scratch + 15) & ~(<usize>15);
  const bp = ap + ((<usize>MC * KC) << 2);
  const tile = bp + ((<usize>KC * NC) << 2);
  const kb = kBlock(K);
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < K; pc += kb) {
      const kc = min(kb, K - pc);
      const acc = accumulate != 0 || pc > 0;
      packB(b, ldb, transB != 0, n1, jc, nc, pc, kc, bp);
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = min(MC, m1 - ic);
        packA(a, lda, transA != 0, m1, ic, mc, pc, kc, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const bpanel = bp + ((<usize>jr * kc) << 2);
          const nr = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const apanel = ap + ((<usize>ir * kc) << 2);
            const cptr = c + ((<usize>(ic + ir) * ldc + jc + jr) << 2);
            const mr = min(MR, mc - ir);
            if (mr == MR && nr == NR) {
              kernel2x16(kc, apanel, bpanel, cptr, ldcBytes, acc);
            } else {
              // Edge tile: compute the full tile in scratch, then merge the valid part.
              kernel2x16(kc, apanel, bpanel, tile, NR << 2, false);
              for (let r = 0; r < mr; r++) {
                const crow = cptr + <usize>r * ldcBytes;
                const trow = tile + ((<usize>r * NR) << 2);
                for (let q = 0; q < nr; q++) {
                  const off = <usize>q << 2;
                  const v = load<f32>(trow + off);
                  store<f32>(crow + off, acc ? load<f32>(crow + off) + v : v);
                }
              }
            }
          }
        }
      }
    }
  }
}
