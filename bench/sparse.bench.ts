// What the sparse kernels and the ReLU → MaxPool fusion buy on one thread: the MLP and CNN
// training steps of bench/workloads.ts with them ('netwright-wasm') and without
// ('netwright-wasm-dense': the packed GEMM, Winograd and direct convolutions, ReLU then
// MaxPool), on a random batch and on a real MNIST batch, alternating run by run in one
// process so that a slow spell of the machine falls on both.

import { ratioRow, type BenchResult, type Benchmark } from './harness.js';
import { mnistBatch } from './mnistBatch.js';
import { interleaved, netwrightSession, samplesPerSecond, throughputRow, type Batch } from './training.js';
import { CNN_CLASSES, CNN_INPUT, cnnDocument, MLP_SIZES, mlpDocument } from './workloads.js';

const ROUNDS = 10;

export const sparseBenchmark: Benchmark = {
  name: 'Sparse kernels and fusion (on vs off)',
  async run() {
    const rows: BenchResult[] = [];
    const mnist = await mnistBatch();
    const workloads = [
      { name: 'MLP 784-256-128-10', doc: mlpDocument, shape: [MLP_SIZES[0]], classes: MLP_SIZES[3], steps: 20, warmup: 50 },
      { name: 'CNN 2×(conv-ReLU-pool) 16/32', doc: cnnDocument, shape: [...CNN_INPUT], classes: CNN_CLASSES, steps: 5, warmup: 10 },
    ];
    for (const w of workloads) {
      for (const [data, batch] of [['random batch', undefined], ['MNIST batch', mnist]] as [string, Batch | undefined][]) {
        const workload = `${w.name} train, ${data}, 1 thread`;
        const on = await netwrightSession(w.doc(), w.shape, w.classes, 1, w.warmup, batch);
        const off = await netwrightSession(w.doc(), w.shape, w.classes, 1, w.warmup, batch, 'dense');
        try {
          const runs = await interleaved(
            {
              on: async (n) => on.measure(n, w.steps).map(samplesPerSecond),
              off: async (n) => off.measure(n, w.steps).map(samplesPerSecond),
            },
            ROUNDS,
            ROUNDS,
          );
          const ours = throughputRow(runs.on!, workload, 'netwright-wasm');
          const dense = throughputRow(runs.off!, workload, 'netwright-wasm-dense');
          rows.push(ours, dense, ratioRow(ours, dense));
        } finally {
          on.dispose();
          off.dispose();
        }
      }
    }
    return rows;
  },
};
