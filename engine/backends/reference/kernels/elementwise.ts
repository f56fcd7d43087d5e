// Reference elementwise kernels: Fill, Copy, Cast, Unary, Binary (NumPy broadcasting) and
// RandomUniform. Written as the plainest float64 formula of each op; speed does not matter.

import { scalarBinary, scalarUnary } from '../../scalarOps.js';
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

export const unaryKernel: Kernel<'Unary'> = ([x], [out], { op, alpha, beta }) => {
  check(x!.data.length === out!.data.length, `Unary ${op}: ${x!.data.length} elements into ${out!.data.length}`);
  const f = scalarUnary(op, alpha, beta);
  const src = x!.data;
  const dst = out!.data;
  for (let i = 0; i < src.length; i++) dst[i] = f(src[i]!);
};

export const binaryKernel: Kernel<'Binary'> = ([a, b], [out], { op }) => {
  const shape = out!.shape;
  const rank = shape.length;
  check(a!.shape.length <= rank && b!.shape.length <= rank, `Binary ${op}: inputs of higher rank than the output`);
  const f = scalarBinary(op);
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

/** One Adam step in place (backend.ts AdamUpdate): outputs [w, m, v] are inputs 0, 2 and 3. */
export const adamUpdateKernel: Kernel<'AdamUpdate'> = ([w, g, m, v], outputs, { beta1, beta2, epsilon, stepSize, rootCorrection, weightDecay }) => {
  check(outputs[0]?.data === w!.data && outputs[1]?.data === m!.data && outputs[2]?.data === v!.data, 'AdamUpdate: outputs must be inputs w, m and v (it updates in place)');
  const n = w!.data.length;
  check(g!.data.length === n && m!.data.length === n && v!.data.length === n, `AdamUpdate: w, g, m and v differ in size (${n}, ${g!.data.length}, ${m!.data.length}, ${v!.data.length})`);
  const [W, G, M, V] = [w!.data, g!.data, m!.data, v!.data];
  for (let i = 0; i < n; i++) {
    const grad = weightDecay !== 0 ? G[i]! + weightDecay * W[i]! : G[i]!;
    M[i] = beta1 * M[i]! + (1 - beta1) * grad;
    V[i] = beta2 * V[i]! + (1 - beta2) * grad * grad;
    W[i] = W[i]! - (stepSize * M[i]!) / (rootCorrection * Math.sqrt(V[i]!) + epsilon);
  }
};
