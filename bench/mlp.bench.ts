// Training throughput on the MLP workload of issues #3 and #10: 784-256-128-10, ReLU, softmax
// cross-entropy, Adam (lr 1e-3), batch 128, float32 — Netwright's wasm backend (1 and 2
// threads) next to PyTorch with the same thread count and TensorFlow.js's wasm backend, in
// interleaved rounds of the same run, with the ratios.

import { ratioRow, threadLabel, type BenchResult, type Benchmark } from './harness.js';
import { pytorchSamplesPerSecond } from './peers.js';
import { tfjsMlpSession } from './tfjs.js';
import { interleaved, netwrightSession, noteScatter, samplesPerSecond, throughputRow } from './training.js';
import { BATCH, MLP_SIZES, mlpDocument } from './workloads.js';

const RUNS = { stepsPerRun: 20, runs: 8, warmup: 100 } as const;
/** Alternating rounds of tfjs, PyTorch and Netwright runs (RUNS.runs / ROUNDS runs each). */
const ROUNDS = 4;
const WORKLOAD = 'MLP 784-256-128-10 train, batch 128';

export const mlpBenchmark: Benchmark = {
  name: 'MLP training (wasm vs pytorch and tfjs-wasm)',
  async run() {
    const rows: BenchResult[] = [];
    // tfjs-backend-wasm runs single-threaded in Node (no SharedArrayBuffer workers there); it
    // is measured alongside each thread count, and its row holds all of its runs.
    const tfjs = await tfjsMlpSession(MLP_SIZES, BATCH, RUNS.warmup);
    const tfjsRuns: number[] = [];
    try {
      for (const threads of [1, 2]) {
        const workload = `${WORKLOAD}, ${threadLabel(threads)}`;
        const session = await netwrightSession(mlpDocument(), [MLP_SIZES[0]], MLP_SIZES[3], threads, RUNS.warmup);
        try {
          const runs = await interleaved(
            {
              tfjs: async (n) => (await tfjs.measure(n, RUNS.stepsPerRun)).map(samplesPerSecond),
              pytorch: (n) => pytorchSamplesPerSecond(threads, 'mlp', n),
              ours: async (n) => session.measure(n, RUNS.stepsPerRun).map(samplesPerSecond),
            },
            RUNS.runs,
            ROUNDS,
          );
          const ours = throughputRow(runs.ours!, workload, 'netwright-wasm');
          rows.push(ours, ratioRow(ours, throughputRow(runs.tfjs!, WORKLOAD, 'tfjs-wasm')));
          tfjsRuns.push(...runs.tfjs!);
          if (runs.pytorch) {
            const torch = throughputRow(runs.pytorch, workload, 'pytorch');
            rows.push(torch, ratioRow(ours, torch));
            noteScatter(ours);
            noteScatter(torch);
          }
        } finally {
          session.dispose();
        }
      }
    } finally {
      tfjs.dispose();
    }
    return [throughputRow(tfjsRuns, WORKLOAD, 'tfjs-wasm'), ...rows];
  },
};
