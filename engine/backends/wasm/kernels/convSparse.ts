// Host side of the sparse-gradient path (assembly/convSparse.ts) for Conv2DBackpropInput and
// Conv2DBackpropFilter: stride 1, dilation 1, one group, any kernel and padding, when a sample
// of dy is mostly zeros — as below a max pool and a ReLU, where about a quarter of dy is
// nonzero. The work follows dy's nonzeros instead of its size. When it pays: SPARSE_DENSITY,
// measured in docs/wasm-backend.md.

import type { ConvAttrs, TensorInfo } from '../../backend.js';
import type { Chunk, KernelContext } from '../context.js';
import type { Geometry } from './Conv2D.js';
import { splitRange } from '../shapes.js';

/**
 * Below this fraction of nonzeros in dy the sparse kernels beat the dense ones (measured on the
 * lessons' 16→32 and 1→16 layers: docs/wasm-backend.md). With fused multiply-add the dense
 * kernels gain more than the sparse ones, which wait on loads, so the line moves down.
 */
export const SPARSE_DENSITY = { baseline: 0.5, fma: 0.3 } as const;
const sparseDensity = (ctx: KernelContext): number => (ctx.fma ? SPARSE_DENSITY.fma : SPARSE_DENSITY.baseline);
/** Leading samples of dy whose density decides: cheap, and a function of the data alone. */
const DENSITY_SAMPLES = 8;
/** Per-thread scratch (a padded sample, or a block of filter accumulators) past which the dense paths stay. */
const MAX_SCRATCH_BYTES = 4 << 20;
/** Multiply-adds (of the dense convolution) per thread below which a call stays on one thread. */
const GRAIN_MACS = 1 << 18;

/** For tests and benchmarks: force the sparse path on or off wherever it applies. */
export const sparseConvOverride: { mode: 'auto' | 'on' | 'off' } = { mode: 'auto' };

/** The forward convolution's sizes: x [N, C, H, W], w [F, C, kh, kw], y [N, F, Ho, Wo] (Conv2D.ts's geometry). */
export type SparseGeometry = Pick<Geometry, 'N' | 'C' | 'H' | 'W' | 'F' | 'kh' | 'kw' | 'Ho' | 'Wo' | 'groups'>;

const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;

interface Plan {
  params: number[];
  Hs: number;
  Ws: number;
  C4: number;
  /** Per-thread bytes of the padded channels-last sample (dx for the input gradient, x for the filter gradient). */
  sampleBytes: number;
  /** Bytes of one nonzero list (offsets or values) of a dy plane, or of the offset table; a thread's `lists` scratch holds three. */
  listBytes: number;
  /** Bytes of one sample's dy channels-last (the input gradient by positions). */
  dyBytes: number;
}

/**
 * The input gradient walks positions (mode 1) rather than planes (mode 0) with many filters: a
 * position's list then holds enough of them to pay for its compaction (N = 128, 23% nonzero, one
 * thread: 16→32 at 14×14 3.7 against 4.1 ms, 32→64 6.8 against 6.7, 8→16 at 28×28 7.2 against 6.2).
 */
function byPosition(g: SparseGeometry): boolean {
  return sparseInputMode.mode === 'auto' ? g.F >= 32 : sparseInputMode.mode === 'positions';
}

/** For tests and benchmarks: the input gradient's walk, or 'auto' (byPosition). */
export const sparseInputMode: { mode: 'auto' | 'planes' | 'positions' } = { mode: 'auto' };

/**
 * dy as the filter gradient takes it: dense at `ptr`; or, when MaxPoolBackprop left it
 * unwritten (kernels/Pool.ts), `ptr` is the pool's gradient (PH × PW planes) and `px` the pool's
 * input, from which the kernel rebuilds dy a plane at a time, in cache, in `poolBytes` of
 * per-thread scratch: the 6.4 MB dy of the lessons' first layer is never written to memory and
 * read back.
 */
export interface SparseDy {
  readonly ptr: number;
  readonly px: number;
  readonly PH: number;
  readonly PW: number;
  /** The pool carries a ReLU (PoolAttrs.relu): windows whose maximum is ≤ 0 pass no gradient. */
  readonly relu: boolean;
}

export function sparseDy(ctx: KernelContext, dy: TensorInfo): SparseDy {
  const pooled = ctx.pooledGrad(dy);
  return pooled ? { ptr: pooled.dy, px: pooled.x, PH: pooled.PH, PW: pooled.PW, relu: pooled.relu } : { ptr: ctx.ptr(dy), px: 0, PH: 0, PW: 0, relu: false };
}

/** The parameter block and scratch sizes (the sizes as assembly/convSparse.ts computes them). */
function plan(ctx: KernelContext, g: SparseGeometry, attrs: ConvAttrs, dy: SparseDy = { ptr: 0, px: 0, PH: 0, PW: 0, relu: false }): Plan {
  const Hs = g.Ho + g.kh - 1;
  const Ws = g.Wo + g.kw - 1;
  const C4 = Math.ceil(g.C / 4) * 4;
  const [pt, , pl] = attrs.pad;
  return {
    params: [g.N, g.C, g.H, g.W, g.F, g.kh, g.kw, pt, pl, g.Ho, g.Wo, Hs, Ws, C4, byPosition(g) ? 1 : 0, dy.PH, dy.PW, dy.relu ? 1 : 0],
    Hs,
    Ws,
    C4,
    sampleBytes: align64(ctx.ex.convSparseSampleBytes(Hs, Ws, C4)),
    listBytes: ctx.ex.convSparseEntries(g.Ho * g.Wo, g.F) * 4,
    dyBytes: align64(g.Ho * g.Wo * Math.ceil(g.F / 4) * 16),
  };
}

