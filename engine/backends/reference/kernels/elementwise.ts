// Reference elementwise kernels: Fill, Copy, Cast, Unary, Binary (NumPy broadcasting) and
// RandomUniform. Written as the plainest float64 formula of each op; speed does not matter.

import type { BinaryOp, UnaryOp } from '../../backend.js';
import { uniformAt } from '../../../core/random.js';
import { broadcastOffset, check, strides, unravel, type Kernel } from './buffer.js';

export const fillKernel: Kernel<'Fill'> = (_inputs, [out], { value }) => {
  out!.data.fill(value);
};

export const copyKernel: Kernel<'Copy'> = ([x], [out]) => {
  check(x!.data.length === out!.data.length, `Copy: ${x!.data.length} elements into ${out!.data.length}`);
  check(x!.dtype === out!.dtype, `Copy: ${x!.dtype} into ${out!.dtype} (use Cast)`);
  out!.data.set(x!.data);
};

/** float → int32 truncates toward zero; int32 → float is exact. */
export const castKernel: Kernel<'Cast'> = ([x], [out]) => {
  check(x!.data.length === out!.data.length, `Cast: ${x!.data.length} elements into ${out!.data.length}`);
  const src = x!.data;
  const dst = out!.data;
  const toInt = out!.dtype === 'int32';
  for (let i = 0; i < src.length; i++) dst[i] = toInt ? Math.trunc(src[i]!) : src[i]!;
};

function required(value: number | undefined, op: UnaryOp, name: string): number {
  check(value !== undefined, `Unary ${op} needs ${name}`);
  return value;
}

/** The scalar function of each unary op, in float64. */
function unaryFunction(op: UnaryOp, alpha: number | undefined, beta: number | undefined): (x: number) => number {
  switch (op) {
    case 'neg':
      return (x) => -x;
    case 'abs':
      return Math.abs;
    case 'sign':
      return Math.sign;
    case 'square':
      return (x) => x * x;
    case 'sqrt':
      return Math.sqrt;
    case 'rsqrt':
      return (x) => 1 / Math.sqrt(x);
    case 'reciprocal':
      return (x) => 1 / x;
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'step':
      return (x) => (x > 0 ? 1 : 0);
    case 'relu':
      // Math.max, not `x > 0 ? x : 0`: a NaN must propagate so training can stop on it.
      return (x) => Math.max(x, 0);
    case 'sigmoid':
      // Two branches so exp never overflows.
      return (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    case 'tanh':
      return Math.tanh;
    case 'softplus':
      // log(1 + e^x) = max(x, 0) + log1p(e^−|x|), exact for large |x|.
      return (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    case 'softsign':
      return (x) => x / (1 + Math.abs(x));
    case 'scale': {
      const a = alpha ?? 1;
      const b = beta ?? 0;
      return (x) => a * x + b;
    }
    case 'pow': {
      const p = required(alpha, op, 'alpha (the exponent)');
      return (x) => Math.pow(x, p);
    }
    case 'clip': {
      const lo = alpha ?? -Infinity;
      const hi = beta ?? Infinity;
      return (x) => Math.min(Math.max(x, lo), hi);
    }
    case 'leakyRelu': {
      const a = required(alpha, op, 'alpha (the negative slope)');
      return (x) => (x > 0 ? x : a * x);
    }
    case 'elu': {
      const a = required(alpha, op, 'alpha');
      return (x) => (x > 0 ? x : a * Math.expm1(x));
    }
  }
}

export const unaryKernel: Kernel<'Unary'> = ([x], [out], { op, alpha, beta }) => {
  check(x!.data.length === out!.data.length, `Unary ${op}: ${x!.data.length} elements into ${out!.data.length}`);
  const f = unaryFunction(op, alpha, beta);
  const src = x!.data;
  const dst = out!.data;
  for (let i = 0; i < src.length; i++) dst[i] = f(src[i]!);
};

function binaryFunction(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case 'add':
      return (a, b) => a + b;
    case 'sub':
      return (a, b) => a - b;
    case 'mul':
      return (a, b) => a * b;
    case 'div':
      return (a, b) => a / b;
    case 'max':
      return Math.max;
    case 'min':
      return Math.min;
    case 'pow':
      return Math.pow;
    case 'greater':
      return (a, b) => (a > b ? 1 : 0);
    case 'greaterEqual':
      return (a, b) => (a >= b ? 1 : 0);
    case 'equal':
      return (a, b) => (a === b ? 1 : 0);
  }
}

export const binaryKernel: Kernel<'Binary'> = ([a, b], [out], { op }) => {
  const shape = out!.shape;
  const rank = shape.length;
  check(a!.shape.length <= rank && b!.shape.length <= rank, `Binary ${op}: inputs of higher rank than the output`);
  const f = binaryFunction(op);
  const aStrides = strides(a!.shape);
  const bStrides = strides(b!.shape);
  const coords = new Array<number>(rank).fill(0);
  const dst = out!.data;
  for (let i = 0; i < dst.length; i++) {
    unravel(i, shape, coords);
    dst[i] = f(a!.data[broadcastOffset(coords, a!.shape, aStrides)]!, b!.data[broadcastOffset(coords, b!.shape, bStrides)]!);
  }
};

/**
 * hash(seed, offset + i) / 2^32, rounded to float32. The rounding is deliberate: the kernel's
 * output dtype is float32, and keeping exactly the float32 value every other backend stores
 * makes comparisons against it (dropout's `u ≥ rate`) agree bit for bit across backends.
 */
export const randomUniformKernel: Kernel<'RandomUniform'> = (_inputs, [out], { seed, offset }) => {
  const dst = out!.data;
  for (let i = 0; i < dst.length; i++) dst[i] = Math.fround(uniformAt(seed, offset + i));
};
