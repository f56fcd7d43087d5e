// Training throughput of Netwright's wasm backend on a graph document: the path the app
// trains with (buildModel, the tape, the optimizer, trainStep) on one fixed random batch; and
// the interleaved comparison with PyTorch (rounds of ours, then theirs), so that a burst of
// load on the machine falls on both sides rather than on one.

import { Random } from '../engine/core/random.js';
import { fromValues } from '../engine/core/tensor.js';
import { createWasmBackend } from '../engine/backends/wasm/index.js';
import { completeDocument, type GraphDocumentInput } from '../engine/protocol/document.js';
import { buildModel } from '../engine/train/model.js';
import { createOptimizer } from '../engine/train/optimizers.js';
import { trainStep } from '../engine/train/step.js';
import { summarise, type BenchResult } from './harness.js';
import { pytorchSamplesPerSecond } from './peers.js';
import { BATCH } from './workloads.js';

export interface TrainingRuns {
  readonly stepsPerRun: number;
  readonly runs: number;
  /** Untimed steps first: V8 keeps optimising for a few hundred steps. */
  readonly warmup: number;
}

export interface TrainingSession {
  /** Milliseconds per step, one mean per run of `stepsPerRun` steps. */
  measure(runs: number, stepsPerRun: number): number[];
  dispose(): void;
}

/** A model of `doc` on a wasm backend with `threads` threads, warmed up, ready to be timed. */
export async function netwrightSession(
  doc: GraphDocumentInput,
  inputShape: readonly number[],
  classes: number,
  threads: number,
  warmup: number,
): Promise<TrainingSession> {
  const backend = await createWasmBackend({ threads });
  try {
    const model = buildModel(completeDocument(doc), { backend, seed: 1 });
    const optimizer = createOptimizer({ type: 'adam', lr: 1e-3 }, model.parameters().map((p) => p.tensor));
    const random = new Random(2);
    const size = inputShape.reduce((a, b) => a * b, 1);
    const x = fromValues(backend, [BATCH, ...inputShape], Float32Array.from({ length: BATCH * size }, () => random.normal()), 'float32', 'persistent');
    const y = fromValues(backend, [BATCH], Int32Array.from({ length: BATCH }, () => random.int(classes)), 'int32', 'persistent');
    let step = 0;
    for (; step < warmup; step++) trainStep(model, optimizer, x, y, step);
    return {
      measure(runs, stepsPerRun) {
        const times: number[] = [];
        for (let r = 0; r < runs; r++) {
          const start = performance.now();
          for (let i = 0; i < stepsPerRun; i++) trainStep(model, optimizer, x, y, step++);
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

const throughput = (values: number[], workload: string, impl: string): BenchResult =>
  summarise(values, { workload, impl, metric: 'throughput', unit: 'samples/s' });

/**
 * Netwright (wasm, `threads` threads) and PyTorch (the same thread count) on one workload, in
 * `rounds` alternating rounds of `runs.runs / rounds` runs each; rows for both (when PyTorch is
 * installed), medians over all runs.
 */
export async function versusPytorch(
  workload: string,
  peer: 'mlp' | 'cnn',
  session: TrainingSession,
  threads: number,
  runs: TrainingRuns,
  rounds: number,
): Promise<{ ours: BenchResult; torch: BenchResult | null }> {
  const perRound = Math.max(1, Math.round(runs.runs / rounds));
  const ours: number[] = [];
  let torch: number[] | null = [];
  for (let r = 0; r < rounds; r++) {
    if (torch) {
      const theirs = await pytorchSamplesPerSecond(threads, peer, perRound);
      torch = theirs && torch.concat(theirs);
    }
    ours.push(...session.measure(perRound, runs.stepsPerRun).map(samplesPerSecond));
  }
  return { ours: throughput(ours, workload, 'netwright-wasm'), torch: torch && throughput(torch, workload, 'pytorch') };
}
