// Host side of Pool, MaxPoolBackprop and AvgPoolBackprop (NCHW). Threads take whole planes
// (one (n, c) each), so overlapping windows accumulate in a fixed order. Validation:
// kernels.test.ts against the reference backend.
//
// MaxPoolBackprop of the 2×2 stride-2 pool is deferred (KernelContext.defer): its output, three
// quarters zeros, often goes straight to a convolution's filter gradient, whose sparse kernel
// rebuilds it a plane at a time from the pool's gradient and input (kernels/convSparse.ts)
// instead of reading it back from memory; any other reader (the input gradient included) has it
// computed first.

import type { PoolAttrs, TensorInfo } from '../../backend.js';
import type { KernelContext } from '../context.js';

/** Window reads per thread below which pooling stays on the calling thread. */
const GRAIN = 1 << 17;

/** For tests and benchmarks: whether MaxPoolBackprop may leave its output for a reader to rebuild. */
export const deferPoolGrad: { enabled: boolean } = { enabled: true };

interface PoolGeometry {
  planes: number;
  H: number;
  W: number;
  Ho: number;
  Wo: number;
  work: number;
  params: number[];
  /** 2×2 windows, stride 2, no padding: the SIMD paths (assembly/pool.ts), and deferral. */
  is2x2: boolean;
}

function geometry(x: readonly number[], attrs: PoolAttrs): PoolGeometry {
  if (x.length !== 4) throw new Error('wasm backend: pooling takes NCHW input');
  const [N, C, H, W] = x as [number, number, number, number];
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.stride;
  const [pt, pb, pl, pr] = attrs.pad;
  const Ho = Math.floor((H + pt + pb - kh) / sh) + 1;
  const Wo = Math.floor((W + pl + pr - kw) / sw) + 1;
  if (Ho < 0 || Wo < 0) throw new Error('wasm backend: pooling window is larger than the padded input');
  const is2x2 = kh === 2 && kw === 2 && sh === 2 && sw === 2 && pt === 0 && pb === 0 && pl === 0 && pr === 0;
  if (attrs.relu === true && attrs.kind !== 'max') throw new Error('wasm backend: only a max pool carries a ReLU (PoolAttrs.relu)');
  const relu = attrs.relu === true ? 1 : 0;
  return { planes: N * C, H, W, Ho, Wo, work: N * C * Ho * Wo * kh * kw, params: [H, W, Ho, Wo, kh, kw, sh, sw, pt, pl, relu], is2x2 };
}

function expectShape(t: TensorInfo, shape: readonly number[], what: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`wasm backend: ${what} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
}

export function Pool(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: PoolAttrs): void {
  const [x] = inputs;
  const [y] = outputs;
  if (!x || !y) throw new Error('wasm backend: Pool needs one input and one output');
  const g = geometry(x.shape, attrs);
  expectShape(y, [x.shape[0]!, x.shape[1]!, g.Ho, g.Wo], 'Pool output');
  const p = ctx.params(g.params);
  const [xp, yp] = [ctx.ptr(x), ctx.ptr(y)];
  const isMax = attrs.kind === 'max' ? 1 : 0;
  ctx.parallelRange('poolForward', g.planes, ctx.chunksFor(g.work, GRAIN, g.planes), 1, (p0, p1) => [p, xp, yp, p0, p1, isMax]);
}

export function MaxPoolBackprop(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: PoolAttrs): void {
  const [dy, x] = inputs;
  const [dx] = outputs;
  if (!dy || !x || !dx) throw new Error('wasm backend: MaxPoolBackprop needs dy, x and dx');
  const g = geometry(x.shape, attrs);
  expectShape(dy, [x.shape[0]!, x.shape[1]!, g.Ho, g.Wo], 'MaxPoolBackprop dy');
  expectShape(dx, x.shape, 'MaxPoolBackprop dx');
  const run = (): void => {
    const p = ctx.params(g.params);
    const [dyp, xp, dxp] = [ctx.ptr(dy), ctx.ptr(x), ctx.ptr(dx)];
    ctx.parallelRange('maxPoolBackprop', g.planes, ctx.chunksFor(g.work, GRAIN, g.planes), 1, (p0, p1) => [p, dyp, xp, dxp, p0, p1]);
  };
  const pooled = { dy: ctx.ptr(dy), x: ctx.ptr(x), PH: g.Ho, PW: g.Wo, relu: attrs.relu === true };
  if (deferPoolGrad.enabled && g.is2x2 && g.planes > 0 && ctx.defer(dx, [dy, x], run, pooled)) return;
  run();
}

export function AvgPoolBackprop(ctx: KernelContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: PoolAttrs): void {
  const [dy] = inputs;
  const [dx] = outputs;
  if (!dy || !dx) throw new Error('wasm backend: AvgPoolBackprop needs dy and dx');
  const g = geometry(dx.shape, attrs);
  expectShape(dy, [dx.shape[0]!, dx.shape[1]!, g.Ho, g.Wo], 'AvgPoolBackprop dy');
  const p = ctx.params(g.params);
  const [dyp, dxp] = [ctx.ptr(dy), ctx.ptr(dx)];
  ctx.parallelRange('avgPoolBackprop', g.planes, ctx.chunksFor(g.work, GRAIN, g.planes), 1, (p0, p1) => [p, dyp, dxp, p0, p1]);
}
