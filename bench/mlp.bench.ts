// Training throughput on the MLP workload of issues #3 and #10: 784-256-128-10, ReLU, softmax
// cross-entropy, Adam (lr 1e-3), batch 128, float32 — Netwright's wasm backend (1 and 2
// threads) next to PyTorch with the same thread count and TensorFlow.js's wasm backend,
// measured in the same run, with the ratios.

import { ratioRow, summarise, threadLabel, type BenchResult, type Benchmark } from './harness.js';
import { pytorchSamplesPerSecond } from './peers.js';
import { tfjsMlpStepMs } from './tfjs.js';
import { netwrightStepMs, samplesPerSecond } from './training.js';
import { BATCH, MLP_SIZES, mlpDocument } from './workloads.js';

const RUNS = { stepsPerRun: 20, runs: 7, warmup: 100 } as const;
const WORKLOAD = 'MLP 784-256-128-10 train, batch 128';

const throughput = (values: number[], workload: string, impl: string): BenchResult =>
  summarise(values, { workload, impl, metric: 'throughput', unit: 'samples/s' });

export const mlpBenchmark: Benchmark = {
  name: 'MLP training (wasm vs pytorch and tfjs-wasm)',
  async run() {
    const rows: BenchResult[] = [];
    // tfjs-backend-wasm runs single-threaded in Node (no SharedArrayBuffer workers there).
    const tfjsMs = await tfjsMlpStepMs(MLP_SIZES, BATCH, RUNS.stepsPerRun, RUNS.runs, RUNS.warmup);
    const tfjs = throughput(tfjsMs.map(samplesPerSecond), WORKLOAD, 'tfjs-wasm');
    rows.push(tfjs);
    for (const threads of [1, 2]) {
      const workload = `${WORKLOAD}, ${threadLabel(threads)}`;
      const torchValues = await pytorchSamplesPerSecond(threads, 'mlp');
      const ours = throughput((await netwrightStepMs(mlpDocument(), [MLP_SIZES[0]], MLP_SIZES[3], threads, RUNS)).map(samplesPerSecond), workload, 'netwright-wasm');
      rows.push(ours, ratioRow(ours, tfjs));
      if (torchValues) {
        const torch = throughput(torchValues, workload, 'pytorch');
        rows.push(torch, ratioRow(ours, torch));
      }
    }
    return rows;
  },
};
