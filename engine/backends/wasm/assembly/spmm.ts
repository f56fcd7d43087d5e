// C = A·B for an A with many zeros (a ReLU's output, or a gradient masked by one: about half
// zeros; or MNIST pixels, four fifths). A group of A's rows is first compacted, row by row, into
// lists of their nonzeros (sparse.ts); then for each block of 8 vector columns, every row of the
// group sums, in registers, the block of B's rows its list names. The block of B (K rows × 128
// bytes) stays in L1 while all the group's rows use it. The work follows A's nonzeros.
//
// Determinism: C[i][j] = Σ_k A[i][k]·B[k][j] over A's nonzeros in k order, starting from 0,
// whatever block, group or thread computes it; threads split rows of C (../kernels/MatMul.ts).

import { madd } from './fma';
import { blockWidth, compact, gatherBlock } from './sparse';

/** Floats of one row's list (and of the offset table) for inner size K: K, a vector's overhang, whole 64-byte lines. */
// @ts-ignore: decorator
@inline
function entries(K: i32): i32 {
  return (K + 4 + 15) & ~15;
}

/** Rows per group: their lists (two of entries(K) floats each) fill about 256 KiB of L2. */
function groupRows(K: i32): i32 {
  return max(1, (256 * 1024) / (entries(K) << 3));
}

/** Bytes of spmm's per-thread scratch for inner size K: the offset table, then a group's lists. */
export function spmmScratchBytes(K: i32): i32 {
  return (entries(K) + groupRows(K) * 2 * entries(K)) << 2;
}

/**
 * Rows [m0, m1) of C (row stride ldc) = A (row stride lda) · B (K × N, row stride ldb), all
 * row-major. `lists`: spmmScratchBytes(K) of per-thread scratch.
 */
export function spmm(N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, m0: i32, m1: i32, lists: usize): void {
  const e = <usize>entries(K) << 2;
  const table = lists;
  const offs = table + e;
  const G = groupRows(K);
  const vals = offs + <usize>G * e;
  for (let k = 0; k < K; k++) store<i32>(table + (<usize>k << 2), (k * ldb) << 2);
  const rowBytes = <usize>N << 2;
  const n4 = <usize>(N & ~3) << 2;
  for (let g0 = m0; g0 < m1; g0 += G) {
    const g1 = min(m1, g0 + G);
    // Each row's count goes in the last word of its offsets list (entries(K) ≥ K + 4).
    for (let i = g0; i < g1; i++) {
      const o = offs + <usize>(i - g0) * e;
      const count = compact(a + (<usize>(i * lda) << 2), K, table, o, vals + <usize>(i - g0) * e, 0);
      store<i32>(o + e - 4, count);
      memory.fill(c + (<usize>(i * ldc) << 2), 0, rowBytes);
    }
    // Blocks of 8, 4 and 1 vectors of columns; every row of the group takes a block in turn.
    let j: usize = 0;
    while (j < n4) {
      const width = blockWidth(n4 - j);
      for (let i = g0; i < g1; i++) {
        const o = offs + <usize>(i - g0) * e;
        gatherBlock(width, c + (<usize>(i * ldc) << 2) + j, b + j, o, vals + <usize>(i - g0) * e, load<i32>(o + e - 4));
      }
      j += width;
    }
    for (; j < rowBytes; j += 4) {
      for (let i = g0; i < g1; i++) {
        const o = offs + <usize>(i - g0) * e;
        const v = vals + <usize>(i - g0) * e;
        const count = load<i32>(o + e - 4);
        // Lane 0 of the vector multiply-add, so a column past the last whole vector is summed
        // like the others (and like the packed GEMM's): fused in the fma build.
        let s = f32x4.splat(0);
        for (let k = 0; k < count; k++) s = madd(v128.load32_splat(v + (<usize>k << 2)), v128.load32_splat(b + <usize>load<i32>(o + (<usize>k << 2)) + j), s);
        store<f32>(c + (<usize>(i * ldc) << 2) + j, f32x4.extract_lane(s, 0));
      }
    }
  }
}
