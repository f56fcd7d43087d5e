// A/B benchmarks of the engine against itself on one thread: the MLP and CNN training steps of
// bench/workloads.ts, on a random batch and on a real MNIST batch, alternating run by run in
// one process so that a slow spell of the machine falls on both sides.
//
// - Sparse kernels and fusion: with them ('netwright-wasm') and without ('netwright-wasm-dense':
//   the packed GEMM, Winograd and direct convolutions, ReLU then MaxPool).
// - Fused multiply-add: the kernel build this runtime runs by default ('netwright-wasm': fma where
//   relaxed SIMD is supported) against the baseline SIMD128 build ('netwright-wasm-baseline').

import { interleaved, pairedRatioRow, type BenchResult, type Benchmark } from './harness.js';
import { mnistBatch } from './mnistBatch.js';
import { netwrightSession, samplesPerSecond, throughputRow, type Batch, type SessionVariant } from './training.js';
import { CNN_CLASSES, CNN_INPUT, cnnDocument, MLP_SIZES, mlpDocument } from './workloads.js';

const ROUNDS = 10;

/** Our default session against `variant`, both on one thread, on every workload and batch. */
async function versusVariant(variant: Exclude<SessionVariant, 'default'>): Promise<BenchResult[]> {
  const rows: BenchResult[] = [];
  const mnist = await mnistBatch();
  const workloads = [
    { name: 'MLP 784-256-128-10', doc: mlpDocument, shape: [MLP_SIZES[0]], classes: MLP_SIZES[3], steps: 20, warmup: 50 },
    { name: 'CNN 2×(conv-ReLU-pool) 16/32', doc: cnnDocument, shape: [...CNN_INPUT], classes: CNN_CLASSES, steps: 5, warmup: 10 },
  ];
  for (const w of workloads) {
    for (const [data, batch] of [['random batch', undefined], ['MNIST batch', mnist]] as [string, Batch | undefined][]) {
      const workload = `${w.name} train, ${data}, 1 thread`;
      const ours = await netwrightSession(w.doc(), w.shape, w.classes, 1, w.warmup, batch);
      const other = await netwrightSession(w.doc(), w.shape, w.classes, 1, w.warmup, batch, variant);
      try {
        const runs = await interleaved(
          {
            ours: async (n) => ours.measure(n, w.steps).map(samplesPerSecond),
            other: async (n) => other.measure(n, w.steps).map(samplesPerSecond),
          },
          ROUNDS,
          ROUNDS,
        );
        const a = throughputRow(runs.ours!.flat(), workload, 'netwright-wasm');
        const b = throughputRow(runs.other!.flat(), workload, `netwright-wasm-${variant}`);
        rows.push(a, b, pairedRatioRow(a, b, runs.ours!, runs.other!));
      } finally {
        ours.dispose();
        other.dispose();
      }
    }
  }
  return rows;
}

export const sparseBenchmark: Benchmark = {
  name: 'Sparse kernels and fusion (on vs off)',
  run: () => versusVariant('dense'),
};

export const fmaBenchmark: Benchmark = {
  name: 'Fused multiply-add (kernel builds)',
  run: () => versusVariant('baseline'),
};
