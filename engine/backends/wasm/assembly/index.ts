// The kernel module's entry point for asc: every export the host (../kernels/*.ts) calls.
// Kernels take pointers, sizes and strides into the one shared memory; nothing here allocates.

export { sgemm, sgemmV1, gemmScratchBytes } from './gemm';
export { fill32, copyBytes, castF32I32, castI32F32, unary, binary4, adamUpdate } from './elementwise';
export { reduceRows, reduceMiddle, argMax, softmaxRows, softmaxCrossEntropy, softmaxCrossEntropyBackprop } from './reduce';
export { copy4, transpose2 } from './movement';
export { conv2dForward, conv2dBackpropInput, conv2dBackpropFilter, convBiasGrad } from './conv';
export { convPackWeights, convDirect, convDirectFilter } from './convDirect';
export { convSmall, convSmallFilter } from './convSmall';
export { countNonzero } from './sparse';
export { fusedMultiplyAdd } from './fma';
export { convSparsePack, convSparseInput, convSparseFilter, convSparseSampleBytes, convSparseEntries, convSparseAccBytes } from './convSparse';
export { spmm, spmmScratchBytes } from './spmm';
export { winogradFilter, winogradConv } from './winograd';
export { winoFilterAccum, winoFilterOut } from './winogradFilter';
export { poolForward, maxPoolBackprop, avgPoolBackprop, maxPoolReluNonzero } from './pool';
export { gather, scatterAdd, oneHot, randomUniform } from './indexing';

/** First byte after the module's static data: the host's allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
