import { describe, expect, it } from 'vitest';
import { mnistFromDrawing, niceTicks, probabilities, smooth, yRange } from './chartMath';

describe('chart math', () => {
  it('smooths with a debiased moving average; weight 0 keeps the points', () => {
    const points = [{ x: 0, y: 1 }, { x: 1, y: 0 }, { x: 2, y: Number.NaN }, { x: 3, y: 1 }];
    expect(smooth(points, 0)).toEqual([points[0], points[1], points[3]]);
    const s = smooth(points, 0.5);
    expect(s[0]!.y).toBeCloseTo(1);
    expect(s[1]!.y).toBeCloseTo(0.25 / 0.75);
    expect(s).toHaveLength(3);
  });

  it('picks round ticks and padded ranges, ignoring non-positive values on a log scale', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 47, 4)).toEqual([20, 40]);
    expect(yRange([0, 10, 100], true)).toEqual([1 - 0.05, 2 + 0.05]);
    expect(yRange([], false)).toBeNull();
  });

  it('turns logits into probabilities and leaves probabilities alone', () => {
    expect(probabilities([0.25, 0.75])).toEqual([0.25, 0.75]);
    const p = probabilities([0, Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25);
    expect(p[1]).toBeCloseTo(0.75);
  });

  it('prepares a drawing like MNIST: fits 20×20 and centres the ink in 28×28', () => {
    const size = 100;
    const ink = new Float32Array(size * size);
    // A vertical bar in the top-left corner of the pad.
    for (let y = 5; y < 45; y++) for (let x = 5; x < 15; x++) ink[y * size + x] = 1;
    const out = mnistFromDrawing(ink, size);
    let mass = 0;
    let cx = 0;
    let cy = 0;
    let rows = 0;
    for (let y = 0; y < 28; y++) {
      let any = false;
      for (let x = 0; x < 28; x++) {
        const v = out[y * 28 + x]!;
        mass += v;
        cx += v * x;
        cy += v * y;
        if (v > 0) any = true;
      }
      if (any) rows++;
    }
    expect(rows).toBe(20);
    expect(cx / mass).toBeGreaterThan(12.5);
    expect(cx / mass).toBeLessThan(14.5);
    expect(cy / mass).toBeGreaterThan(12.5);
    expect(cy / mass).toBeLessThan(14.5);
    expect(mnistFromDrawing(new Float32Array(size * size), size).every((v) => v === 0)).toBe(true);
  });
});
