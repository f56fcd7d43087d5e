// Every contract kernel's WebGPU implementation, by name. `satisfies` makes a kernel added to
// the contract (engine/backends/backend.ts) without one here a compile error.

import type { KernelName } from '../../backend.js';
import type { GpuKernel } from '../context.js';
import { conv2dBackpropBiasKernel, conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel, avgPoolBackpropKernel, maxPoolBackpropKernel, poolKernel } from './conv.js';
import { adamUpdateKernel, binaryKernel, castKernel, copyKernel, fillKernel, randomUniformKernel, unaryKernel } from './elementwise.js';
import { matMulKernel } from './matmul.js';
import { concatKernel, gatherKernel, oneHotKernel, padKernel, scatterAddKernel, sliceKernel, transposeKernel } from './movement.js';
import { argMaxKernel, logSoftmaxKernel, reduceKernel, softmaxCrossEntropyBackpropKernel, softmaxCrossEntropyKernel, softmaxKernel } from './reduce.js';

export const KERNELS = {
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
} satisfies { [K in KernelName]: GpuKernel<K> };
