// Training throughput on the CNN workload of issue #10 (bench/workloads.ts cnnDocument):
// conv3x3 1→16 same, ReLU, maxpool 2; conv3x3 16→32 same, ReLU, maxpool 2; dense 1568→10;
// softmax cross-entropy, Adam lr 1e-3, batch 128 — Netwright's wasm backend next to PyTorch
// with the same thread count, in interleaved rounds of the same run, with the ratio.

import { ratioRow, threadLabel, type BenchResult, type Benchmark } from './harness.js';
import { pytorchSamplesPerSecond } from './peers.js';
import { interleaved, netwrightSession, noteScatter, samplesPerSecond, throughputRow } from './training.js';
import { CNN_CLASSES, CNN_INPUT, cnnDocument } from './workloads.js';

const RUNS = { stepsPerRun: 5, runs: 8, warmup: 10 } as const;
const ROUNDS = 4;
const WORKLOAD = 'CNN 2×(conv-ReLU-pool) 16/32, train, batch 128';

export const cnnBenchmark: Benchmark = {
  name: 'CNN training (wasm vs pytorch)',
  async run() {
    // Said, not measured: tfjs-backend-wasm 4.x has Conv2D and Conv2DBackpropInput but no
    // Conv2DBackpropFilter kernel, so it cannot train a convolution's weights.
    console.log('  tfjs-wasm: not measured — tfjs-backend-wasm has no Conv2DBackpropFilter kernel, so it cannot train this CNN');
    const rows: BenchResult[] = [];
    for (const threads of [1, 2]) {
      const workload = `${WORKLOAD}, ${threadLabel(threads)}`;
      const session = await netwrightSession(cnnDocument(), CNN_INPUT, CNN_CLASSES, threads, RUNS.warmup);
      try {
        const runs = await interleaved(
          {
            pytorch: (n) => pytorchSamplesPerSecond(threads, 'cnn', n),
            ours: async (n) => session.measure(n, RUNS.stepsPerRun).map(samplesPerSecond),
          },
          RUNS.runs,
          ROUNDS,
        );
        const ours = throughputRow(runs.ours!, workload, 'netwright-wasm');
        rows.push(ours);
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
    return rows;
  },
};
