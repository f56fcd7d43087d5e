// The wasm backend's kernel table: one host function per kernel of the contract
// (engine/backends/backend.ts), checked complete by `satisfies`.

import type { KernelAttrs, KernelName, TensorInfo } from '../../backend.js';
import type { KernelContext } from '../context.js';
import { Conv2D, Conv2DBackpropBias, Conv2DBackpropFilter, Conv2DBackpropInput } from './Conv2D.js';
import { AdamUpdate, Binary, Cast, Copy, Fill, Unary } from './elementwise.js';
import { Gather, OneHot, RandomUniform, ScatterAdd } from './indexing.js';
import { MatMul } from './MatMul.js';
import { Concat, Pad, Slice, Transpose } from './movement.js';
import { AvgPoolBackprop, MaxPoolBackprop, Pool } from './Pool.js';
import { ArgMax, LogSoftmax, Reduce, Softmax, SoftmaxCrossEntropy, SoftmaxCrossEntropyBackprop } from './reduce.js';

export type KernelImpl<K extends KernelName> = (
  ctx: KernelContext,
  inputs: readonly TensorInfo[],
  outputs: readonly TensorInfo[],
  attrs: KernelAttrs[K],
) => void;

export const KERNELS = {
  Fill,
  Copy,
  Cast,
  Unary,
  Binary,
  Reduce,
  ArgMax,
  MatMul,
  Softmax,
  LogSoftmax,
  Conv2D,
  Conv2DBackpropInput,
  Conv2DBackpropFilter,
  Conv2DBackpropBias,
  Pool,
  MaxPoolBackprop,
  AvgPoolBackprop,
  Transpose,
  Slice,
  Pad,
  Concat,
  Gather,
  ScatterAdd,
  OneHot,
  RandomUniform,
  AdamUpdate,
  SoftmaxCrossEntropy,
  SoftmaxCrossEntropyBackprop,
} satisfies { [K in KernelName]: KernelImpl<K> };
