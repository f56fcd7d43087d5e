// Pooling over NCHW images: maxPool and avgPool (kernels), lpPool (composed: the p-norm of each
// window), and globalAvgPool (a mean). Padding is outside the image: it never wins a max and is
// not counted by an average. Each pad must be smaller than the window, so no window is empty.

import type { PoolAttrs } from '../backends/backend.js';
import { formatShape, windowOutput } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { recordOp, type OpDef } from '../autograd/tape.js';
import { abs, add, equal, mul, pow, scale, square } from './elementwise.js';
import { assertFloat, output, padOf, pairOf, type Padding } from './op.js';
import { mean } from './reduce.js';
import { pad as padOp } from './shape.js';

export interface PoolOptions {
  /** Window n or [h, w]. */
  readonly kernel: number | readonly [number, number];
  /** n or [h, w]; the window size by default (non-overlapping windows). */
  readonly stride?: number | readonly [number, number];
  /** n, [h, w] or [top, bottom, left, right]; 0 by default. */
  readonly pad?: Padding;
  /**
   * maxPool only: relu(maxPool(x)) in one kernel, forward and backward (PoolAttrs.relu) — the
   * training model's fusion of a ReLU → MaxPool pair (train/model.ts).
   */
  readonly relu?: boolean;
}

function poolAttrs(op: string, kind: PoolAttrs['kind'], x: Tensor, options: PoolOptions): { attrs: PoolAttrs; shape: number[] } {
  assertFloat(op, x);
  if (x.rank !== 4) throw new Error(`${op}: expects [N,C,H,W], got ${formatShape(x.shape)}`);
  const kernel = pairOf(options.kernel, 'kernel', op);
  const stride = pairOf(options.stride ?? kernel, 'stride', op);
  const pad = padOf(options.pad ?? 0, op);
  if (kernel[0] < 1 || kernel[1] < 1 || stride[0] < 1 || stride[1] < 1) throw new Error(`${op}: kernel and stride must be at least 1`);
  if (pad[0] >= kernel[0] || pad[1] >= kernel[0] || pad[2] >= kernel[1] || pad[3] >= kernel[1]) {
    throw new Error(`${op}: each pad must be smaller than the ${kernel[0]}×${kernel[1]} window, got [${pad.join(',')}]`);
  }
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = windowOutput(h, kernel[0], stride[0], pad[0], pad[1]);
  const ow = windowOutput(w, kernel[1], stride[1], pad[2], pad[3]);
  if (oh < 1 || ow < 1) throw new Error(`${op}: the ${kernel[0]}×${kernel[1]} window does not fit ${formatShape(x.shape)}`);
  if (options.relu === true && kind !== 'max') throw new Error(`${op}: only a max pool carries a fused ReLU`);
  const attrs: PoolAttrs = options.relu === true ? { kind, kernel, stride, pad, relu: true } : { kind, kernel, stride, pad };
  return { attrs, shape: [n, c, oh, ow] };
}

const BACKPROP_MAX: OpDef<PoolAttrs> = { name: 'maxPoolBackprop' };
const BACKPROP_AVG: OpDef<PoolAttrs> = { name: 'avgPoolBackprop' };

// The gradient of each window goes to its first maximum (in row-major window order); with a
// fused ReLU (attrs.relu), only when that maximum is positive.
const MAX_POOL: OpDef<PoolAttrs> = {
  name: 'maxPool',
  gradient: (dy, op) => {
    const x = op.inputs[0]!;
    const dx = output(x.backend, x.shape);
    const inputs = [dy, x];
    x.backend.run('MaxPoolBackprop', inputs, [dx], op.attrs);
    recordOp(BACKPROP_MAX, inputs, dx, op.attrs);
    return [dx];
  },
};

const AVG_POOL: OpDef<PoolAttrs> = {
  name: 'avgPool',
  gradient: (dy, op) => {
    const x = op.inputs[0]!;
    const dx = output(x.backend, x.shape);
    const inputs = [dy];
    x.backend.run('AvgPoolBackprop', inputs, [dx], op.attrs);
    recordOp(BACKPROP_AVG, inputs, dx, op.attrs);
    return [dx];
  },
};

function pool(def: OpDef<PoolAttrs>, kind: PoolAttrs['kind'], x: Tensor, options: PoolOptions): Tensor {
  const { attrs, shape } = poolAttrs(def.name, kind, x, options);
  const y = output(x.backend, shape);
  const inputs = [x];
  x.backend.run('Pool', inputs, [y], attrs);
  recordOp(def, inputs, y, attrs);
  return y;
}

/**
 * The largest value of each window; a tie's gradient goes to the first maximum. With
 * `relu: true`, max(0, ·) of it in the same kernel (the value and gradient of relu(maxPool(x))).
 */
export function maxPool(x: Tensor, options: PoolOptions): Tensor {
  return pool(MAX_POOL, 'max', x, options);
}

/** The mean of each window over its positions inside the image. */
export function avgPool(x: Tensor, options: PoolOptions): Tensor {
  return pool(AVG_POOL, 'avg', x, options);
}

/**
 * The p-norm of each window, (Σ |x|^p)^(1/p), composed from ops: |x|^p, zero-pad explicitly
 * (padding adds nothing to the sum), average unpadded windows, multiply by the window area, then
 * the 1/p root. p ≥ 1.
 */
export function lpPool(x: Tensor, p: number, options: PoolOptions): Tensor {
  if (!(p >= 1)) throw new Error(`lpPool: p must be at least 1, got ${p}`);
  const { attrs } = poolAttrs('lpPool', 'avg', x, options);
  const [kh, kw] = attrs.kernel;
  const [pt, pb, pl, pr] = attrs.pad;
  let powered = p === 2 ? square(x) : pow(abs(x), p);
  if (pt + pb + pl + pr > 0) powered = padOp(powered, [0, 0, pt, pl], [0, 0, pb, pr]);
  const sums = scale(avgPool(powered, { kernel: attrs.kernel, stride: attrs.stride }), kh * kw);
  return p === 1 ? sums : safeRoot(sums, 1 / p);
}

/**
 * s^r for s ≥ 0 and 0 < r < 1, with gradient 0 (not ∞·0 = NaN) at s = 0. An all-zero window
 * (common after ReLU) would otherwise poison training. The double-where trick: take the root of
 * s + [s = 0], then multiply by [s ≠ 0].
 */
function safeRoot(s: Tensor, r: number): Tensor {
  const isZero = equal(s, 0);
  return mul(pow(add(s, isZero), r), scale(isZero, -1, 1));
}

/** [N,C,H,W] → [N,C]: the mean of each channel. */
export function globalAvgPool(x: Tensor): Tensor {
  if (x.rank !== 4) throw new Error(`globalAvgPool: expects [N,C,H,W], got ${formatShape(x.shape)}`);
  return mean(x, [2, 3]);
}
