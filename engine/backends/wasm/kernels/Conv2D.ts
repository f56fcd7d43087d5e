// Host side of Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter (NCHW). Forward and the
// input gradient give each thread whole samples (im2col/col2im + GEMM per sample, scratch per
// thread); the filter gradient gives each thread a block of dW's columns (or rows) and walks
// the batch in order inside wasm. Stride-1 convolutions with small padding (3×3 "same", say)
// take the direct kernels of assembly/convDirect.ts instead (assembly/convSmall.ts for few
// taps, Cin·kh·kw ≤ 27), with the same partitioning; 3×3 "same" ones with enough channels take
// Winograd F(2×2, 3×3) for all three (kernels/winograd.ts, kernels/winogradFilter.ts).
// Validation: kernels.test.ts against the reference backend.

import type { ConvAttrs, TensorInfo } from '../../backend.js';
import type { Chunk, KernelContext } from '../context.js';
import { splitRange } from '../shapes.js';
import { sparseDy, sparseFilterGrad, sparseInputGrad, sparsePays } from './convSparse.js';
import { winogradApplies, winogradConv, winogradPays } from './winograd.js';
import { winogradFilterGrad, winogradFilterPays } from './winogradFilter.js';

/** Multiply-adds per thread below which a convolution stays on the calling thread. */
const GRAIN_MACS = 1 << 18;
const NR = 16;

export interface Geometry {
  N: number;
  C: number;
  H: number;
  W: number;
  F: number;
  kh: number;
  kw: number;
  Ho: number;
  Wo: number;
  groups: number;
  /** Cg·kh·kw: rows of one group's column matrix. */
  ckk: number;
  /** 1×1, stride 1, no padding: the input already is the column matrix. */
  direct: boolean;
  /** The parameter block for assembly/conv.ts. */
  params: number[];
}

