// Host side of MatMul: validates shapes and splits C = op(A)·op(B) across threads by fixed
// column panels (or row blocks when C is narrow; a C of fewer than 16 columns is computed
// transposed: narrowMatMul). K is never split, so each element of C is
// summed in the same order with any thread count. Reference: the float64 reference backend
// (kernels.test.ts, the op suite); versions: assembly/gemm.ts sgemmV1 (naive SIMD) and sgemm
// (packed, 2×16); benchmark: bench/gemm.bench.ts.

import type { KernelAttrs, TensorInfo } from '../../backend.js';
import type { Chunk, KernelContext } from '../context.js';
import { splitRange } from '../shapes.js';

/**
 * Below this fraction of nonzeros in an operand, spmm beats the packed GEMM (measured on the
 * MLP's products: docs/wasm-backend.md). Fused multiply-add makes the GEMM ~1.7× as fast and
 * spmm, which waits on loads, much less, so the line moves down.
 */
export const SPARSE_DENSITY = { baseline: 0.6, fma: 0.35 } as const;
/** Products smaller than this many multiply-adds stay on the packed GEMM whatever their zeros. */
const SPARSE_MIN_MACS = 1 << 20;
/** Leading floats of each operand whose density decides: cheap, and a function of the data alone. */
const DENSITY_SAMPLE = 8192;

/** For tests and benchmarks: force the sparse path (spmm) on or off wherever it applies. */
export const sparseGemmOverride: { mode: 'auto' | 'on' | 'off' } = { mode: 'auto' };

/** Multiply-adds below which a GEMM stays on the calling thread (~10 µs of work). */
const SERIAL_MACS = 1 << 18;
/** The micro-kernel's tile (assembly/gemm.ts MR × NR): split boundaries fall on whole tiles. */
const MR = 2;
const NR = 16;

export interface Gemm {
  M: number;
  N: number;
  K: number;
  a: number;
  lda: number;
  transA: boolean;
  b: number;
  ldb: number;
  transB: boolean;
  c: number;
  ldc: number;
  accumulate: boolean;
}

/**
 * C (=|+=) op(A)·op(B) over the pool: one chunk per thread, by column panels or by row blocks
 * (see byColumns). Each chunk packs its own panels into the scratch of the
 * thread that claims it (argument 16).
 */
export function gemm(ctx: KernelContext, g: Gemm): void {
  const { M, N, K } = g;
  if (M === 0 || N === 0) return;
  const args = (m0: number, m1: number, n0: number, n1: number): Chunk => [
    M, N, K, g.a, g.lda, g.transA ? 1 : 0, g.b, g.ldb, g.transB ? 1 : 0, g.c, g.ldc, g.accumulate ? 1 : 0,
    m0, m1, n0, n1, ctx.gemmScratch(0),
  ];
  const panels = Math.ceil(N / NR);
  const tiles = Math.ceil(M / MR);
  const parts = M * N * K < SERIAL_MACS ? 1 : Math.min(ctx.threads, Math.max(panels, tiles));
  if (parts <= 1) {
    ctx.ex.sgemm(...args(0, M, 0, N));
    return;
  }
  // Each chunk packs all of op(A) and its share of op(B) (by columns), or its share of op(A)
  // and all of op(B) (by rows): split the larger of M and N, so less is packed twice. For the
  // MLP's weight gradient (784×256, K = 128) rows pack ~30% less than columns.
  const byColumns = panels >= parts && (M <= N || tiles < parts);
  const chunks = byColumns
    ? splitRange(N, parts, NR).filter(([a, b]) => b > a).map(([n0, n1]) => args(0, M, n0, n1))
    : splitRange(M, parts, MR).filter(([a, b]) => b > a).map(([m0, m1]) => args(m0, m1, 0, N));
  ctx.run('sgemm', chunks, ctx.threadScratch([16], (t) => [ctx.gemmScratch(t)]));
}

const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/**
 * C = op(A)·op(B) with fewer columns than the micro-kernel's NR (a classifier's 10 classes) and
 * at least NR rows, computed as Cᵀ = op(B)ᵀ·op(A)ᵀ into the workspace and transposed into C:
 * the long side then fills the kernel's 16 lanes (N = 10 used 10 of 16, and every tile went
 * through the edge path's scratch copy). Each element is the same sum of the same products in
 * the same k order (a·b = b·a exactly, fused or not), so the bits do not change.
 */
function narrowMatMul(ctx: KernelContext, g: Gemm): boolean {
  const { M, N, K } = g;
  if (N >= NR || M < NR || g.accumulate || K === 0) return false;
  const ct = ctx.workspace(align64(M * N * 4));
  // op(B)ᵀ(j, k) = op(B)(k, j): stored transposed exactly when op(B) is not, and likewise op(A)ᵀ.
  gemm(ctx, { M: N, N: M, K, a: g.b, lda: g.ldb, transA: !g.transB, b: g.a, ldb: g.lda, transB: !g.transA, c: ct, ldc: M, accumulate: false });
  // transpose2(src, dst, r, c): dst (c × r) = src (r × c)ᵀ.
  ctx.ex.transpose2(ct, g.c, N, M, 0, 1);
  return true;
}

