// The op library in one import: `import * as ops from '../ops/index.js'`. Every op takes and
// returns Tensors, allocates its output as step storage, and records itself on the active tape.

export {
  abs,
  add,
  broadcastTo,
  cast,
  clip,
  div,
  elu,
  equal,
  exp,
  greater,
  greaterEqual,
  leakyRelu,
  less,
  lessEqual,
  log,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  reciprocal,
  relu,
  relu6,
  reluGrad,
  rsqrt,
  scale,
  sigmoid,
  sign,
  softplus,
  softsign,
  sqrt,
  square,
  step,
  sub,
  sumTo,
  tanh,
} from './elementwise.js';
export { argMax, max, mean, min, sum } from './reduce.js';
export { matMul, type MatMulOptions } from './matmul.js';
export { logSoftmax, softmax, softmaxCrossEntropy, softmaxCrossEntropyBackprop } from './softmax.js';
export { conv2d, conv2dBackpropBias, conv2dBackpropFilter, conv2dBackpropInput, convAttrs, type Conv2DOptions } from './conv.js';
export { avgPool, globalAvgPool, lpPool, maxPool, type PoolOptions } from './pool.js';
export { concat, flatten, gather, oneHot, pad, reshape, scatterAdd, slice, transpose } from './shape.js';
export { dropout, randomUniform } from './random.js';
export { adamUpdate } from './optimizer.js';
export { batchNorm, lrn, type BatchNormOptions, type BatchNormResult, type LrnOptions } from './norm.js';
export type { Operand, Padding } from './op.js';
