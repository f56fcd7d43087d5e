// Training throughput on the MLP workload of issues #3 and #10: 784-256-128-10, ReLU, softmax
// cross-entropy, Adam (lr 1e-3), batch 128, float32 — Netwright's wasm backend (1 and 2
// threads) next to TensorFlow.js's wasm backend, measured in the same run, with the ratio.

import { Random } from '../engine/core/random.js';
import { fromValues } from '../engine/core/tensor.js';
import { createWasmBackend } from '../engine/backends/wasm/index.js';
import { completeDocument } from '../engine/protocol/document.js';
import { buildModel } from '../engine/train/model.js';
import { createOptimizer } from '../engine/train/optimizers.js';
import { trainStep } from '../engine/train/step.js';
import { summarise, type BenchResult, type Benchmark } from './harness.js';
import { tfjsMlpStepMs } from './tfjs.js';
import { MLP_SIZES, mlpDocument } from './workloads.js';

const SIZES = MLP_SIZES;
const BATCH = 128;
const STEPS_PER_RUN = 20;
const RUNS = 7;
const WARMUP = 100; // V8 keeps optimising for a few hundred steps; measure closer to steady state
const WORKLOAD = 'MLP 784-256-128-10 train, batch 128';

/** Milliseconds per step, one mean per run of STEPS_PER_RUN steps. */
async function netwrightStepMs(threads: number): Promise<number[]> {
  const backend = await createWasmBackend({ threads });
  try {
    const model = buildModel(completeDocument(mlpDocument(SIZES)), { backend, seed: 1 });
    const optimizer = createOptimizer({ type: 'adam', lr: 1e-3 }, model.parameters().map((p) => p.tensor));
    const random = new Random(2);
    const x = fromValues(backend, [BATCH, SIZES[0]], Float32Array.from({ length: BATCH * SIZES[0] }, () => random.normal()), 'float32', 'persistent');
    const y = fromValues(backend, [BATCH], Int32Array.from({ length: BATCH }, () => random.int(SIZES[3])), 'int32', 'persistent');
    let step = 0;
    for (; step < WARMUP; step++) trainStep(model, optimizer, x, y, step);
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const start = performance.now();
      for (let i = 0; i < STEPS_PER_RUN; i++) trainStep(model, optimizer, x, y, step++);
      times.push((performance.now() - start) / STEPS_PER_RUN);
    }
    return times;
  } finally {
    backend.dispose();
  }
}

const samplesPerSecond = (ms: number) => (BATCH * 1000) / ms;

export const mlpBenchmark: Benchmark = {
  name: 'MLP training (wasm vs tfjs-wasm)',
  async run() {
    const rows: BenchResult[] = [];
    const row = (times: number[], workload: string, impl: string) =>
      summarise(times.map(samplesPerSecond), { workload, impl, metric: 'throughput', unit: 'samples/s' });
    // tfjs-backend-wasm runs single-threaded in Node (no SharedArrayBuffer workers there).
    const tfjs = row(await tfjsMlpStepMs(SIZES, BATCH, STEPS_PER_RUN, RUNS, WARMUP), WORKLOAD, 'tfjs-wasm');
    rows.push(tfjs);
    for (const threads of [1, 2]) {
      const workload = `${WORKLOAD}, ${threads} thread${threads > 1 ? 's' : ''}`;
      const ours = row(await netwrightStepMs(threads), workload, 'netwright-wasm');
      rows.push(ours, {
        workload,
        impl: 'netwright-wasm / tfjs-wasm',
        metric: 'ratio',
        unit: 'x',
        median: ours.median / tfjs.median,
        min: ours.min / tfjs.max,
        max: ours.max / tfjs.min,
        runs: ours.runs,
      });
    }
    return rows;
  },
};
