// The reference kernel table: one entry per kernel of the contract. `satisfies` makes a
// missing kernel a type error, so the oracle always covers the whole contract.

import type { KernelName } from '../../backend.js';
import type { Kernel } from './buffer.js';
import { conv2dBackpropBiasKernel, conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel } from './conv.js';
import { adamUpdateKernel, binaryKernel, castKernel, copyKernel, fillKernel, randomUniformKernel, unaryKernel } from './elementwise.js';
import { matMulKernel } from './matmul.js';
import { avgPoolBackpropKernel, maxPoolBackpropKernel, poolKernel } from './pool.js';
import { argMaxKernel, logSoftmaxKernel, reduceKernel, softmaxCrossEntropyBackpropKernel, softmaxCrossEntropyKernel, softmaxKernel } from './reduce.js';
import { concatKernel, gatherKernel, oneHotKernel, padKernel, scatterAddKernel, sliceKernel, transposeKernel } from './shape.js';

export const REFERENCE_KERNELS = {
  Fill: fillKernel,
  Copy: copyKernel,
  Cast: castKernel,
  Unary: unaryKernel,
  Binary: binaryKernel,
  Reduce: reduceKernel,
  ArgMax: argMaxKernel,
  MatMul: matMulKernel,
  Softmax: softmaxKernel,
  LogSoftmax: logSoftmaxKernel,
  Conv2D: conv2dKernel,
  Conv2DBackpropInput: conv2dBackpropInputKernel,
  Conv2DBackpropFilter: conv2dBackpropFilterKernel,
  Conv2DBackpropBias: conv2dBackpropBiasKernel,
  Pool: poolKernel,
  MaxPoolBackprop: maxPoolBackpropKernel,
  AvgPoolBackprop: avgPoolBackpropKernel,
  Transpose: transposeKernel,
  Slice: sliceKernel,
  Pad: padKernel,
  Concat: concatKernel,
  Gather: gatherKernel,
  ScatterAdd: scatterAddKernel,
  OneHot: oneHotKernel,
  RandomUniform: randomUniformKernel,
  AdamUpdate: adamUpdateKernel,
  SoftmaxCrossEntropy: softmaxCrossEntropyKernel,
  SoftmaxCrossEntropyBackprop: softmaxCrossEntropyBackpropKernel,
} satisfies { [K in KernelName]: Kernel<K> };
