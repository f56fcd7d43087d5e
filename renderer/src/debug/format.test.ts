import { describe, expect, it } from 'vitest';
import { formatNumber, formatValues, histogramOf, statsOf } from './format';

describe('debugger number formatting', () => {
  it('writes 3 significant digits, exponents for tiny and huge values, and a true minus sign', () => {
    expect(formatNumber(0.123456)).toBe('0.123');
    expect(formatNumber(-0.5)).toBe('−0.5');
    expect(formatNumber(0.000123456)).toBe('1.23e-4');
    expect(formatNumber(123456)).toBe('1.23e5');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });

  it('lists a few values and counts the rest', () => {
    expect(formatValues([1, 2, 3])).toBe('1, 2, 3');
    expect(formatValues([1, 2, 3, 4], 2)).toBe('1, 2, … (+2)');
  });

  it('summarises and bins values', () => {
    expect(statsOf([1, 2, 3, 4])).toEqual({ min: 1, max: 4, mean: 2.5, std: Math.sqrt(1.25) });
    expect(histogramOf([0, 0, 1, 2], 2).counts).toEqual([2, 2]);
    expect(histogramOf([5, 5], 4).counts).toEqual([2, 0, 0, 0]);
  });
});