/** The fraction of nonzeros among the first DENSITY_SAMPLE of `count` floats at `ptr`. */
function density(ctx: KernelContext, ptr: number, count: number): number {
  const n = Math.min(count, DENSITY_SAMPLE);
  return n === 0 ? 1 : ctx.ex.countNonzero(ptr, n) / n;
}

/**
 * C = op(A)·op(B) by assembly/spmm.ts when an operand is mostly zeros (a ReLU's output, a
 * gradient masked by one), else false. A sparse op(A) is compacted row by row (rows of C); a
 * sparse op(B) makes it Cᵀ = op(B)ᵀ·op(A)ᵀ, then C = (Cᵀ)ᵀ. Operands whose rows are not
 * contiguous are transposed into the workspace first. Threads take rows of the product.
 */
function sparseMatMul(ctx: KernelContext, g: Gemm): boolean {
  const { M, N, K } = g;
  const mode = sparseGemmOverride.mode;
  if (mode === 'off' || g.accumulate || M === 0 || N === 0 || K === 0) return false;
  if (mode === 'auto' && M * N * K < SPARSE_MIN_MACS) return false;
  const limit = ctx.fma ? SPARSE_DENSITY.fma : SPARSE_DENSITY.baseline;
  const dA = density(ctx, g.a, M * K);
  const dB = dA < limit && mode === 'auto' ? 1 : density(ctx, g.b, K * N);
  const byRows = mode === 'on' ? dA <= dB : dA < limit && dA <= dB;
  if (!byRows && !(mode === 'on' || dB < limit)) return false;
  // The product spmm computes: P (rows × cols) = L (rows × K, row-major) · R (K × cols, row-major).
  const [rows, cols] = byRows ? [M, N] : [N, M];
  const lStored = byRows ? !g.transA : g.transB; // L's rows are contiguous as stored
  const rStored = byRows ? !g.transB : g.transA;
  const lBytes = lStored ? 0 : align64(rows * K * 4);
  const rBytes = rStored ? 0 : align64(K * cols * 4);
  const pBytes = byRows ? 0 : align64(rows * cols * 4);
  const listBytes = align64(ctx.ex.spmmScratchBytes(K));
  const chunks = ctx.chunksFor(M * N * K * Math.min(dA, dB), SERIAL_MACS, rows);
  const ws = ctx.workspace(lBytes + rBytes + pBytes + listBytes * (chunks > 1 ? ctx.threads : 1));
  const [lSrc, rSrc] = byRows ? [g.a, g.b] : [g.b, g.a];
  // transpose2(src, dst, r, c): dst (c × r) = src (r × c)ᵀ. L not stored row-wise is stored K × rows.
  const l = lStored ? lSrc : ws;
  if (!lStored) ctx.ex.transpose2(lSrc, l, K, rows, 0, 1);
  const r = rStored ? rSrc : ws + lBytes;
  if (!rStored) ctx.ex.transpose2(rSrc, r, cols, K, 0, 1);
  const p = byRows ? g.c : ws + lBytes + rBytes;
  const lists = ws + lBytes + rBytes + pBytes;
  const list: Chunk[] = splitRange(rows, chunks)
    .filter(([a, b]) => b > a)
    .map(([m0, m1]) => [cols, K, l, K, r, cols, p, cols, m0, m1, lists]);
  ctx.run('spmm', list, ctx.threadScratch([10], (t) => [lists + t * listBytes]));
  if (!byRows) ctx.ex.transpose2(p, g.c, N, M, 0, 1);
  return true;
}

export function MatMul(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs['MatMul']): void {
  const [ai, bi] = inputs;
  const [oi] = outputs;
  if (!ai || !bi || !oi) throw new Error('wasm backend: MatMul needs two inputs and one output');
  if (ai.shape.length !== 2 || bi.shape.length !== 2) throw new Error('wasm backend: MatMul takes 2-D inputs');
  const [ar, ac] = ai.shape as [number, number];
  const [br, bc] = bi.shape as [number, number];
  const [M, K] = attrs.transA ? [ac, ar] : [ar, ac];
  const [K2, N] = attrs.transB ? [bc, br] : [br, bc];
  if (K !== K2) throw new Error(`wasm backend: MatMul inner sizes differ: [${ai.shape.join(', ')}] · [${bi.shape.join(', ')}]`);
  if (oi.shape[0] !== M || oi.shape[1] !== N) throw new Error(`wasm backend: MatMul output [${oi.shape.join(', ')}], expected [${M}, ${N}]`);
  const a = ctx.storage(ai);
  const b = ctx.storage(bi);
  const c = ctx.storage(oi);
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || c.dtype !== 'float32') throw new Error('wasm backend: MatMul is float32 only');
  const g: Gemm = { M, N, K, a: a.ptr, lda: ac, transA: attrs.transA, b: b.ptr, ldb: bc, transB: attrs.transB, c: c.ptr, ldc: N, accumulate: false };
  if (sparseMatMul(ctx, g) || narrowMatMul(ctx, g)) return;
  gemm(ctx, g);
}
