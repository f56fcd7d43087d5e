// Host side of Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter (NCHW). Forward and the
// input gradient give each thread whole samples (im2col/col2im + GEMM per sample, scratch per
// thread); the filter gradient gives each thread a block of dW's columns (or rows) and walks
// the batch in order inside wasm. Validation: kernels.test.ts against the reference backend.

import type { ConvAttrs, TensorInfo } from '../../backend.js';
import type { Chunk, KernelContext } from '../context.js';
import { splitRange } from '../shapes.js';

/** Multiply-adds per thread below which a convolution stays on the calling thread. */
const GRAIN_MACS = 1 << 18;
const NR = 16;

interface Geometry {
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
function perSample(ctx: KernelContext, g: Geometry, name: 'conv2dForward' | 'conv2dBackpropInput', a: number, b: number, out: number): void {
  const macs = g.N * g.F * g.ckk * g.Ho * g.Wo;
  const chunks = ctx.chunksFor(macs, GRAIN_MACS, g.N);
  const colBytes = g.direct ? 0 : Math.ceil((g.ckk * g.Ho * g.Wo * 4) / 64) * 64;
  // One column buffer per pool thread: any thread may claim a chunk.
  const col = ctx.workspace(Math.max(64, colBytes * (chunks > 1 ? ctx.threads : 1)));
  const p = ctx.params(g.params);
  const list: Chunk[] = splitRange(g.N, chunks)
    .filter(([n0, n1]) => n1 > n0)
    .map(([n0, n1]) => [p, a, b, out, n0, n1, col, ctx.gemmScratch(0)]);
  ctx.run(name, list, ctx.threadScratch([6, 7], (t) => [col + t * colBytes, ctx.gemmScratch(t)]));
}

export function Conv2D(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: ConvAttrs): void {
  const [x, w] = inputs;
  const [y] = outputs;
  if (!x || !w || !y) throw new Error('wasm backend: Conv2D needs x, w and y');
  const g = geometry(x.shape, w.shape, attrs);
  expectShape(y, [g.N, g.F, g.Ho, g.Wo], 'Conv2D output');
  perSample(ctx, g, 'conv2dForward', ctx.ptr(x), ctx.ptr(w), ctx.ptr(y));
}

export function Conv2DBackpropInput(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: ConvAttrs): void {
  const [dy, w] = inputs;
  const [dx] = outputs;
  if (!dy || !w || !dx) throw new Error('wasm backend: Conv2DBackpropInput needs dy, w and dx');
  const g = geometry(dx.shape, w.shape, attrs);
  expectShape(dy, [g.N, g.F, g.Ho, g.Wo], 'Conv2DBackpropInput dy');
  perSample(ctx, g, 'conv2dBackpropInput', ctx.ptr(dy), ctx.ptr(w), ctx.ptr(dx));
}

export function Conv2DBackpropFilter(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: ConvAttrs): void {
  const [x, dy] = inputs;
  const [dw] = outputs;
  if (!x || !dy || !dw) throw new Error('wasm backend: Conv2DBackpropFilter needs x, dy and dw');
  const g = geometry(x.shape, dw.shape, attrs);
  expectShape(dy, [g.N, g.F, g.Ho, g.Wo], 'Conv2DBackpropFilter dy');
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
