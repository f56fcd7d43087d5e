// Weight initializers (重みの初期値): constant, normal, uniform, and the fan-scaled families of
// Glorot/Xavier, He and LeCun. Each makes a Float32Array from a seeded `Random`, so the same seed
// gives the same initial weights on every backend (the values are rounded to float32 once, here).
//
// Fans follow Keras and PyTorch: Dense W [F, units] has fanIn = F, fanOut = units; Conv2D
// W [F, C/groups, kh, kw] has fanIn = C/groups·kh·kw, fanOut = F·kh·kw. The normal variants draw
// from a plain (untruncated) normal distribution, as PyTorch and the textbooks do; Keras truncates.

import type { Random } from '../core/random.js';
import type { Fans } from '../layers/layer.js';

export type { Fans } from '../layers/layer.js';

/** A serialisable choice of initializer (a model's override map holds these). */
export type InitializerSpec =
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'normal'; readonly std: number; readonly mean?: number }
  | { readonly kind: 'uniform'; readonly limit: number }
  | { readonly kind: 'glorotNormal' }
  | { readonly kind: 'glorotUniform' }
  | { readonly kind: 'heNormal' }
  | { readonly kind: 'heUniform' }
  | { readonly kind: 'lecunNormal' }
  | { readonly kind: 'lecunUniform' };

export type InitializerKind = InitializerSpec['kind'];

export const ZEROS: InitializerSpec = { kind: 'constant', value: 0 };
export const ONES: InitializerSpec = { kind: 'constant', value: 1 };
/** The default for weights: Glorot (Xavier) uniform, Keras' default for Dense and Conv2D. */
export const GLOROT_UNIFORM: InitializerSpec = { kind: 'glorotUniform' };

/** Every element equal to `value`. */
export function constant(size: number, value: number): Float32Array {
  return new Float32Array(size).fill(value);
}

/** N(mean, std²). */
export function normal(random: Random, size: number, std: number, mean = 0): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = mean + std * random.normal();
  return out;
}

/** U(−limit, limit): variance limit²/3. */
export function uniform(random: Random, size: number, limit: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = limit * (2 * random.uniform() - 1);
  return out;
}

/** Glorot/Xavier normal: std = √(2 / (fanIn + fanOut)). Keeps activation variance for tanh/sigmoid. */
export function glorotNormal(random: Random, size: number, fans: Fans): Float32Array {
  return normal(random, size, Math.sqrt(2 / (fans.fanIn + fans.fanOut)));
}

/** Glorot/Xavier uniform: limit = √(6 / (fanIn + fanOut)), the same variance as glorotNormal. */
export function glorotUniform(random: Random, size: number, fans: Fans): Float32Array {
  return uniform(random, size, Math.sqrt(6 / (fans.fanIn + fans.fanOut)));
}

/** He (Kaiming) normal: std = √(2 / fanIn). For ReLU, which zeroes half of its inputs. */
export function heNormal(random: Random, size: number, fans: Fans): Float32Array {
  return normal(random, size, Math.sqrt(2 / fans.fanIn));
}

/** He uniform: limit = √(6 / fanIn), variance 2 / fanIn. */
export function heUniform(random: Random, size: number, fans: Fans): Float32Array {
  return uniform(random, size, Math.sqrt(6 / fans.fanIn));
}

/** LeCun normal: std = √(1 / fanIn). For SELU-style and linear layers. */
export function lecunNormal(random: Random, size: number, fans: Fans): Float32Array {
  return normal(random, size, Math.sqrt(1 / fans.fanIn));
}

/** LeCun uniform: limit = √(3 / fanIn), variance 1 / fanIn. */
export function lecunUniform(random: Random, size: number, fans: Fans): Float32Array {
  return uniform(random, size, Math.sqrt(3 / fans.fanIn));
}

/** The values of `spec` for a tensor of `size` elements with the given fans. */
export function initialValues(spec: InitializerSpec, random: Random, size: number, fans: Fans): Float32Array {
  switch (spec.kind) {
    case 'constant':
      return constant(size, spec.value);
    case 'normal':
      return normal(random, size, spec.std, spec.mean ?? 0);
    case 'uniform':
      return uniform(random, size, spec.limit);
    case 'glorotNormal':
      return glorotNormal(random, size, fans);
    case 'glorotUniform':
      return glorotUniform(random, size, fans);
    case 'heNormal':
      return heNormal(random, size, fans);
    case 'heUniform':
      return heUniform(random, size, fans);
    case 'lecunNormal':
      return lecunNormal(random, size, fans);
    case 'lecunUniform':
      return lecunUniform(random, size, fans);
  }
}
