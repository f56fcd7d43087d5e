// The activation family: one op each (the fused kernels; a debugger tape in elementary mode
// records the textbook decomposition instead). Softmax takes an axis counted after the batch
// axis; the softmax op works on the last axis, so another axis is moved there and back.

import { normaliseAxis } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { input, inputShape, NO_TENSORS, numberParam, type Layer, type LayerBuilder, type LayerInputs, type LayerNode } from './layer.js';

/** A parameterless layer applying `fn` to its one input. */
function elementwise(node: LayerNode, fn: (x: Tensor) => Tensor): Layer {
  return {
    type: node.type,
    params: NO_TENSORS,
    state: NO_TENSORS,
    forward: (inputs: LayerInputs) => [fn(input(inputs, 'in', node))],
  };
}

export const activationLayers = {
  /** Heaviside step: 1 where x > 0. Its gradient is zero everywhere (by definition in the ops). */
  Step: (node) => elementwise(node, ops.step),
  Sigmoid: (node) => elementwise(node, ops.sigmoid),
  Tanh: (node) => elementwise(node, ops.tanh),
  Softsign: (node) => elementwise(node, ops.softsign),
  ReLU: (node) => elementwise(node, ops.relu),
  ReLU6: (node) => elementwise(node, ops.relu6),
  LeakyReLU: (node) => {
    const alpha = numberParam(node, 'alpha');
    return elementwise(node, (x) => ops.leakyRelu(x, alpha));
  },
  Softplus: (node) => elementwise(node, ops.softplus),
  ELU: (node) => {
    const alpha = numberParam(node, 'alpha');
    return elementwise(node, (x) => ops.elu(x, alpha));
  },
  /** Passes its input through unchanged: no op is recorded, so its span is empty. */
  Identity: (node) => elementwise(node, (x) => x),
  Softmax: (node) => {
    const perSampleRank = inputShape(node).length;
    // The axis param counts after N; +1 for the batch axis.
    const axis = normaliseAxis(numberParam(node, 'axis'), perSampleRank, `Softmax '${node.id}'`) + 1;
    const rank = perSampleRank + 1;
    if (axis === rank - 1) return elementwise(node, ops.softmax);
    // Move `axis` to the end (the others keep their order), softmax, and move it back.
    const toLast: number[] = [];
    for (let k = 0; k < rank; k++) if (k !== axis) toLast.push(k);
    toLast.push(axis);
    const back = new Array<number>(rank);
    for (let k = 0; k < rank; k++) back[toLast[k]!] = k;
    return elementwise(node, (x) => ops.transpose(ops.softmax(ops.transpose(x, toLast)), back));
  },
} satisfies Record<string, LayerBuilder>;
