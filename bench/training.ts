// Training throughput of Netwright's wasm backend on a graph document: the path the app
// trains with (buildModel, the tape, the optimizer, trainStep) on one fixed batch (random, or
// real MNIST images: bench/mnistBatch.ts); and
// interleaved comparisons with peers (rounds of theirs, then ours), so that a burst of load on
// the machine falls on every side rather than on one.

import { Random } from '../engine/core/random.js';
import { fromValues } from '../engine/core/tensor.js';
import { createWasmBackend } from '../engine/backends/wasm/index.js';
import { completeDocument, type GraphDocumentInput } from '../engine/protocol/document.js';
import { buildModel } from '../engine/train/model.js';
import { createOptimizer } from '../engine/train/optimizers.js';
import { trainStep } from '../engine/train/step.js';
import { sparseConvOverride } from '../engine/backends/wasm/kernels/convSparse.js';
import { sparseGemmOverride } from '../engine/backends/wasm/kernels/MatMul.js';
import { interleaved, MIN_WARMUP_MS, pairedRatioRow, summarise, type BenchResult, type Measure } from './harness.js';
import { pytorchTraining } from './peers.js';
import { BATCH } from './workloads.js';

export interface TrainingSession {
  /** Milliseconds per step, one mean per run of `stepsPerRun` steps. */
  measure(runs: number, stepsPerRun: number): number[];
  dispose(): void;
}

/** One batch of samples (BATCH × the input shape, flat) and their class labels. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Int32Array;
}

/**
 * 'dense': without this engine's sparse kernels and ReLU → MaxPool fusion (the step before
 * them); 'baseline': the kernel module's SIMD128 build, without fused multiply-add.
 */
export type SessionVariant = 'default' | 'dense' | 'baseline';

/**
 * A model of `doc` on a wasm backend with `threads` threads, warmed up, ready to be timed; on
 * `batch`, or on one fixed random batch (normal inputs) when none is given.
 */
export async function netwrightSession(
  doc: GraphDocumentInput,
  inputShape: readonly number[],
  classes: number,
  threads: number,
  warmup: number,
  batch?: Batch,
  /** For A/B rows (bench/variants.bench.ts): see SessionVariant. */
  variant: SessionVariant = 'default',
): Promise<TrainingSession> {
  const backend = await createWasmBackend({ threads, ...(variant === 'baseline' ? { kernels: 'baseline' as const } : {}) });
  try {
    const model = buildModel(completeDocument(doc), { backend, seed: 1 });
    const optimizer = createOptimizer({ type: 'adam', lr: 1e-3 }, model.parameters().map((p) => p.tensor));
    const random = new Random(2);
    const size = inputShape.reduce((a, b) => a * b, 1);
    const xs = batch?.x ?? Float32Array.from({ length: BATCH * size }, () => random.normal());
    const ys = batch?.y ?? Int32Array.from({ length: BATCH }, () => random.int(classes));
    const x = fromValues(backend, [BATCH, ...inputShape], xs, 'float32', 'persistent');
    const y = fromValues(backend, [BATCH], ys, 'int32', 'persistent');
    let step = 0;
    const dense = variant === 'dense';
    const steps = (count: number): void => {
      sparseConvOverride.mode = sparseGemmOverride.mode = dense ? 'off' : 'auto';
      try {
        for (let i = 0; i < count; i++) trainStep(model, optimizer, x, y, step++, !dense);
      } finally {
        sparseConvOverride.mode = sparseGemmOverride.mode = 'auto';
      }
    };
    const warmStart = performance.now();
    steps(warmup);
    while (performance.now() - warmStart < MIN_WARMUP_MS) steps(Math.max(1, Math.ceil(warmup / 10)));
    return {
      measure(runs, stepsPerRun) {
        const times: number[] = [];
        for (let r = 0; r < runs; r++) {
          const start = performance.now();
          steps(stepsPerRun);
          times.push((performance.now() - start) / stepsPerRun);
        }
        return times;
      },
      dispose: () => backend.dispose(),
    };
  } catch (e) {
    backend.dispose();
    throw e;
  }
}

export const samplesPerSecond = (ms: number): number => (BATCH * 1000) / ms;

export const throughputRow = (values: readonly number[], workload: string, impl: string): BenchResult =>
  summarise(values, { workload, impl, metric: 'throughput', unit: 'samples/s' });

/**
 * Says so when a side's runs scatter by more than 2× (fastest ÷ slowest): the machine was busy,
 * or — PyTorch's two OpenMP threads, which spin-wait — its threads collapsed. A ratio from such
 * a run is not a measurement of either side; the rows still carry min and max.
 */
export function noteScatter(row: BenchResult): void {
  if (row.min > 0 && row.max / row.min > 2) {
    const f = (v: number): string => Math.round(v).toLocaleString('en-US');
    console.log(`  note: ${row.impl} (${row.workload}) ran ${f(row.min)}–${f(row.max)} ${row.unit}, ${(row.max / row.min).toFixed(1)}× apart: busy machine or collapsed threads; rerun on an idle machine before reading its ratio`);
  }
}

/**
 * Our session against PyTorch (same thread count; on `dataFile`'s batch when given; one warmed-up
 * PyTorch process for all rounds) and any `others`, in interleaved rounds: our row, PyTorch's
 * and the per-round ratio (when PyTorch ran), and every other side's runs by round for the
 * caller to report.
 */
export async function versusPytorch(
  session: TrainingSession,
  options: { threads: number; workload: string; peer: 'mlp' | 'cnn'; stepsPerRun: number; runs: number; rounds: number; dataFile?: string },
  others: Readonly<Record<string, Measure>> = {},
): Promise<{ rows: BenchResult[]; ours: BenchResult; oursRounds: number[][]; others: Record<string, number[][] | null> }> {
  const { threads, workload, peer, stepsPerRun, dataFile } = options;
  const torch = await pytorchTraining(threads, peer, dataFile);
  try {
    const runs = await interleaved<string>(
      {
        ...others,
        pytorch: async (n) => (torch ? torch.measure(n) : null),
        ours: async (n) => session.measure(n, stepsPerRun).map(samplesPerSecond),
      },
      options.runs,
      options.rounds,
    );
    const oursRounds = runs['ours']!;
    const ours = throughputRow(oursRounds.flat(), workload, 'netwright-wasm');
    const rows = [ours];
    const torchRounds = runs['pytorch'];
    if (torchRounds) {
      const torchRow = throughputRow(torchRounds.flat(), workload, 'pytorch');
      rows.push(torchRow, pairedRatioRow(ours, torchRow, oursRounds, torchRounds));
      noteScatter(ours);
      noteScatter(torchRow);
    }
    return { rows, ours, oursRounds, others: runs };
  } finally {
    torch?.close();
  }
}
