// Learning-rate schedules against values worked out by hand.

import { describe, expect, it } from 'vitest';
import { checkSchedule, learningRate } from './schedules.js';

describe('learning-rate schedules', () => {
  it('constant keeps η₀', () => {
    for (const e of [0, 1, 50]) expect(learningRate({ type: 'constant' }, 0.1, e, 100)).toBe(0.1);
  });

  it('step multiplies by γ every stepSize epochs', () => {
    const s = { type: 'step', stepSize: 3, gamma: 0.5 } as const;
    // epochs 0–2: 0.1, 3–5: 0.05, 6–8: 0.025
    expect([0, 2, 3, 5, 6, 9].map((e) => learningRate(s, 0.1, e, 10))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
    // defaults: stepSize 10, γ 0.1
    expect(learningRate({ type: 'step' }, 1, 9, 30)).toBe(1);
    expect(learningRate({ type: 'step' }, 1, 10, 30)).toBeCloseTo(0.1, 15);
    expect(learningRate({ type: 'step' }, 1, 25, 30)).toBeCloseTo(0.01, 15);
  });

  it('exponential multiplies by γ every epoch', () => {
    const s = { type: 'exponential', gamma: 0.9 } as const;
    expect(learningRate(s, 0.1, 0, 10)).toBe(0.1);
    expect(learningRate(s, 0.1, 1, 10)).toBeCloseTo(0.09, 15);
    expect(learningRate(s, 0.1, 3, 10)).toBeCloseTo(0.0729, 15);
    expect(learningRate({ type: 'exponential' }, 1, 2, 10)).toBeCloseTo(0.9025, 15); // γ 0.95
  });

  it('cosine anneals from η₀ towards η_min over the run (T = epochs, as PyTorch)', () => {
    const s = { type: 'cosine', minLr: 0.01 } as const;
    // 4 epochs: T = 4, e = 0..3 → η_min + (η₀ − η_min)(1 + cos(πe/4))/2; the last epoch is above η_min
    const expected = [0.1, 0.01 + 0.09 * (1 + Math.SQRT1_2) / 2, 0.055, 0.01 + 0.09 * (1 - Math.SQRT1_2) / 2];
    const got = [0, 1, 2, 3].map((e) => learningRate(s, 0.1, e, 4));
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 15));
    // stepSize sets the period; past it the rate stays at η_min
    expect(learningRate({ type: 'cosine', stepSize: 2 }, 1, 1, 10)).toBeCloseTo(0.5, 15);
    expect(learningRate({ type: 'cosine', stepSize: 2 }, 1, 7, 10)).toBeCloseTo(0, 15);
    // a one-epoch run trains at η₀
    expect(learningRate({ type: 'cosine' }, 0.3, 0, 1)).toBe(0.3);
  });

  it('refuses fields out of range, in both languages', () => {
    expect(checkSchedule({ type: 'step', stepSize: 0 })?.en).toMatch(/stepSize/);
    expect(checkSchedule({ type: 'exponential', gamma: 1.5 })?.ja).toMatch(/gamma/);
    expect(checkSchedule({ type: 'cosine', minLr: -1 })).not.toBeNull();
    expect(checkSchedule({ type: 'cosine', minLr: 0, stepSize: 3 })).toBeNull();
  });
});
