// Training throughput on the MLP workload of issues #3 and #10: 784-256-128-10, ReLU, softmax
// cross-entropy, Adam (lr 1e-3), batch 128, float32 — Netwright's wasm backend (1 and 2
// threads) next to PyTorch with the same thread count (interleaved rounds) and TensorFlow.js's
// wasm backend, measured in the same run, with the ratios.

import { ratioRow, summarise, threadLabel, type BenchResult, type Benchmark } from './harness.js';
import { tfjsMlpStepMs } from './tfjs.js';
import { netwrightSession, samplesPerSecond, versusPytorch } from './training.js';
import { BATCH, MLP_SIZES, mlpDocument } from './workloads.js';

const RUNS = { stepsPerRun: 20, runs: 8, warmup: 100 } as const;
/** Alternating rounds of Netwright and PyTorch runs (RUNS.runs / ROUNDS runs each). */
const ROUNDS = 4;
const WORKLOAD = 'MLP 784-256-128-10 train, batch 128';

export const mlpBenchmark: Benchmark = {
  name: 'MLP training (wasm vs pytorch and tfjs-wasm)',
  async run() {
    const rows: BenchResult[] = [];
    // tfjs-backend-wasm runs single-threaded in Node (no SharedArrayBuffer workers there).
    const tfjsMs = await tfjsMlpStepMs(MLP_SIZES, BATCH, RUNS.stepsPerRun, RUNS.runs, RUNS.warmup);
    const tfjs = summarise(tfjsMs.map(samplesPerSecond), { workload: WORKLOAD, impl: 'tfjs-wasm', metric: 'throughput', unit: 'samples/s' });
    rows.push(tfjs);
    for (const threads of [1, 2]) {
      const workload = `${WORKLOAD}, ${threadLabel(threads)}`;
      const session = await netwrightSession(mlpDocument(), [MLP_SIZES[0]], MLP_SIZES[3], threads, RUNS.warmup);
      try {
        const { ours, torch } = await versusPytorch(workload, 'mlp', session, threads, RUNS, ROUNDS);
        rows.push(ours, ratioRow(ours, tfjs));
        if (torch) rows.push(torch, ratioRow(ours, torch));
      } finally {
        session.dispose();
      }
    }
    return rows;
  },
};
