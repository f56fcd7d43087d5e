// Augmentation: reproducible from (seed, epoch, sample index) whatever the batch order,
// identities (flip twice, shift 0, rotate 0), zero fill, the measured noise level, and checks.

import { describe, expect, it } from 'vitest';
import { augmentBatch, rotateImage, type AugmentOp } from './augment.js';

const N = 6;
const C = 2;
const H = 8;
const W = 10;
const SHAPE = [N, C, H, W] as const;

function batch(): Float32Array {
  const x = new Float32Array(N * C * H * W);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 1000) / 1000;
  return x;
}
const indices = [10, 11, 12, 13, 14, 15];
const run = (ops: AugmentOp[], seed = 1, epoch = 0, x = batch(), idx: ArrayLike<number> = indices) => augmentBatch(x, SHAPE, ops, { seed, epoch, indices: idx });
const ALL: AugmentOp[] = [{ type: 'shift', pixels: 2 }, { type: 'flip' }, { type: 'crop', padding: 2 }, { type: 'rotate', degrees: 15 }, { type: 'noise', std: 0.1 }];

describe('augmentBatch', () => {
  it('is identical for the same seed, epoch and sample indices; differs across epochs and seeds', () => {
    expect(Array.from(run(ALL))).toEqual(Array.from(run(ALL)));
    expect(Array.from(run(ALL, 1, 1))).not.toEqual(Array.from(run(ALL, 1, 0)));
    expect(Array.from(run(ALL, 2, 0))).not.toEqual(Array.from(run(ALL, 1, 0)));
  });

  it('gives a sample the same transform wherever it sits in the batch', () => {
    const per = C * H * W;
    const base = batch();
    const a = run(ALL, 5, 3, Float32Array.from(base), indices);
    // Reverse the batch order (samples and their indices together).
    const reversed = new Float32Array(base.length);
    for (let n = 0; n < N; n++) reversed.set(base.subarray(n * per, (n + 1) * per), (N - 1 - n) * per);
    const b = run(ALL, 5, 3, reversed, [...indices].reverse());
    for (let n = 0; n < N; n++) expect(Array.from(b.subarray((N - 1 - n) * per, (N - n) * per))).toEqual(Array.from(a.subarray(n * per, (n + 1) * per)));
  });

  it('flip twice is the identity; flip once mirrors every row', () => {
    const x = batch();
    const once = run([{ type: 'flip', probability: 1 }], 1, 0, Float32Array.from(x));
    expect(once[0]).toBe(x[W - 1]);
    expect(once[W + 3]).toBe(x[2 * W - 4]);
    expect(Array.from(run([{ type: 'flip', probability: 1 }, { type: 'flip', probability: 1 }], 1, 0, Float32Array.from(x)))).toEqual(Array.from(x));
    expect(Array.from(run([{ type: 'flip', probability: 0 }], 1, 0, Float32Array.from(x)))).toEqual(Array.from(x));
  });

  it('shift 0, crop 0, rotate 0 and noise 0 are the identity', () => {
    const x = batch();
    for (const op of [{ type: 'shift', pixels: 0 }, { type: 'crop', padding: 0 }, { type: 'rotate', degrees: 0 }, { type: 'noise', std: 0 }] as AugmentOp[]) {
      expect(Array.from(run([op], 9, 0, Float32Array.from(x))), op.type).toEqual(Array.from(x));
    }
  });

  it('shifts move content and fill with zeros; the values are the input values', () => {
    const ones = new Float32Array(N * C * H * W).fill(1);
    const out = run([{ type: 'shift', pixels: 3 }], 4, 0, ones);
    let zeros = 0;
    for (const v of out) {
      expect(v === 0 || v === 1).toBe(true);
      if (v === 0) zeros++;
    }
    expect(zeros).toBeGreaterThan(0);
  });

  it('rotates counter-clockwise about the centre, exactly at 90°, keeping the inside of a constant image', () => {
    const x = new Float32Array(16);
    x[1] = 1; // row 0, column 1 of a 4×4 image
    rotateImage(x, 0, 1, 4, 4, Math.PI / 2);
    // Top edge → left edge: (row 0, column 1) lands on (row 2, column 0).
    expect(x[2 * 4 + 0]).toBeCloseTo(1, 6);
    expect(x.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const ones = new Float32Array(N * C * H * W).fill(1);
    run([{ type: 'rotate', degrees: 15 }], 2, 0, ones);
    for (let n = 0; n < N; n++) {
      const plane = n * C * H * W;
      expect(ones[plane + 4 * W + 5]).toBeCloseTo(1, 5); // centre: still 1
    }
    expect(ones.some((v) => v < 0.5)).toBe(true); // corners rotated in from outside: zero
  });

  it('adds gaussian noise of the requested standard deviation', () => {
    const n = 64;
    const x = new Float32Array(n * 3 * 32 * 32);
    augmentBatch(x, [n, 3, 32, 32], [{ type: 'noise', std: 0.2 }], { seed: 3, epoch: 1, indices: Array.from({ length: n }, (_, i) => i) });
    let sum = 0;
    let sq = 0;
    for (const v of x) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / x.length;
    const std = Math.sqrt(sq / x.length - mean * mean);
    console.log(`noise std 0.2 → measured mean ${mean.toFixed(4)}, std ${std.toFixed(4)} over ${x.length} values`);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(std).toBeGreaterThan(0.195);
    expect(std).toBeLessThan(0.205);
    const clipped = new Float32Array(1000).fill(0.5);
    augmentBatch(clipped, [1, 1, 10, 100], [{ type: 'noise', std: 5, clip: true }], { seed: 3, epoch: 1, indices: [0] });
    expect(clipped.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('refuses bad parameters and mismatched shapes', () => {
    expect(() => run([{ type: 'shift', pixels: 1.5 }])).toThrow('augmentation "shift": pixels must be a whole number ≥ 0, got 1.5');
    expect(() => run([{ type: 'rotate', degrees: 400 }])).toThrow(/degrees must be in \[0, 180\]/);
    expect(() => run([{ type: 'flip', probability: 2 }])).toThrow(/probability must be in \[0, 1\]/);
    expect(() => run([{ type: 'noise', std: -1 }])).toThrow(/std must be a number ≥ 0/);
    expect(() => run([{ type: 'blur' } as unknown as AugmentOp])).toThrow(/unknown augmentation "blur"/);
    expect(() => augmentBatch(new Float32Array(5), SHAPE, [], { seed: 0, epoch: 0, indices })).toThrow(/batch has 5 values/);
    expect(() => run([], 0, 0, batch(), [1, 2])).toThrow(/2 sample indices for a batch of 6/);
  });
});
