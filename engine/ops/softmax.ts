// Softmax and log-softmax along the last axis (the class axis of [N, classes] logits), each one
// max-subtracted kernel. In elementary mode (the debugger's op-level view) they are recorded as
// the textbook composition: exp(x − max) / sum(exp(x − max)).

import type { KernelAttrs } from '../backends/backend.js';
import type { Tensor } from '../core/tensor.js';
import { recordOp, type OpDef } from '../autograd/tape.js';
import { div, exp, log, mul, sub } from './elementwise.js';
import { assertFloat, elementaryMode, output } from './op.js';
import { max, sum } from './reduce.js';

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