/**
 * Whether dy (the gradient of this convolution's output) goes to the sparse kernels: the
 * geometry fits and fewer than SPARSE_DENSITY of the leading samples' values are nonzero —
 * counted in the pool's gradient when dy is a max pool's unwritten one (each of its values lands
 * on one position of dy, so the count is the same; with the pool's ReLU, only windows whose
 * maximum is positive count).
 */
export function sparsePays(ctx: KernelContext, g: SparseGeometry, attrs: ConvAttrs, dy: TensorInfo): boolean {
  if (sparseConvOverride.mode === 'off') return false;
  const fits =
    g.groups === 1 && attrs.stride[0] === 1 && attrs.stride[1] === 1 && attrs.dilation[0] === 1 && attrs.dilation[1] === 1 &&
    plan(ctx, g, attrs).sampleBytes <= MAX_SCRATCH_BYTES && g.F * g.kh * g.kw * Math.ceil(g.C / 4) * 16 <= MAX_SCRATCH_BYTES;
  if (!fits) return false;
  if (sparseConvOverride.mode === 'on') return true;
  const samples = Math.min(g.N, DENSITY_SAMPLES) * g.F;
  const count = samples * g.Ho * g.Wo;
  const pooled = ctx.pooledGrad(dy);
  const nonzero = !pooled
    ? ctx.ex.countNonzero(ctx.ptr(dy), count)
    : pooled.relu
      ? ctx.ex.maxPoolReluNonzero(pooled.dy, pooled.x, samples, g.Ho, g.Wo, pooled.PH, pooled.PW)
      : ctx.ex.countNonzero(pooled.dy, samples * pooled.PH * pooled.PW);
  return count > 0 && nonzero < sparseDensity(ctx) * count;
}

const denseMacs = (g: SparseGeometry): number => g.N * g.F * g.C * g.kh * g.kw * g.Ho * g.Wo;

/** dx from a sparse dy: threads take whole samples, each with its own padded dx. */
export function sparseInputGrad(ctx: KernelContext, g: SparseGeometry, attrs: ConvAttrs, dy: number, w: number, dx: number): void {
  const d = plan(ctx, g, attrs);
  const wtBytes = align64(g.F * g.kh * g.kw * d.C4 * 4);
  const chunks = ctx.chunksFor(denseMacs(g) * sparseDensity(ctx), GRAIN_MACS, g.N);
  const perThread = d.sampleBytes + 3 * d.listBytes + d.dyBytes;
  const ws = ctx.workspace(wtBytes + perThread * (chunks > 1 ? ctx.threads : 1));
  ctx.ex.convSparsePack(w, g.F, g.C, g.kh, g.kw, d.C4, ws);
  const p = ctx.params(d.params);
  const scratch = (t: number): number[] => {
    const s = ws + wtBytes + t * perThread;
    return [s, s + d.sampleBytes];
  };
  const list: Chunk[] = splitRange(g.N, chunks)
    .filter(([n0, n1]) => n1 > n0)
    .map(([n0, n1]) => [p, dy, ws, dx, n0, n1, ...scratch(0)]);
  ctx.run('convSparseInput', list, ctx.threadScratch([6, 7], scratch));
}

/**
 * dw (and db when db ≠ 0) from a sparse dy: threads take blocks of filters and walk the whole
 * batch in order, each laying out every sample for itself (so no sum is split).
 */
export function sparseFilterGrad(ctx: KernelContext, g: SparseGeometry, attrs: ConvAttrs, x: number, dy: SparseDy, dw: number, db: number): void {
  const d = plan(ctx, g, attrs, dy);
  const parts = Math.min(ctx.chunksFor(denseMacs(g) * sparseDensity(ctx), GRAIN_MACS), ctx.threads, Math.max(1, g.F));
  const ranges = splitRange(g.F, parts).filter(([a, b]) => b > a);
  const widest = Math.max(0, ...ranges.map(([a, b]) => b - a));
  const acc = align64(ctx.ex.convSparseAccBytes(widest, g.C, g.kh, g.kw, d.C4));
  const poolBytes = dy.PH > 0 ? align64(g.Ho * g.Wo * 4) : 0;
  const perThread = d.sampleBytes + acc + 3 * d.listBytes + poolBytes;
  const ws = ctx.workspace(perThread * (ranges.length > 1 ? ctx.threads : 1));
  const p = ctx.params(d.params);
  const scratch = (t: number): number[] => {
    const s = ws + t * perThread;
    return [s, s + d.sampleBytes, s + d.sampleBytes + acc, s + perThread - poolBytes];
  };
  const chunks: Chunk[] = ranges.map(([f0, f1]) => {
    const [xs, accs, lists, pbuf] = scratch(0);
    return [p, x, dy.ptr, dw, f0, f1, xs!, accs!, lists!, db, dy.px, pbuf!];
  });
  ctx.run('convSparseFilter', chunks, ctx.threadScratch([6, 7, 8, 11], scratch));
}
