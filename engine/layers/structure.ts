// The structure family: Add (the residual shortcut, n inputs of one shape) and Concat (along an
// axis counted after the batch axis). Port names in0 … in{n−1} are made once, when the layer is
// built, not per forward.

import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { normaliseAxis } from '../core/shape.js';
import { input, inputShape, NO_TENSORS, numberParam, type Layer, type LayerBuilder, type LayerInputs, type LayerNode } from './layer.js';

function portNames(node: LayerNode): readonly string[] {
  const count = numberParam(node, 'inputs');
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(`in${i}`);
  return names;
}

export const structureLayers = {
  /** in0 + in1 + … in port order; the gradient passes unchanged to every input. */
  Add: (node) => {
    const ports = portNames(node);
    const layer: Layer = {
      type: node.type,
      params: NO_TENSORS,
      state: NO_TENSORS,
      forward(inputs: LayerInputs): readonly Tensor[] {
        let total = input(inputs, ports[0]!, node);
        for (let i = 1; i < ports.length; i++) total = ops.add(total, input(inputs, ports[i]!, node));
        return [total];
      },
    };
    return layer;
  },

  /** Joins the inputs along `axis` (after N; +1 with the batch axis) in port order. */
  Concat: (node) => {
    const ports = portNames(node);
    const perSampleRank = inputShape(node, ports[0]).length;
    const axis = normaliseAxis(numberParam(node, 'axis'), perSampleRank, `Concat '${node.id}'`) + 1;
    const parts: Tensor[] = new Array<Tensor>(ports.length);
    const layer: Layer = {
      type: node.type,
      params: NO_TENSORS,
      state: NO_TENSORS,
      forward(inputs: LayerInputs): readonly Tensor[] {
        for (let i = 0; i < ports.length; i++) parts[i] = input(inputs, ports[i]!, node);
        // concat copies the list it records, so reusing `parts` across calls is safe.
        return [ops.concat(parts, axis)];
      },
    };
    return layer;
  },
} satisfies Record<string, LayerBuilder>;
