// The loss family as layers: ports `in` (prediction) and `target` (optional) → one scalar, the
// batch mean of per-sample sums (the maths is in engine/train/losses.ts). With `target`
// unconnected the layer reads the dataset's labels from the context (docs/catalog.md):
// CrossEntropy class indices; MSE, L1, SmoothL1 and BinaryCE the values, one-hot encoded when they
// are class labels; Hinge reads 0/1 labels as −1/+1.

import type { Tensor } from '../core/tensor.js';
import {
  binaryCrossEntropy,
  binaryCrossEntropyFromLogits,
  hingeLoss,
  l1Loss,
  meanSquaredError,
  smoothL1Loss,
  softmaxCrossEntropy,
  targetFromLabels,
  type LabelEncoding,
} from '../train/losses.js';
import { boolParam, input, NO_TENSORS, numberParam, type Layer, type LayerBuilder, type LayerContext, type LayerInputs, type LayerNode } from './layer.js';

type LossFn = (prediction: Tensor, target: Tensor) => Tensor;

/**
 * A loss layer: the prediction, the target (the `target` port, or dataset labels encoded as
 * `encoding`, or — for CrossEntropy — the raw class indices) and the loss maths.
 */
function lossLayer(node: LayerNode, loss: LossFn, encoding: LabelEncoding | 'classIndices'): Layer {
  const connected = node.inputs['target'] !== undefined;
  return {
    type: node.type,
    params: NO_TENSORS,
    state: NO_TENSORS,
    forward(inputs: LayerInputs, ctx: LayerContext): readonly Tensor[] {
      const prediction = input(inputs, 'in', node);
      let target: Tensor;
      if (connected) {
        target = input(inputs, 'target', node);
      } else {
        const labels = ctx.labels;
        if (labels === undefined) {
          throw new Error(`${node.type} '${node.id}': its target is not connected and no dataset labels were given`);
        }
        target = encoding === 'classIndices' ? labels : targetFromLabels(labels, prediction, encoding);
      }
      return [loss(prediction, target)];
    },
  };
}

export const lossLayers = {
  MSE: (node) => lossLayer(node, meanSquaredError, 'values'),
  CrossEntropy: (node) => lossLayer(node, softmaxCrossEntropy, 'classIndices'),
  BinaryCrossEntropy: (node) =>
    lossLayer(node, boolParam(node, 'fromLogits') ? binaryCrossEntropyFromLogits : binaryCrossEntropy, 'values'),
  L1: (node) => lossLayer(node, l1Loss, 'values'),
  SmoothL1: (node) => {
    const beta = numberParam(node, 'beta');
    return lossLayer(node, (prediction, target) => smoothL1Loss(prediction, target, beta), 'values');
  },
  Hinge: (node) => lossLayer(node, hingeLoss, 'signs'),
} satisfies Record<string, LayerBuilder>;
