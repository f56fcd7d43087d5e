// Initializers: on 10⁶ values each distribution has the mean and variance its formula promises
// (within 2 %), uniform ones stay inside their limits, and values are a pure function of the seed.

import { describe, expect, it } from 'vitest';
import { Random } from '../core/random.js';
import {
  constant,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  initialValues,
  lecunNormal,
  lecunUniform,
  normal,
  uniform,
  type InitializerSpec,
} from './initializers.js';

const N = 1_000_000;
const FANS = { fanIn: 300, fanOut: 100 };

function moments(values: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, variance: squares / values.length, min, max };
}

interface Expectation {
  readonly name: string;
  readonly values: (random: Random) => Float32Array;
  readonly mean: number;
  readonly variance: number;
  /** For uniform distributions: every value lies in [−limit, limit]. */
  readonly limit?: number;
}

const CASES: readonly Expectation[] = [
  { name: 'normal(std 0.05)', values: (r) => normal(r, N, 0.05), mean: 0, variance: 0.05 ** 2 },
  { name: 'normal(std 2, mean 1)', values: (r) => normal(r, N, 2, 1), mean: 1, variance: 4 },
  { name: 'uniform(limit 0.3)', values: (r) => uniform(r, N, 0.3), mean: 0, variance: 0.09 / 3, limit: 0.3 },
  // Glorot: variance 2 / (fanIn + fanOut) = 2/400.
  { name: 'Glorot normal', values: (r) => glorotNormal(r, N, FANS), mean: 0, variance: 2 / 400 },
  { name: 'Glorot uniform', values: (r) => glorotUniform(r, N, FANS), mean: 0, variance: 2 / 400, limit: Math.sqrt(6 / 400) },
  // He: variance 2 / fanIn = 2/300.
  { name: 'He normal', values: (r) => heNormal(r, N, FANS), mean: 0, variance: 2 / 300 },
  { name: 'He uniform', values: (r) => heUniform(r, N, FANS), mean: 0, variance: 2 / 300, limit: Math.sqrt(6 / 300) },
  // LeCun: variance 1 / fanIn = 1/300.
  { name: 'LeCun normal', values: (r) => lecunNormal(r, N, FANS), mean: 0, variance: 1 / 300 },
  { name: 'LeCun uniform', values: (r) => lecunUniform(r, N, FANS), mean: 0, variance: 1 / 300, limit: Math.sqrt(3 / 300) },
];

describe('initializers: moments on 10⁶ values', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const values = c.values(new Random(2024));
      expect(values).toBeInstanceOf(Float32Array);
      expect(values.length).toBe(N);
      const m = moments(values);
      // The mean's standard error is √(variance / N); allow 5 of them.
      expect(Math.abs(m.mean - c.mean)).toBeLessThan(5 * Math.sqrt(c.variance / N));
      expect(Math.abs(m.variance / c.variance - 1)).toBeLessThan(0.02);
      if (c.limit !== undefined) {
        // Rounding to float32 is monotonic, so values stay within the float32 limit.
        expect(m.min).toBeGreaterThanOrEqual(-Math.fround(c.limit));
        expect(m.max).toBeLessThanOrEqual(Math.fround(c.limit));
        // And the range is used: the extremes come close to the limits.
        expect(m.max).toBeGreaterThan(0.99 * c.limit);
      }
    });
  }

  it('constant fills every element', () => {
    expect(Array.from(constant(4, 0.25))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('initializers: determinism', () => {
  const specs: readonly InitializerSpec[] = [
    { kind: 'normal', std: 1 },
    { kind: 'uniform', limit: 1 },
    { kind: 'glorotNormal' },
    { kind: 'glorotUniform' },
    { kind: 'heNormal' },
    { kind: 'heUniform' },
    { kind: 'lecunNormal' },
    { kind: 'lecunUniform' },
  ];
  for (const spec of specs) {
    it(`${spec.kind}: the same seed gives identical values, another seed different ones`, () => {
      const a = initialValues(spec, new Random(5), 1000, FANS);
      const b = initialValues(spec, new Random(5), 1000, FANS);
      const c = initialValues(spec, new Random(6), 1000, FANS);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(a)).not.toEqual(Array.from(c));
    });
  }

  it('initialValues dispatches to the named initializer', () => {
    expect(Array.from(initialValues({ kind: 'heNormal' }, new Random(3), 10, FANS))).toEqual(Array.from(heNormal(new Random(3), 10, FANS)));
    expect(Array.from(initialValues({ kind: 'constant', value: 1 }, new Random(3), 3, FANS))).toEqual([1, 1, 1]);
  });
});
