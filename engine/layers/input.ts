// The input family: the Input node hands a batch of data into the graph. The model feeds it on
// the FEED_PORT (Input has no input ports in the catalog); the layer checks the batch's shape so
// a wrongly shaped dataset fails here, naming the node, instead of deep inside a kernel.

import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { input, NO_TENSORS, type Layer, type LayerBuilder, type LayerInputs } from './layer.js';

/** The port on which the model feeds an Input node its batch [N, ...shape]. */
export const FEED_PORT = 'feed';

export const inputLayers = {
  Input: (node) => {
    const perSample = node.outputs[0]!;
    const rank = perSample.length + 1;
    const layer: Layer = {
      type: node.type,
      params: NO_TENSORS,
      state: NO_TENSORS,
      forward(inputs: LayerInputs): readonly Tensor[] {
        const x = input(inputs, FEED_PORT, node);
        let fits = x.rank === rank && x.dtype === 'float32';
        for (let k = 1; fits && k < rank; k++) fits = x.shape[k] === perSample[k - 1];
        if (!fits) {
          throw new Error(
            `Input '${node.id}' expects float32 batches [N,${perSample.join(',')}], got ${x.dtype}${formatShape(x.shape)}`,
          );
        }
        return [x];
      },
    };
    return layer;
  },
} satisfies Record<string, LayerBuilder>;
