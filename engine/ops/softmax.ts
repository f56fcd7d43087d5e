// Softmax and log-softmax along the last axis (the class axis of [N, classes] logits), each one
// max-subtracted kernel, and softmax cross-entropy against class indices as one fused kernel
// forward and one backward. In elementary mode (the debugger's op-level view) they are recorded
// as the textbook composition: exp(x − max) / sum(exp(x − max)), −mean(Σ onehot·logSoftmax).

import type { KernelAttrs } from '../backends/backend.js';
import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { recordOp, type OpDef } from '../autograd/tape.js';
import { div, exp, log, mul, scale, sub } from './elementwise.js';
import { assertFloat, assertInt, elementaryMode, output, sameBackend } from './op.js';
import { max, sum } from './reduce.js';
import { oneHot } from './shape.js';

type NoAttrs = KernelAttrs['Softmax'];
const NO_ATTRS: NoAttrs = {};

// dx = y ⊙ (dy − Σ dy ⊙ y) along the axis.
const SOFTMAX: OpDef<NoAttrs> = {
  name: 'softmax',
  gradient: (dy, op) => {
    const y = op.output;
    return [mul(y, sub(dy, sum(mul(dy, y), -1, true)))];
  },
};

// dx = dy − softmax(x) · Σ dy, and softmax(x) = exp(y).
const LOG_SOFTMAX: OpDef<NoAttrs> = {
  name: 'logSoftmax',
  gradient: (dy, op) => [sub(dy, mul(exp(op.output), sum(dy, -1, true)))],
};

function lastAxis(def: OpDef<NoAttrs>, kernel: 'Softmax' | 'LogSoftmax', x: Tensor): Tensor {
  assertFloat(def.name, x);
  if (x.rank < 1) throw new Error(`${def.name}: needs at least one axis`);
  const y = output(x.backend, x.shape);
  const inputs = [x];
  x.backend.run(kernel, inputs, [y], NO_ATTRS);
  recordOp(def, inputs, y, NO_ATTRS);
  return y;
}

/** e^x / Σ e^x along the last axis. */
export function softmax(x: Tensor): Tensor {
  if (elementaryMode()) {
    const e = exp(sub(x, max(x, -1, true)));
    return div(e, sum(e, -1, true));
  }
  return lastAxis(SOFTMAX, 'Softmax', x);
}

/** log softmax along the last axis: x − max − log Σ e^(x − max), stable for large logits. */
export function logSoftmax(x: Tensor): Tensor {
  if (elementaryMode()) {
    const shifted = sub(x, max(x, -1, true));
    return sub(shifted, log(sum(exp(shifted), -1, true)));
  }
  return lastAxis(LOG_SOFTMAX, 'LogSoftmax', x);
}

// ---------------------------------------------------------------------------------------------
// Softmax cross-entropy with class indices (the CrossEntropy loss's usual case): one kernel
// forward (loss and the softmax it keeps), one backward, dlogits = (softmax − onehot)·dy/N —
// instead of about fifteen small kernels through oneHot, logSoftmax, mul, sum and their
// gradients.

interface CrossEntropyAttrs {
  /** softmax(logits), saved by the forward kernel for the backward one. */
  readonly probabilities: Tensor;
}

const SOFTMAX_CROSS_ENTROPY: OpDef<CrossEntropyAttrs> = {
  name: 'softmaxCrossEntropy',
  gradient: (dy, op) => [softmaxCrossEntropyBackprop(op.attrs.probabilities, op.inputs[1]!, dy), null],
};

/** Its gradient is not differentiated again (no second-order use of a loss's gradient here). */
const SOFTMAX_CROSS_ENTROPY_BACKPROP: OpDef<NoAttrs> = { name: 'softmaxCrossEntropyBackprop' };

function checkCrossEntropy(op: string, rows: Tensor, labels: Tensor): void {
  assertFloat(op, rows);
  assertInt(op, labels);
  sameBackend(op, rows, labels);
  if (rows.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== rows.shape[0]) {
    throw new Error(`${op}: expects logits [N, K] and int32 labels [N], got ${formatShape(rows.shape)} and ${formatShape(labels.shape)}`);
  }
}

/**
 * −(1/N)·Σᵢ log softmax(logitsᵢ)[labelsᵢ]: the batch mean of softmax cross-entropy for logits
 * [N, K] and int32 class indices [N] (a label outside [0, K) contributes 0, as a zero one-hot row).
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  checkCrossEntropy('softmaxCrossEntropy', logits, labels);
  if (elementaryMode()) return scale(sum(mul(oneHot(labels, logits.shape[1]!), logSoftmax(logits))), -1 / logits.shape[0]!);
  const loss = output(logits.backend, []);
  const probabilities = output(logits.backend, logits.shape);
  const inputs = [logits, labels];
  logits.backend.run('SoftmaxCrossEntropy', inputs, [loss, probabilities], NO_ATTRS);
  recordOp(SOFTMAX_CROSS_ENTROPY, inputs, loss, { probabilities });
  return loss;
}

/** The gradient of softmaxCrossEntropy: (probabilities − onehot(labels))·dy/N, dy a scalar. */
export function softmaxCrossEntropyBackprop(probabilities: Tensor, labels: Tensor, dy: Tensor): Tensor {
  checkCrossEntropy('softmaxCrossEntropyBackprop', probabilities, labels);
  if (dy.size !== 1) throw new Error(`softmaxCrossEntropyBackprop: dy must be a scalar, got ${formatShape(dy.shape)}`);
  const dx = output(probabilities.backend, probabilities.shape);
  const inputs = [probabilities, labels, dy];
  probabilities.backend.run('SoftmaxCrossEntropyBackprop', inputs, [dx], NO_ATTRS);
  recordOp(SOFTMAX_CROSS_ENTROPY_BACKPROP, inputs, dx, NO_ATTRS);
  return dx;
}
