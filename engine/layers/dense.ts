// The dense family: Dense (Affine, y = xW + b) and the Perceptron (y = step(xW + b)).
// Weights are [F, units] so that a batch [N, F] is one matMul (Keras' layout); the bias [units]
// is added by broadcasting. The Perceptron learns by Rosenblatt's error-correction rule
// (`perceptronUpdate`), not by backprop: its step has zero gradient everywhere.

import type { Tensor } from '../core/tensor.js';
import { withoutTape } from '../autograd/tape.js';
import * as ops from '../ops/index.js';
import { assign } from '../core/tensor.js';
import {
  boolParam,
  input,
  inputShape,
  NO_TENSORS,
  numberParam,
  type Layer,
  type LayerBuilder,
  type LayerInputs,
  type LayerNode,
  type ParamFactory,
} from './layer.js';

interface Affine {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  readonly params: Readonly<Record<string, Tensor>>;
}

function affineParams(node: LayerNode, createParam: ParamFactory): Affine {
  const features = inputShape(node)[0]!;
  const units = numberParam(node, 'units');
  const fans = { fanIn: features, fanOut: units };
  const weight = createParam({ name: 'weight', shape: [features, units], role: 'weight', fans });
  const bias = boolParam(node, 'bias') ? createParam({ name: 'bias', shape: [units], role: 'bias', fans }) : undefined;
  return { weight, bias, params: bias === undefined ? { weight } : { weight, bias } };
}

/** x [N, F] · W [F, units] (+ b): the affine transform both nodes share. */
function affine(x: Tensor, p: Affine): Tensor {
  const xw = ops.matMul(x, p.weight);
  return p.bias === undefined ? xw : ops.add(xw, p.bias);
}

export const denseLayers = {
  Dense: (node, createParam) => {
    const p = affineParams(node, createParam);
    const layer: Layer = {
      type: node.type,
      params: p.params,
      state: NO_TENSORS,
      forward: (inputs: LayerInputs) => [affine(input(inputs, 'in', node), p)],
    };
    return layer;
  },

  /**
   * Dense followed by the Heaviside step. For autograd the step has zero gradient (the tape gives
   * zeros for W and b), so backprop cannot train it; the lesson and the debugger train it with
   * `perceptronUpdate`, the perceptron learning rule.
   */
  Perceptron: (node, createParam) => {
    const p = affineParams(node, createParam);
    const layer: Layer = {
      type: node.type,
      params: p.params,
      state: NO_TENSORS,
      forward: (inputs: LayerInputs) => [ops.step(affine(input(inputs, 'in', node), p))],
    };
    return layer;
  },
} satisfies Record<string, LayerBuilder>;

/**
 * Rosenblatt's perceptron rule (誤り訂正学習), for a Perceptron layer, summed over the batch:
 *   y = step(xW + b),  e = t − y,  W ← W + lr·xᵀe,  b ← b + lr·Σₙ e
 * i.e. w += lr·(t − y)·x per sample (online learning is a batch of one). `x` is [N, F], `target`
 * float32 [N, units] of 0/1. Updates the layer's parameters in place (not recorded on any tape)
 * and returns the errors e [N, units] (step storage) so a lesson can show which samples were wrong.
 */
export function perceptronUpdate(layer: Layer, x: Tensor, target: Tensor, lr: number): Tensor {
  if (layer.type !== 'Perceptron') throw new Error(`perceptronUpdate: expects a Perceptron layer, got ${layer.type}`);
  const weight = layer.params['weight'];
  if (weight === undefined) throw new Error('perceptronUpdate: the layer has no weight');
  const bias = layer.params['bias'];
  return withoutTape(() => {
    const y = layer.forward({ in: x }, PERCEPTRON_CONTEXT)[0]!;
    const error = ops.sub(target, y);
    assign(weight, ops.add(weight, ops.scale(ops.matMul(x, error, { transA: true }), lr)));
    if (bias !== undefined) assign(bias, ops.add(bias, ops.scale(ops.sum(error, 0), lr)));
    return error;
  });
}

const PERCEPTRON_CONTEXT = { training: true, seed: 0, step: 0 } as const;
