// The regularization family: Dropout (inverted, seeded), BatchNorm (batch statistics and a
// Keras-style running average in training, the running statistics in evaluation) and LRN.
// Train/eval behaviour lives here, switched by ctx.training. (L1/L2 weight penalties are not
// nodes: see engine/train/regularizers.ts.)

import { hash32 } from '../core/random.js';
import { assign, type Tensor } from '../core/tensor.js';
import { withoutTape } from '../autograd/tape.js';
import * as ops from '../ops/index.js';
import {
  input,
  inputShape,
  NO_TENSORS,
  numberParam,
  stateTensor,
  type Layer,
  type LayerBuilder,
  type LayerContext,
  type LayerInputs,
} from './layer.js';

/** A 32-bit salt from a node id, so two Dropout nodes never share a mask. */
function saltOf(id: string): number {
  let h = 0x6a09e667;
  for (let i = 0; i < id.length; i++) h = hash32(h, id.charCodeAt(i));
  return h;
}

export const regularizationLayers = {
  /**
   * Inverted dropout: in training each element survives with probability 1 − rate and is scaled
   * by 1/(1 − rate); in evaluation it is the identity (the input tensor itself). The mask is
   * counter-based randomness seeded by hash(hash(run seed, node salt), step): the same run, node
   * and step give the same mask on every backend, and every node and step gets a fresh one.
   * (Deriving the seed rather than advancing the counter offset keeps streams apart for any number
   * of steps; an offset would wrap after 2³² / size steps.)
   */
  Dropout: (node) => {
    const rate = numberParam(node, 'rate');
    const salt = saltOf(node.id);
    const layer: Layer = {
      type: node.type,
      params: NO_TENSORS,
      state: NO_TENSORS,
      forward(inputs: LayerInputs, ctx: LayerContext): readonly Tensor[] {
        const x = input(inputs, 'in', node);
        if (!ctx.training || rate === 0) return [x];
        return [ops.dropout(x, rate, hash32(hash32(ctx.seed, salt), ctx.step))];
      },
    };
    return layer;
  },

  /**
   * y = γ·(x − μ)/√(σ² + ε) + β per channel (axis 0 after N: features of [N,F], channels of
   * [N,C,H,W]). Training: μ, σ² are the batch's (biased variance, as Keras), and the running
   * statistics move towards them: running = momentum·running + (1 − momentum)·batch (Keras and
   * ONNX; PyTorch's momentum is 1 − ours). Evaluation: the running statistics, which start at
   * mean 0 and variance 1.
   */
  BatchNorm: (node, createParam) => {
    const channels = inputShape(node)[0]!;
    const momentum = numberParam(node, 'momentum');
    const epsilon = numberParam(node, 'epsilon');
    const fans = { fanIn: channels, fanOut: channels };
    const gamma = createParam({ name: 'gamma', shape: [channels], role: 'gamma', fans });
    const beta = createParam({ name: 'beta', shape: [channels], role: 'beta', fans });
    const runningMean = stateTensor(node.backend, [channels], 0);
    const runningVariance = stateTensor(node.backend, [channels], 1);
    const inference = { epsilon, mean: runningMean, variance: runningVariance };
    const training = { epsilon };

    // The running-average update is bookkeeping, not part of the differentiated computation: it
    // runs with the tape paused. Made once here so a forward allocates no closure.
    let batchMean: Tensor | null = null;
    let batchVariance: Tensor | null = null;
    const updateRunning = (): void => {
      assign(runningMean, ops.add(ops.scale(runningMean, momentum), ops.scale(batchMean!, 1 - momentum)));
      assign(runningVariance, ops.add(ops.scale(runningVariance, momentum), ops.scale(batchVariance!, 1 - momentum)));
      batchMean = null;
      batchVariance = null;
    };

    const layer: Layer = {
      type: node.type,
      params: { gamma, beta },
      state: { runningMean, runningVariance },
      forward(inputs: LayerInputs, ctx: LayerContext): readonly Tensor[] {
        const x = input(inputs, 'in', node);
        if (!ctx.training) return [ops.batchNorm(x, gamma, beta, inference).y];
        const result = ops.batchNorm(x, gamma, beta, training);
        batchMean = result.mean;
        batchVariance = result.variance;
        withoutTape(updateRunning);
        return [result.y];
      },
    };
    return layer;
  },

  /** Local response normalisation across channels, with the catalog's α (not divided by size). */
  LRN: (node) => {
    const options = {
      size: numberParam(node, 'size'),
      alpha: numberParam(node, 'alpha'),
      beta: numberParam(node, 'beta'),
      k: numberParam(node, 'k'),
    };
    const layer: Layer = {
      type: node.type,
      params: NO_TENSORS,
      state: NO_TENSORS,
      forward: (inputs: LayerInputs) => [ops.lrn(input(inputs, 'in', node), options)],
    };
    return layer;
  },
} satisfies Record<string, LayerBuilder>;
