import { describe, expect, it } from 'vitest';
import { histogram } from './histograms.js';

describe('histogram', () => {
  it('bins the finite values, counts the others apart, and gives mean and L2 norm', () => {
    const h = histogram([3, -4, 0, Number.NaN, Number.POSITIVE_INFINITY, 1], 4);
    expect(h.count).toBe(4);
    expect(h.nonFinite).toBe(2);
    expect(h.min).toBe(-4);
    expect(h.max).toBe(3);
    expect(h.mean).toBe(0);
    expect(h.norm).toBeCloseTo(Math.sqrt(9 + 16 + 0 + 1), 12);
    expect([...h.counts]).toEqual([1, 0, 2, 1]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(h.count);
  });

  it('puts equal values in one bin and gives an empty histogram zeros', () => {
    const same = histogram([0.5, 0.5, 0.5], 3);
    expect([...same.counts]).toEqual([3, 0, 0]);
    expect(same.norm).toBeCloseTo(Math.sqrt(0.75), 12);
    const none = histogram([Number.NaN], 3);
    expect(none).toMatchObject({ count: 0, nonFinite: 1, norm: 0 });
  });
});
