// Histograms of weights and gradients for the live panels: equal-width bins over [min, max] of
// the finite values, with NaN and ±Infinity counted apart (a diverging run shows them first).
// Computed in the engine so only `bins` counts cross the channel, not every weight.

export interface Histogram {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** L2 norm of the finite values: √Σx² (the gradient norm panel's bar). */
  readonly norm: number;
  /** Finite values counted. */
  readonly count: number;
  readonly nonFinite: number;
  readonly counts: Uint32Array<ArrayBuffer>;
}

export function histogram(values: ArrayLike<number>, bins: number): Histogram {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) continue;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    sumSquares += x * x;
    count++;
  }
  const counts = new Uint32Array(bins);
  if (count === 0) return { min: 0, max: 0, mean: 0, norm: 0, count: 0, nonFinite: values.length, counts };
  // All values equal (a bias at its initial zeros): one bin holds them, the range is that value.
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) continue;
    const bin = width > 0 ? Math.min(bins - 1, Math.floor((x - min) / width)) : 0;
    counts[bin]!++;
  }
  return { min, max, mean: sum / count, norm: Math.sqrt(sumSquares), count, nonFinite: values.length - count, counts };
}