function geometry(x: readonly number[], w: readonly number[], attrs: ConvAttrs): Geometry {
  if (x.length !== 4 || w.length !== 4) throw new Error('wasm backend: Conv2D takes NCHW input and F×C×kh×kw weights');
  const [N, C, H, W] = x as [number, number, number, number];
  const [F, Cg, kh, kw] = w as [number, number, number, number];
  const groups = attrs.groups;
  const [sh, sw] = attrs.stride;
  const [pt, pb, pl, pr] = attrs.pad;
  const [dh, dw] = attrs.dilation;
  if (groups < 1 || C % groups !== 0 || F % groups !== 0 || Cg !== C / groups) {
    throw new Error(`wasm backend: Conv2D with ${groups} groups cannot map input channels ${C} to weights [${w.join(', ')}]`);
  }
  const Ho = Math.floor((H + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const Wo = Math.floor((W + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  if (Ho < 0 || Wo < 0) throw new Error('wasm backend: Conv2D window is larger than the padded input');
  const direct = kh === 1 && kw === 1 && sh === 1 && sw === 1 && pt === 0 && pb === 0 && pl === 0 && pr === 0;
  const params = [N, C, H, W, F, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, groups, Ho, Wo, direct ? 1 : 0];
  return { N, C, H, W, F, kh, kw, Ho, Wo, groups, ckk: Cg * kh * kw, direct, params };
}

function expectShape(t: TensorInfo, shape: readonly number[], what: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`wasm backend: ${what} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
}

/**
 * Chunks of whole samples; whichever thread claims a chunk uses its own column buffer and GEMM
 * scratch (arguments 6 and 7).
 */
function perSample(ctx: KernelContext, g: Geometry, name: 'conv2dForward' | 'conv2dBackpropInput', a: number, b: number, out: number, bias = 0): void {
  const macs = g.N * g.F * g.ckk * g.Ho * g.Wo;
  const chunks = ctx.chunksFor(macs, GRAIN_MACS, g.N);
  const colBytes = g.direct ? 0 : Math.ceil((g.ckk * g.Ho * g.Wo * 4) / 64) * 64;
  // One column buffer per pool thread: any thread may claim a chunk.
  const col = ctx.workspace(Math.max(64, colBytes * (chunks > 1 ? ctx.threads : 1)));
  const p = ctx.params(g.params);
  const list: Chunk[] = splitRange(g.N, chunks)
    .filter(([n0, n1]) => n1 > n0)
    .map(([n0, n1]) => (name === 'conv2dForward' ? [p, a, b, out, n0, n1, col, ctx.gemmScratch(0), bias] : [p, a, b, out, n0, n1, col, ctx.gemmScratch(0)]));
  ctx.run(name, list, ctx.threadScratch([6, 7], (t) => [col + t * colBytes, ctx.gemmScratch(t)]));
}

// ---------------------------------------------------------------------------------------------
// The direct path (assembly/convDirect.ts): stride 1, dilation 1, one group, each pad smaller
// than the kernel (so the input gradient is again such a convolution), not 1×1 (plain GEMM).

const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;
/** assembly/convDirect.ts SLACK: floats read past the padded planes. */
const SLACK = 64;

function directApplies(g: Geometry, attrs: ConvAttrs): boolean {
  const [pt, pb, pl, pr] = attrs.pad;
  return (
    g.groups === 1 && attrs.stride[0] === 1 && attrs.stride[1] === 1 && attrs.dilation[0] === 1 && attrs.dilation[1] === 1 &&
    !g.direct && g.kw <= 32 && pt < g.kh && pb < g.kh && pl < g.kw && pr < g.kw
  );
}

/**
 * Whether convDirect beats im2col + GEMM for K taps into Fout outputs (measured, one layer at a
 * time: docs/wasm-backend.md). Past ~288 taps the padded input and a group of weights no longer
 * share L1 and the packed GEMM wins; one to three outputs waste most of a filter pair.
 */
function directPays(K: number, Fout: number): boolean {
  return K <= 288 && Fout >= 4;
}

/**
 * Few taps (Cin·kh·kw ≤ 27: a first layer of 1 or 3 channels, 3×3) take assembly/convSmall.ts:
 * tiles on real positions, no wide garbage columns (1→16 at 28×28: forward and filter gradient
 * measured in docs/wasm-backend.md: 1.16× and 1.27× on one thread; 3→16 and 3→8 1.07–1.11×).
 * More taps keep their measured paths: these tiles were not timed there.
 */
const SMALL_TAPS = 27;

/** 'off' sends few-tap convolutions to the wide tiles as before (measurements, tests). */
export const smallConvOverride: { mode: 'auto' | 'off' } = { mode: 'auto' };

function smallPays(K: number): boolean {
  return smallConvOverride.mode === 'auto' && K <= SMALL_TAPS;
}

/** The routine's view: Cin planes H×W in, Fout planes Ho×Wo out, image at (pt, pl) of the padded input. */
interface DirectPlan {
  params: number[];
  Hp: number;
  Wp: number;
  K: number;
  Pw: number;
  /**
   * Tile: 0, 2 filters × 16 wide positions; 1, 16 filters × 2 positions (large K: no waste);
   * 2, few taps: 4 filters × 8 positions of a row (convSmall).
   */
  mode: 0 | 1 | 2;
  /** Bytes of one thread's padded input (convPadBytes) and output scratch (the wide output in mode 0). */
  padBytes: number;
  outBytes: number;
}

function directPlan(N: number, Cin: number, H: number, W: number, Fout: number, kh: number, kw: number, pt: number, pl: number, Ho: number, Wo: number): DirectPlan {
  const Hp = Ho + kh - 1;
  const Wp = Wo + kw - 1;
  const Pw = Math.ceil((Ho * Wp) / 16) * 16;
  const K = Cin * kh * kw;
  // Mode 1 wastes filters (a group of 16), mode 0 positions (Wp − Wo per row); below ~32 taps
  // mode 1's transposed stores cost more than either.
  const mode = smallPays(K) ? 2 : K >= 32 && Math.ceil(Fout / 16) * 16 * Wo <= (Fout + (Fout & 1)) * Wp ? 1 : 0;
  return {
    params: [N, Cin, H, W, Fout, kh, kw, pt, pl, Ho, Wo, Hp, Wp, Pw, K, mode],
    Hp,
    Wp,
    K,
    Pw,
    mode,
    padBytes: align64((Cin * Hp * Wp + SLACK) * 4),
    outBytes: mode === 1 ? 192 : mode === 2 ? 64 : align64((Fout + (Fout & 1)) * Pw * 4),
  };
}

/**
 * convDirect over whole samples: packs the weights of `wg` (flipped and transposed for the
 * input gradient) on this thread, then every thread pads its samples into its own scratch.
 */
function directConv(
  ctx: KernelContext, d: DirectPlan, N: number, Fout: number, macs: number, w: number, wg: Geometry, transpose: boolean, x: number, y: number, bias = 0,
): void {
  const group = d.mode === 1 ? 16 : d.mode === 2 ? 4 : 2;
  const wpkBytes = align64(Math.ceil(Fout / group) * group * d.K * 4);
  const offsBytes = align64(d.K * 4);
  const chunks = ctx.chunksFor(macs, GRAIN_MACS, N);
  const perThread = d.padBytes + d.outBytes;
  const ws = ctx.workspace(wpkBytes + offsBytes + perThread * (chunks > 1 ? ctx.threads : 1));
  const offs = ws + wpkBytes;
  ctx.ex.convPackWeights(w, wg.F, wg.C, wg.kh, wg.kw, transpose ? 1 : 0, group, d.Hp, d.Wp, ws, offs);
  const p = ctx.params(d.params);
  const scratch = (t: number): number => offs + offsBytes + t * perThread;
  const list: Chunk[] = splitRange(N, chunks)
    .filter(([n0, n1]) => n1 > n0)
    .map(([n0, n1]) => [p, x, ws, offs, y, n0, n1, scratch(0), scratch(0) + d.padBytes, bias]);
  ctx.run(d.mode === 2 ? 'convSmall' : 'convDirect', list, ctx.threadScratch([7, 8], (t) => [scratch(t), scratch(t) + d.padBytes]));
}

/**
 * dW (and db when db ≠ 0) by convDirectFilter: each chunk owns a block of filters (pairs kept
 * together, so every dW element is the same sum of products on any thread count) or of input
 * channels, and walks the batch in order, padding its channels and widening its dy rows.
 */
function directFilter(ctx: KernelContext, g: Geometry, attrs: ConvAttrs, x: number, dy: number, dw: number, db: number): void {
  const d = directPlan(g.N, g.C, g.H, g.W, g.F, g.kh, g.kw, attrs.pad[0], attrs.pad[2], g.Ho, g.Wo);
  const parts = Math.min(ctx.chunksFor(g.N * g.F * g.ckk * g.Ho * g.Wo, GRAIN_MACS), ctx.threads);
  if (g.kh === 3 && g.kw === 3 && smallPays(g.ckk) && g.F >= parts) {
    // convSmallFilter: blocks of filters, each thread padding all (≤ 3) channels; no dy rows to widen.
    const ranges = splitRange(g.F, parts).filter(([a, b]) => b > a);
    const perThread = d.padBytes + 64;
    const ws = ctx.workspace(perThread * (ranges.length > 1 ? ctx.threads : 1));
    const p = ctx.params(d.params);
    const chunks: Chunk[] = ranges.map(([f0, f1]) => [p, x, dy, dw, f0, f1, 0, g.C, ws, ws + d.padBytes, db]);
    ctx.run('convSmallFilter', chunks, ctx.threadScratch([8, 9], (t) => [ws + t * perThread, ws + t * perThread + d.padBytes]));
    return;
  }
  // Blocks of filters when each gets several pairs and the whole padded input stays small (each
  // thread pads all of it, but widens only its own dy rows): 16→32 at 14×14 on two threads,
  // 2.4 ms against 2.7 by channels. Else channels, when there are enough of them.
  const filtersPay = g.F >= 8 * parts && (g.C * d.Hp * d.Wp + SLACK) * 4 <= 48 * 1024;
  const byChannels = !filtersPay && g.C >= parts;
  const ranges = (byChannels ? splitRange(g.C, parts) : splitRange(g.F, parts, 2)).filter(([a, b]) => b > a);
  const widest = Math.max(...ranges.map(([a, b]) => b - a));
  const padBytes = byChannels ? align64((widest * d.Hp * d.Wp + SLACK) * 4) : d.padBytes;
  const wideBytes = align64((byChannels ? g.F + 1 : widest + 1) * d.Pw * 4);
  const perThread = padBytes + wideBytes;
  const ws = ctx.workspace(perThread * (ranges.length > 1 ? ctx.threads : 1));
  const p = ctx.params(d.params);
  const chunks: Chunk[] = ranges.map(([lo, hi]) => {
    const [f0, f1, c0, c1] = byChannels ? [0, g.F, lo, hi] : [lo, hi, 0, g.C];
    // The bias gradient (all filters) goes with the first channel block, or with each filter block.
    return [p, x, dy, dw, f0, f1, c0, c1, ws, ws + padBytes, byChannels && lo > 0 ? 0 : db];
  });
  ctx.run('convDirectFilter', chunks, ctx.threadScratch([8, 9], (t) => [ws + t * perThread, ws + t * perThread + padBytes]));
}

export function Conv2D(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: ConvAttrs): void {
  const [x, w, b] = inputs;
  const [y] = outputs;
  if (!x || !w || !y) throw new Error('wasm backend: Conv2D needs x, w and y');
  const g = geometry(x.shape, w.shape, attrs);
  expectShape(y, [g.N, g.F, g.Ho, g.Wo], 'Conv2D output');
  if (b) expectShape(b, [g.F], 'Conv2D bias');
  const bias = b ? ctx.ptr(b) : 0;
  if (winogradApplies(g.kh, g.kw, g.groups, attrs) && winogradPays(g.C, g.F)) {
    winogradConv(ctx, g.N, g.C, g.F, g.H, g.W, ctx.ptr(w), false, ctx.ptr(x), ctx.ptr(y), bias);
    return;
  }
  if (directApplies(g, attrs) && directPays(g.ckk, g.F)) {
    const d = directPlan(g.N, g.C, g.H, g.W, g.F, g.kh, g.kw, attrs.pad[0], attrs.pad[2], g.Ho, g.Wo);
    directConv(ctx, d, g.N, g.F, g.N * g.F * g.ckk * g.Ho * g.Wo, ctx.ptr(w), g, false, ctx.ptr(x), ctx.ptr(y), bias);
    return;
  }
  perSample(ctx, g, 'conv2dForward', ctx.ptr(x), ctx.ptr(w), ctx.ptr(y), bias);
}

/** db[f] = Σ dy[n, f, ·, ·]: threads take blocks of filters, each summing samples in order. */
function biasGrad(ctx: KernelContext, dy: TensorInfo, db: TensorInfo): void {
  if (dy.shape.length !== 4) throw new Error(`wasm backend: the bias gradient takes NCHW dy, got [${dy.shape.join(', ')}]`);
  const [N, F, Ho, Wo] = dy.shape as [number, number, number, number];
  expectShape(db, [F], 'bias gradient db');
  const [dyp, dbp] = [ctx.ptr(dy), ctx.ptr(db)];
  ctx.parallelRange('convBiasGrad', F, ctx.chunksFor(N * F * Ho * Wo, GRAIN_MACS, F), 1, (f0, f1) => [dyp, dbp, N, F, Ho * Wo, f0, f1]);
}

export function Conv2DBackpropBias(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): void {
  const [dy] = inputs;
  const [db] = outputs;
  if (!dy || !db) throw new Error('wasm backend: Conv2DBackpropBias needs dy and db');
  biasGrad(ctx, dy, db);
}

export function Conv2DBackpropInput(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: ConvAttrs): void {
  const [dy, w] = inputs;
  const [dx] = outputs;
  if (!dy || !w || !dx) throw new Error('wasm backend: Conv2DBackpropInput needs dy, w and dx');
  const g = geometry(dx.shape, w.shape, attrs);
  expectShape(dy, [g.N, g.F, g.Ho, g.Wo], 'Conv2DBackpropInput dy');
  if (sparsePays(ctx, g, attrs, dy)) {
    // Mostly zeros (below a max pool and a ReLU): work in proportion to the nonzeros. A max
    // pool's unwritten gradient is written out here (ctx.ptr settles it), not rebuilt: the
    // filter gradient reads it too, and rebuilding it twice costs more than writing it once
    // (16→32 at 14×14: +0.4 ms each, against 0.6 for MaxPoolBackprop).
    sparseInputGrad(ctx, g, attrs, ctx.ptr(dy), ctx.ptr(w), ctx.ptr(dx));
    return;
  }
  if (winogradApplies(g.kh, g.kw, g.groups, attrs) && winogradPays(g.F, g.C)) {
    // The same convolution of dy with the filters rotated 180° and transposed.
    winogradConv(ctx, g.N, g.F, g.C, g.H, g.W, ctx.ptr(w), true, ctx.ptr(dy), ctx.ptr(dx));
    return;
  }
  if (directApplies(g, attrs) && directPays(g.F * g.kh * g.kw, g.C)) {
    // dx = dy convolved with the flipped, transposed filters, padded by kernel − 1 − pad.
    const d = directPlan(g.N, g.F, g.Ho, g.Wo, g.C, g.kh, g.kw, g.kh - 1 - attrs.pad[0], g.kw - 1 - attrs.pad[2], g.H, g.W);
    directConv(ctx, d, g.N, g.C, g.N * g.F * g.ckk * g.Ho * g.Wo, ctx.ptr(w), g, true, ctx.ptr(dy), ctx.ptr(dx));
    return;
  }
  perSample(ctx, g, 'conv2dBackpropInput', ctx.ptr(dy), ctx.ptr(w), ctx.ptr(dx));
}

export function Conv2DBackpropFilter(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: ConvAttrs): void {
  const [x, dy] = inputs;
  const [dw, db] = outputs;
  if (!x || !dy || !dw) throw new Error('wasm backend: Conv2DBackpropFilter needs x, dy and dw');
  const g = geometry(x.shape, dw.shape, attrs);
  expectShape(dy, [g.N, g.F, g.Ho, g.Wo], 'Conv2DBackpropFilter dy');
  if (db) expectShape(db, [g.F], 'Conv2DBackpropFilter db');
  if (sparsePays(ctx, g, attrs, dy)) {
    sparseFilterGrad(ctx, g, attrs, ctx.ptr(x), sparseDy(ctx, dy), ctx.ptr(dw), db ? ctx.ptr(db) : 0);
    return;
  }
  if (winogradApplies(g.kh, g.kw, g.groups, attrs) && winogradFilterPays(g.C, g.F)) {
    // Winograd F(2×2, 3×3): 2.25× fewer multiplications (kernels/winogradFilter.ts); db rides along.
    winogradFilterGrad(ctx, g.N, g.C, g.H, g.W, g.F, ctx.ptr(x), ctx.ptr(dy), ctx.ptr(dw), db ? ctx.ptr(db) : 0);
    return;
  }
  if (directApplies(g, attrs)) {
    // The bias gradient rides along: dy is in cache anyway, sample by sample.
    directFilter(ctx, g, attrs, ctx.ptr(x), ctx.ptr(dy), ctx.ptr(dw), db ? ctx.ptr(db) : 0);
    return;
  }
  if (db) biasGrad(ctx, dy, db);
  const Fg = g.F / g.groups;
  const hw = g.Ho * g.Wo;
  const macs = g.N * g.F * g.ckk * hw;
  const p = ctx.params(g.params);
  const [xp, dyp, dwp] = [ctx.ptr(x), ctx.ptr(dy), ctx.ptr(dw)];
  const panels = Math.ceil(g.ckk / NR);
  const parts = Math.min(ctx.chunksFor(macs, GRAIN_MACS), ctx.threads, Math.max(panels, Fg));
  // Columns of dW (rows of the column matrix: each chunk im2cols only its own rows) when there
  // are enough of them; else rows (filters), each chunk building the whole column matrix.
  const byColumns = panels >= parts;
  const ranges = (byColumns ? splitRange(g.ckk, parts, NR) : splitRange(Fg, parts)).filter(([a, b]) => b > a);
  const widest = byColumns ? Math.max(...ranges.map(([a, b]) => b - a)) : g.ckk;
  const colBytes = g.direct ? 0 : Math.ceil((widest * hw * 4) / 64) * 64;
  const col = ctx.workspace(Math.max(64, colBytes * (ranges.length > 1 ? ctx.threads : 1)));
  const chunks: Chunk[] = ranges.map(([lo, hi]) => {
    const [f0, f1, q0, q1] = byColumns ? [0, Fg, lo, hi] : [lo, hi, 0, g.ckk];
    return [p, xp, dyp, dwp, f0, f1, q0, q1, col, ctx.gemmScratch(0)];
  });
  ctx.run('conv2dBackpropFilter', chunks, ctx.threadScratch([8, 9], (t) => [col + t * colBytes, ctx.gemmScratch(t)]));
}
