// Training throughput on the MLP workload of issues #3 and #10: 784-256-128-10, ReLU, softmax
// cross-entropy, Adam (lr 1e-3), batch 128, float32 — Netwright's wasm backend (1 and 2
// threads) next to PyTorch with the same thread count and TensorFlow.js's wasm backend, in
// interleaved rounds of the same run, with the ratios.

import { pairedRatioRow, threadLabel, type BenchResult, type Benchmark } from './harness.js';
import { mnistBatch, writeBatchFile } from './mnistBatch.js';
import { tfjsMlpSession } from './tfjs.js';
import { netwrightSession, samplesPerSecond, throughputRow, versusPytorch } from './training.js';
import { BATCH, MLP_SIZES, mlpDocument } from './workloads.js';

const RUNS = { stepsPerRun: 20, runs: 8, warmup: 100 } as const;
/** Alternating rounds of tfjs, PyTorch and Netwright runs (RUNS.runs / ROUNDS runs each). */
const ROUNDS = 8;
const WORKLOAD = 'MLP 784-256-128-10 train, batch 128';

export const mlpBenchmark: Benchmark = {
  name: 'MLP training (wasm vs pytorch and tfjs-wasm)',
  async run() {
    const rows: BenchResult[] = [];
    const options = { peer: 'mlp' as const, stepsPerRun: RUNS.stepsPerRun, runs: RUNS.runs, rounds: ROUNDS };
    // tfjs-backend-wasm runs single-threaded in Node (no SharedArrayBuffer workers there); it
    // is measured alongside each thread count, and its row holds all of its runs.
    const tfjs = await tfjsMlpSession(MLP_SIZES, BATCH, RUNS.warmup);
    const tfjsRuns: number[] = [];
    try {
      for (const threads of [1, 2]) {
        const workload = `${WORKLOAD}, ${threadLabel(threads)}`;
        const session = await netwrightSession(mlpDocument(), [MLP_SIZES[0]], MLP_SIZES[3], threads, RUNS.warmup);
        try {
          const tfjsMeasure = async (n: number) => (await tfjs.measure(n, RUNS.stepsPerRun)).map(samplesPerSecond);
          const result = await versusPytorch(session, { ...options, threads, workload }, { tfjs: tfjsMeasure });
          const tfjsHere = result.others['tfjs']!;
          const tfjsRow = throughputRow(tfjsHere.flat(), WORKLOAD, 'tfjs-wasm');
          rows.push(result.ours, pairedRatioRow(result.ours, tfjsRow, result.oursRounds, tfjsHere), ...result.rows.slice(1));
          tfjsRuns.push(...tfjsHere.flat());
        } finally {
          session.dispose();
        }
      }
    } finally {
      tfjs.dispose();
    }
    // The same networks on a real batch: MNIST digits, mostly zero pixels, which the first
    // layer's product skips (spmm); PyTorch trains on the same bytes.
    const batch = await mnistBatch();
    const file = writeBatchFile(batch);
    try {
      for (const threads of [1, 2]) {
        const session = await netwrightSession(mlpDocument(), [MLP_SIZES[0]], MLP_SIZES[3], threads, RUNS.warmup, batch);
        try {
          const result = await versusPytorch(session, { ...options, threads, workload: `${WORKLOAD}, MNIST batch, ${threadLabel(threads)}`, dataFile: file.path });
          rows.push(...result.rows);
        } finally {
          session.dispose();
        }
      }
    } finally {
      file.remove();
    }
    return [throughputRow(tfjsRuns, WORKLOAD, 'tfjs-wasm'), ...rows];
  },
};
