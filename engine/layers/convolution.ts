// The convolution family: Conv2D, the pooling layers, GlobalAvgPool, Flatten and Reshape, on
// batched NCHW images. Padding modes resolve to [top, bottom, left, right] exactly as the
// catalog's shape rule does (samePadding: TensorFlow SAME / ONNX SAME_UPPER, odd pixel after), so
// the engine's output shapes are the ones the editor shows.

import type { Shape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { samePadding } from '../protocol/index.js';
import {
  batchedShape,
  boolParam,
  input,
  inputShape,
  NO_TENSORS,
  numberParam,
  pairParam,
  stringParam,
  type Layer,
  type LayerBuilder,
  type LayerContext,
  type LayerInputs,
  type LayerNode,
} from './layer.js';

type Pads = readonly [number, number, number, number];

/** [top, bottom, left, right] for a window over the image [C, H, W] of `node`'s input. */
export function windowPads(
  padding: string,
  pad: readonly [number, number],
  image: Shape,
  kernel: readonly [number, number],
  stride: readonly [number, number],
  dilation: readonly [number, number] = [1, 1],
): Pads {
  const height = image[1]!;
  const width = image[2]!;
  switch (padding) {
    case 'valid':
      return [0, 0, 0, 0];
    case 'explicit':
      return [pad[0], pad[0], pad[1], pad[1]];
    case 'same': {
      const [top, bottom] = samePadding(height, kernel[0], stride[0], dilation[0]);
      const [left, right] = samePadding(width, kernel[1], stride[1], dilation[1]);
      return [top, bottom, left, right];
    }
    default:
      throw new Error(`unknown padding mode '${padding}' (valid, same or explicit)`);
  }
}

/** A parameterless layer applying `fn` to its one input. */
function unaryLayer(node: LayerNode, fn: (x: Tensor, ctx: LayerContext) => Tensor): Layer {
  return {
    type: node.type,
    params: NO_TENSORS,
    state: NO_TENSORS,
    forward: (inputs: LayerInputs, ctx: LayerContext) => [fn(input(inputs, 'in', node), ctx)],
  };
}

/** Kernel, stride and resolved padding of a pooling node. */
function poolOptions(node: LayerNode): ops.PoolOptions {
  const kernel = pairParam(node, 'kernel');
  const stride = pairParam(node, 'stride');
  const pad = windowPads(stringParam(node, 'padding'), pairParam(node, 'pad'), inputShape(node), kernel, stride);
  return { kernel, stride, pad };
}

export const convolutionLayers = {
  /**
   * Cross-correlation with filters W [F, C/groups, kh, kw] (+ bias [F] broadcast over positions).
   * Fans, as Keras and PyTorch count them: fanIn = C/groups·kh·kw (the inputs one output sees),
   * fanOut = F·kh·kw.
   */
  Conv2D: (node, createParam) => {
    const image = inputShape(node);
    const filters = numberParam(node, 'filters');
    const groups = numberParam(node, 'groups');
    const kernel = pairParam(node, 'kernel');
    const stride = pairParam(node, 'stride');
    const dilation = pairParam(node, 'dilation');
    const pad = windowPads(stringParam(node, 'padding'), pairParam(node, 'pad'), image, kernel, stride, dilation);
    const perGroup = image[0]! / groups;
    const area = kernel[0] * kernel[1];
    const fans = { fanIn: perGroup * area, fanOut: filters * area };
    const weight = createParam({ name: 'weight', shape: [filters, perGroup, kernel[0], kernel[1]], role: 'weight', fans });
    const bias = boolParam(node, 'bias') ? createParam({ name: 'bias', shape: [filters], role: 'bias', fans }) : undefined;
    const options: ops.Conv2DOptions = { stride, pad, dilation, groups };
    // The bias [F] goes into conv2d itself (a fused add; the op reshapes it in the debugger's
    // elementary view).
    const layer: Layer = {
      type: node.type,
      params: bias === undefined ? { weight } : { weight, bias },
      state: NO_TENSORS,
      forward: (inputs: LayerInputs): readonly Tensor[] => [ops.conv2d(input(inputs, 'in', node), weight, options, bias)],
    };
    return layer;
  },

  /** Padding never wins a max (it is −∞). Takes in a fused ReLU before it (LayerContext.fusedRelu). */
  MaxPool: (node) => {
    const options = poolOptions(node);
    const withRelu = { ...options, relu: true };
    return unaryLayer(node, (x, ctx) => ops.maxPool(x, ctx.fusedRelu === true ? withRelu : options));
  },

  /** Averages over the window's positions inside the image (padding is not counted). */
  AvgPool: (node) => {
    const options = poolOptions(node);
    return unaryLayer(node, (x) => ops.avgPool(x, options));
  },

  /** (Σ |x|^p)^(1/p) per window; padding adds zeros. */
  LpPool: (node) => {
    const options = poolOptions(node);
    const p = numberParam(node, 'p');
    return unaryLayer(node, (x) => ops.lpPool(x, p, options));
  },

  GlobalAvgPool: (node) => unaryLayer(node, ops.globalAvgPool),

  /** Row-major (channel, row, column), as NumPy, PyTorch and ONNX; a view, no copy. */
  Flatten: (node) => {
    const shape = batchedShape(node.outputs[0]!);
    return unaryLayer(node, (x) => ops.reshape(x, shape));
  },

  /** The per-sample target shape with its −1 resolved by the catalog; a view, no copy. */
  Reshape: (node) => {
    const shape = batchedShape(node.outputs[0]!);
    return unaryLayer(node, (x) => ops.reshape(x, shape));
  },
} satisfies Record<string, LayerBuilder>;
