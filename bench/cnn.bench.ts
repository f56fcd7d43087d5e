// Training throughput on the CNN workload of issue #10 (bench/workloads.ts cnnDocument):
// conv3x3 1→16 same, ReLU, maxpool 2; conv3x3 16→32 same, ReLU, maxpool 2; dense 1568→10;
// softmax cross-entropy, Adam lr 1e-3, batch 128 — Netwright's wasm backend next to PyTorch
// with the same thread count, in interleaved rounds of the same run, with the ratio.

import { threadLabel, type BenchResult, type Benchmark } from './harness.js';
import { mnistBatch, writeBatchFile } from './mnistBatch.js';
import { netwrightSession, versusPytorch, type Batch } from './training.js';
import { CNN_CLASSES, CNN_INPUT, cnnDocument } from './workloads.js';

const RUNS = { stepsPerRun: 5, runs: 8, warmup: 10 } as const;
const ROUNDS = 8;
const WORKLOAD = 'CNN 2×(conv-ReLU-pool) 16/32, train, batch 128';

export const cnnBenchmark: Benchmark = {
  name: 'CNN training (wasm vs pytorch)',
  async run() {
    // Said, not measured: tfjs-backend-wasm 4.x has Conv2D and Conv2DBackpropInput but no
    // Conv2DBackpropFilter kernel, so it cannot train a convolution's weights.
    console.log('  tfjs-wasm: not measured — tfjs-backend-wasm has no Conv2DBackpropFilter kernel, so it cannot train this CNN');
    const rows: BenchResult[] = [];
    const options = { peer: 'cnn' as const, stepsPerRun: RUNS.stepsPerRun, runs: RUNS.runs, rounds: ROUNDS };
    const compare = async (threads: number, workload: string, batch?: Batch, dataFile?: string): Promise<void> => {
      const session = await netwrightSession(cnnDocument(), CNN_INPUT, CNN_CLASSES, threads, RUNS.warmup, batch);
      try {
        rows.push(...(await versusPytorch(session, { ...options, threads, workload, ...(dataFile === undefined ? {} : { dataFile }) })).rows);
      } finally {
        session.dispose();
      }
    };
    for (const threads of [1, 2]) await compare(threads, `${WORKLOAD}, ${threadLabel(threads)}`);
    // The same network on a real batch of MNIST digits; PyTorch trains on the same bytes.
    const batch = await mnistBatch();
    const file = writeBatchFile(batch);
    try {
      for (const threads of [1, 2]) await compare(threads, `${WORKLOAD}, MNIST batch, ${threadLabel(threads)}`, batch, file.path);
    } finally {
      file.remove();
    }
    return rows;
  },
};
