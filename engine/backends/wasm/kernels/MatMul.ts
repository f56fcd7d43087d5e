// Host side of MatMul: validates shapes and splits C = op(A)·op(B) across threads by fixed
// column panels (or row blocks when C is narrow). K is never split, so each element of C is
// summed in the same order with any thread count. Reference: the float64 reference backend
// (kernels.test.ts, the op suite); versions: assembly/gemm.ts sgemmV1 (naive SIMD) and sgemm
// (packed, 2×16); benchmark: bench/gemm.bench.ts.

import type { KernelAttrs, TensorInfo } from '../../backend.js';
import type { Chunk, KernelContext } from '../context.js';
import { splitRange } from '../shapes.js';

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
  gemm(ctx, { M, N, K, a: a.ptr, lda: ac, transA: attrs.transA, b: b.ptr, ldb: bc, transB: attrs.transB, c: c.ptr, ldc: N, accumulate: false });
}
