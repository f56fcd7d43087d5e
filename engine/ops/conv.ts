// 2-D convolution over NCHW images with stride, padding [top, bottom, left, right], dilation and
// groups, plus its backprops as ops of their own (the gradient of conv2d). An optional bias [F]
// is fused into the kernel (one pass over the output instead of two, and a direct bias
// gradient); the debugger's elementary view shows it as conv2d + add.

import type { ConvAttrs } from '../backends/backend.js';
import { formatShape, sameShape, windowOutput, type Shape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { needsGrad, recordOp, type OpDef } from '../autograd/tape.js';
import { add } from './elementwise.js';
import { assertFloat, elementaryMode, output, padOf, pairOf, sameBackend, type Padding } from './op.js';
import { reshape } from './shape.js';

export interface Conv2DOptions {
  /** n or [h, w]; 1 by default. */
  readonly stride?: number | readonly [number, number];
  /** n, [h, w] or [top, bottom, left, right]; 0 by default. */
  readonly pad?: Padding;
  /** n or [h, w]; 1 by default. */
  readonly dilation?: number | readonly [number, number];
  /** Channel groups; C and F must both divide by it. 1 by default. */
  readonly groups?: number;
}

export function convAttrs(options: Conv2DOptions, op = 'conv2d'): ConvAttrs {
  const stride = pairOf(options.stride ?? 1, 'stride', op);
  const dilation = pairOf(options.dilation ?? 1, 'dilation', op);
  if (stride[0] < 1 || stride[1] < 1 || dilation[0] < 1 || dilation[1] < 1) throw new Error(`${op}: stride and dilation must be at least 1`);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  return { stride, pad: padOf(options.pad ?? 0, op), dilation, groups };
}

/** Output shape [N, F, Ho, Wo] of a convolution, checking that x and w fit together. */
function convOutputShape(op: string, xShape: Shape, wShape: Shape, attrs: ConvAttrs): number[] {
  if (xShape.length !== 4 || wShape.length !== 4) {
    throw new Error(`${op}: expects x [N,C,H,W] and w [F,C/groups,kh,kw], got ${formatShape(xShape)} and ${formatShape(wShape)}`);
  }
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [f, cg, kh, kw] = wShape as [number, number, number, number];
  const { groups, stride, pad, dilation } = attrs;
  if (c % groups !== 0 || f % groups !== 0) throw new Error(`${op}: ${c} channels and ${f} filters must both divide into ${groups} groups`);
  if (cg !== c / groups) throw new Error(`${op}: w ${formatShape(wShape)} should have ${c / groups} input channels per filter`);
  const oh = windowOutput(h, kh, stride[0], pad[0], pad[1], dilation[0]);
  const ow = windowOutput(w, kw, stride[1], pad[2], pad[3], dilation[1]);
  if (oh < 1 || ow < 1) throw new Error(`${op}: the ${kh}×${kw} kernel does not fit the ${h}×${w} input with this padding and dilation`);
  return [n, f, oh, ow];
}

const CONV2D: OpDef<ConvAttrs> = {
  name: 'conv2d',
  gradient: (dy, op) => {
    const [x, w, bias] = op.inputs as [Tensor, Tensor, Tensor | undefined];
    const dx = needsGrad(op, 0) ? conv2dBackpropInput(dy, w, x.shape, op.attrs) : null;
    if (!bias) return [dx, needsGrad(op, 1) ? conv2dBackpropFilter(x, dy, w.shape, op.attrs) : null];
    if (needsGrad(op, 1) && needsGrad(op, 2)) return [dx, ...conv2dBackpropFilterAndBias(x, dy, w.shape, op.attrs)];
    return [dx, needsGrad(op, 1) ? conv2dBackpropFilter(x, dy, w.shape, op.attrs) : null, needsGrad(op, 2) ? conv2dBackpropBias(dy) : null];
  },
};

/**
 * Cross-correlation of x [N,C,H,W] with filters w [F, C/groups, kh, kw] → [N,F,Ho,Wo], plus
 * bias [F] at every position of each filter's plane when given.
 */
export function conv2d(x: Tensor, w: Tensor, options: Conv2DOptions = {}, bias?: Tensor): Tensor {
  assertFloat('conv2d', x);
  assertFloat('conv2d', w);
  sameBackend('conv2d', x, w);
  const attrs = convAttrs(options);
  const shape = convOutputShape('conv2d', x.shape, w.shape, attrs);
  if (bias) {
    assertFloat('conv2d', bias);
    sameBackend('conv2d', x, bias);
    if (bias.rank !== 1 || bias.shape[0] !== shape[1]) throw new Error(`conv2d: bias ${formatShape(bias.shape)} should be [${shape[1]}], one value per filter`);
    if (elementaryMode()) return add(conv2d(x, w, options), reshape(bias, [1, shape[1]!, 1, 1]));
  }
  const y = output(x.backend, shape);
  const inputs = bias ? [x, w, bias] : [x, w];
  x.backend.run('Conv2D', inputs, [y], attrs);
  recordOp(CONV2D, inputs, y, attrs);
  return y;
}

// The backprops are ops so that the gradient above is "written in ops"; they have no gradient
// of their own (no second-order derivatives).
const BACKPROP_INPUT: OpDef<ConvAttrs> = { name: 'conv2dBackpropInput' };
const BACKPROP_FILTER: OpDef<ConvAttrs> = { name: 'conv2dBackpropFilter' };
const BACKPROP_BIAS: OpDef<Record<string, never>> = { name: 'conv2dBackpropBias' };

/** dx [N,C,H,W] (= xShape) from dy [N,F,Ho,Wo] and w: the transposed convolution. */
export function conv2dBackpropInput(dy: Tensor, w: Tensor, xShape: Shape, attrs: ConvAttrs): Tensor {
  if (!sameShape(convOutputShape('conv2dBackpropInput', xShape, w.shape, attrs), dy.shape)) {
    throw new Error(`conv2dBackpropInput: dy ${formatShape(dy.shape)} does not match x ${formatShape(xShape)}`);
  }
  const dx = output(dy.backend, xShape);
  const inputs = [dy, w];
  dy.backend.run('Conv2DBackpropInput', inputs, [dx], attrs);
  recordOp(BACKPROP_INPUT, inputs, dx, attrs);
  return dx;
}

/** dw (= wShape) from x and dy: the correlation of the input with the output gradient. */
export function conv2dBackpropFilter(x: Tensor, dy: Tensor, wShape: Shape, attrs: ConvAttrs): Tensor {
  if (!sameShape(convOutputShape('conv2dBackpropFilter', x.shape, wShape, attrs), dy.shape)) {
    throw new Error(`conv2dBackpropFilter: dy ${formatShape(dy.shape)} does not match w ${formatShape(wShape)}`);
  }
  const dw = output(x.backend, wShape);
  const inputs = [x, dy];
  x.backend.run('Conv2DBackpropFilter', inputs, [dw], attrs);
  recordOp(BACKPROP_FILTER, inputs, dw, attrs);
  return dw;
}

/**
 * [dw, db] in one kernel call (the filter gradient walks dy anyway). Recorded as the two ops
 * it computes, conv2dBackpropFilter and conv2dBackpropBias.
 */
function conv2dBackpropFilterAndBias(x: Tensor, dy: Tensor, wShape: Shape, attrs: ConvAttrs): [Tensor, Tensor] {
  if (!sameShape(convOutputShape('conv2dBackpropFilter', x.shape, wShape, attrs), dy.shape)) {
    throw new Error(`conv2dBackpropFilter: dy ${formatShape(dy.shape)} does not match w ${formatShape(wShape)}`);
  }
  const dw = output(x.backend, wShape);
  const db = output(x.backend, [wShape[0]!]);
  x.backend.run('Conv2DBackpropFilter', [x, dy], [dw, db], attrs);
  recordOp(BACKPROP_FILTER, [x, dy], dw, attrs);
  recordOp(BACKPROP_BIAS, [dy], db, {});
  return [dw, db];
}

/** db [F] from dy [N,F,Ho,Wo]: the sum over samples and positions (the bias gradient). */
export function conv2dBackpropBias(dy: Tensor): Tensor {
  if (dy.rank !== 4) throw new Error(`conv2dBackpropBias: expects dy [N,F,Ho,Wo], got ${formatShape(dy.shape)}`);
  const db = output(dy.backend, [dy.shape[1]!]);
  const inputs = [dy];
  const attrs: Record<string, never> = {};
  dy.backend.run('Conv2DBackpropBias', inputs, [db], attrs);
  recordOp(BACKPROP_BIAS, inputs, db, attrs);
  return db;
}
