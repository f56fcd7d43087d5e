// Loss maths shared by the loss layers and the trainer. Every loss SUMS over the elements of one
// sample and AVERAGES over the mini-batch (the textbook 二乗和誤差 and 交差エントロピー誤差 per
// sample, docs/catalog.md), so each returns a scalar: Σ over all elements / N — one reduction.
// Also here: how dataset labels become targets when a loss's `target` port is unconnected.

import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';

/** Probabilities are clipped to [ε, 1 − ε] before the logarithms of binary cross-entropy (Keras' ε). */
export const BCE_EPSILON = 1e-7;

/** The batch size: the leading axis of the prediction. */
function batchOf(prediction: Tensor): number {
  if (prediction.rank < 1) throw new Error(`loss: the prediction needs a batch axis, got ${formatShape(prediction.shape)}`);
  return prediction.shape[0]!;
}

/** Σ over every element of `perElement`, divided by the batch size N. */
function batchMeanOfSums(perElement: Tensor, batch: number): Tensor {
  return ops.scale(ops.sum(perElement), 1 / batch);
}

/** ½ Σ (y − t)² per sample, mean over the batch. */
export function meanSquaredError(prediction: Tensor, target: Tensor): Tensor {
  return ops.scale(ops.sum(ops.square(ops.sub(prediction, target))), 0.5 / batchOf(prediction));
}

/** Σ |y − t| per sample, mean over the batch. */
export function l1Loss(prediction: Tensor, target: Tensor): Tensor {
  return batchMeanOfSums(ops.abs(ops.sub(prediction, target)), batchOf(prediction));
}

/**
 * Σ (½d²/β where |d| < β, else |d| − ½β) per sample, d = y − t (PyTorch's SmoothL1 with `beta`;
 * β = 1 is the Huber loss). Written without a comparison: with m = min(|d|, β),
 * ½m²/β + (|d| − m) gives both branches, and its gradient is continuous at |d| = β.
 */
export function smoothL1Loss(prediction: Tensor, target: Tensor, beta: number): Tensor {
  const a = ops.abs(ops.sub(prediction, target));
  const m = ops.minimum(a, beta);
  const perElement = ops.add(ops.scale(ops.square(m), 0.5 / beta), ops.sub(a, m));
  return batchMeanOfSums(perElement, batchOf(prediction));
}

/**
 * −Σ [t log y + (1 − t) log(1 − y)] per sample, with y clipped to [ε, 1 − ε] so a saturated
 * sigmoid gives a large finite loss instead of ∞ (the gradient is zero where clipping bites).
 */
export function binaryCrossEntropy(probabilities: Tensor, target: Tensor): Tensor {
  const y = ops.clip(probabilities, BCE_EPSILON, 1 - BCE_EPSILON);
  const positive = ops.mul(target, ops.log(y));
  const negative = ops.mul(ops.scale(target, -1, 1), ops.log(ops.scale(y, -1, 1)));
  return ops.scale(ops.sum(ops.add(positive, negative)), -1 / batchOf(probabilities));
}

/**
 * Binary cross-entropy of σ(x) from the logits x, in the stable form
 * −[t log σ(x) + (1 − t) log(1 − σ(x))] = softplus(x) − t·x (no clipping needed).
 */
export function binaryCrossEntropyFromLogits(logits: Tensor, target: Tensor): Tensor {
  return batchMeanOfSums(ops.sub(ops.softplus(logits), ops.mul(target, logits)), batchOf(logits));
}

/** Σ max(0, 1 − t·y) per sample with t ∈ {−1, +1}, mean over the batch. */
export function hingeLoss(prediction: Tensor, target: Tensor): Tensor {
  return batchMeanOfSums(ops.relu(ops.scale(ops.mul(target, prediction), -1, 1)), batchOf(prediction));
}

/**
 * Softmax cross-entropy from logits [N, K], fused through logSoftmax (stable for large logits):
 * −Σ_k t_k log softmax(x)_k per sample, mean over the batch. `target` is either int32 class
 * indices [N] or float32 probabilities [N, K] (one-hot or soft labels).
 */
export function softmaxCrossEntropy(logits: Tensor, target: Tensor): Tensor {
  if (logits.rank !== 2) throw new Error(`CrossEntropy: expects logits [N,K], got ${formatShape(logits.shape)}`);
  if (target.dtype === 'int32') {
    checkClassIndices(target, logits);
    // Class indices: the fused kernel pair (ops/softmax.ts), the same maths in two kernels.
    return ops.softmaxCrossEntropy(logits, target);
  }
  return ops.scale(ops.sum(ops.mul(target, ops.logSoftmax(logits))), -1 / batchOf(logits));
}

function checkClassIndices(indices: Tensor, logits: Tensor): void {
  if (indices.rank !== 1 || indices.shape[0] !== logits.shape[0]) {
    throw new Error(`CrossEntropy: class labels should be int32 [N] for logits ${formatShape(logits.shape)}, got ${formatShape(indices.shape)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Dataset labels as targets (docs/catalog.md, "Losses")

/** How a loss reads the dataset's labels when its `target` port is unconnected. */
export type LabelEncoding =
  /** Targets as they are; int32 class labels one-hot encoded (MSE, L1, SmoothL1, BinaryCE). */
  | 'values'
  /** As 'values', then 0/1 mapped to −1/+1 (Hinge). */
  | 'signs';

/**
 * The target a loss compares `prediction` [N, ...] with, made from dataset labels:
 * - float32 labels of the prediction's shape are used as they are;
 * - int32 class indices [N] become one-hot vectors when the prediction is [N, K] with K > 1, and
 *   the label value itself (0/1 for a binary task) when each sample's prediction is one number.
 * With 'signs' the result t ∈ {0, 1} becomes 2t − 1 ∈ {−1, +1}.
 */
export function targetFromLabels(labels: Tensor, prediction: Tensor, encoding: LabelEncoding): Tensor {
  const target = valuesTarget(labels, prediction);
  return encoding === 'signs' ? ops.scale(target, 2, -1) : target;
}

function valuesTarget(labels: Tensor, prediction: Tensor): Tensor {
  if (labels.dtype === 'float32') {
    if (labels.size !== prediction.size || labels.shape[0] !== prediction.shape[0]) {
      throw new Error(`loss: dataset targets ${formatShape(labels.shape)} do not fit the prediction ${formatShape(prediction.shape)}`);
    }
    return ops.reshape(labels, prediction.shape);
  }
  const batch = batchOf(prediction);
  if (labels.rank !== 1 || labels.shape[0] !== batch) {
    throw new Error(`loss: class labels should be int32 [${batch}], got ${formatShape(labels.shape)}`);
  }
  const perSample = prediction.size / batch;
  if (perSample === 1) return ops.reshape(ops.cast(labels, 'float32'), prediction.shape);
  if (prediction.rank === 2) return ops.oneHot(labels, prediction.shape[1]!);
  throw new Error(`loss: class labels [N] cannot be compared with a prediction ${formatShape(prediction.shape)}; give a target vector [N,K]`);
}
