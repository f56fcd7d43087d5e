// The bench's summaries: medians, and ratios taken round by round.

import { describe, expect, it } from 'vitest';
import { median, pairedRatioRow, summarise, type BenchResult } from './harness.js';

const row = (samples: number[], impl: string): BenchResult => summarise(samples, { workload: 'w', impl, metric: 'throughput', unit: 'samples/s' });

describe('bench summaries', () => {
  it('median: the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('summarise: median, min, max and the count of runs', () => {
    expect(row([5, 1, 9, 3], 'x')).toMatchObject({ median: 4, min: 1, max: 9, runs: 4 });
  });

  it('pairedRatioRow: the median of the rounds’ ratios, not the ratio of the overall medians', () => {
    // A slow spell in round 2 halves both sides: per round the ratio stays 2, while the ratio of
    // the overall medians would be 20 / 7.5 = 2.67.
    const ours = [[20, 20], [10], [20]];
    const theirs = [[10], [5, 5], [10]];
    const r = pairedRatioRow(row(ours.flat(), 'ours'), row(theirs.flat(), 'peer'), ours, theirs);
    expect(r).toMatchObject({ impl: 'ours / peer', metric: 'ratio', unit: 'x', median: 2, min: 2, max: 2, runs: 3 });
    // Uneven rounds: ratios 11/5, 20/10 and 9/6 → median 2.
    const o2 = [[10, 12], [20], [9]];
    const t2 = [[5], [10, 10], [6]];
    expect(pairedRatioRow(row(o2.flat(), 'a'), row(t2.flat(), 'b'), o2, t2)).toMatchObject({ median: 2, min: 1.5, max: 2.2, runs: 3 });
  });

  it('pairedRatioRow skips rounds one side missed, and falls back to the medians when none pair', () => {
    const r = pairedRatioRow(row([8, 30], 'a'), row([4], 'b'), [[8], [30]], [[4], []]);
    expect(r).toMatchObject({ median: 2, runs: 1 });
    const none = pairedRatioRow(row([8], 'a'), row([4], 'b'), [[8]], [[]]);
    expect(none).toMatchObject({ median: 2, min: 2, max: 2 });
  });
});
