// Seeded randomness inside the graph: uniform noise from the counter hash of core/random.ts
// (identical on every backend and thread count) and inverted dropout built on it.

import type { Backend, KernelAttrs } from '../backends/backend.js';
import type { Shape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { recordOp, type OpDef } from '../autograd/tape.js';
import { greaterEqual, mul, scale } from './elementwise.js';
import { assertFloat, output } from './op.js';

type RandomAttrs = KernelAttrs['RandomUniform'];
const RANDOM_UNIFORM: OpDef<RandomAttrs> = { name: 'randomUniform' };
const NO_INPUTS: readonly Tensor[] = [];

/**
 * float32 uniform in [0, 1): element i is hash32(seed, offset + i) / 2^32. The same (seed,
 * offset) gives the same numbers everywhere; advance `offset` by the size to continue a stream.
 */
export function randomUniform(backend: Backend, shape: Shape, seed: number, offset = 0): Tensor {
  const y = output(backend, shape.slice());
  const attrs: RandomAttrs = { seed: seed >>> 0, offset };
  backend.run('RandomUniform', NO_INPUTS, [y], attrs);
  recordOp(RANDOM_UNIFORM, NO_INPUTS, y, attrs);
  return y;
}

/**
 * Inverted dropout: each element is kept with probability 1 − rate and scaled by 1/(1 − rate),
 * so the expected value is unchanged; the rest are zeroed. The mask comes from
 * randomUniform(seed, offset): the same seed and offset give the same mask on every backend
 * (the threshold is rounded to float32 like the uniform numbers, so `u ≥ rate` agrees bit for
 * bit). Gradients flow through the kept elements, scaled the same way. rate 0 returns x.
 */
export function dropout(x: Tensor, rate: number, seed: number, offset = 0): Tensor {
  assertFloat('dropout', x);
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x;
  const u = randomUniform(x.backend, x.shape, seed, offset);
  const keep = greaterEqual(u, Math.fround(rate));
  return mul(x, scale(keep, 1 / (1 - rate)));
}
