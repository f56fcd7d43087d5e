// Training throughput of Netwright's wasm backend on a graph document: the path the app
// trains with (buildModel, the tape, the optimizer, trainStep) on one fixed random batch; and
// interleaved comparisons with peers (rounds of theirs, then ours), so that a burst of load on
// the machine falls on every side rather than on one.

import { Random } from '../engine/core/random.js';
import { fromValues } from '../engine/core/tensor.js';
import { createWasmBackend } from '../engine/backends/wasm/index.js';
import { completeDocument, type GraphDocumentInput } from '../engine/protocol/document.js';
import { buildModel } from '../engine/train/model.js';
import { createOptimizer } from '../engine/train/optimizers.js';
import { trainStep } from '../engine/train/step.js';
import { summarise, type BenchResult } from './harness.js';
import { BATCH } from './workloads.js';

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

/** One side of an interleaved comparison: samples/s of `runs` runs, or null when not installed. */
export type Measure = (runs: number) => Promise<number[] | null>;

/**
 * Runs every measure in `rounds` alternating rounds of `runs / rounds` runs each and returns
 * all runs per name (null for a peer that reported itself missing, which is not asked again).
 */
export async function interleaved<N extends string>(measures: Readonly<Record<N, Measure>>, runs: number, rounds: number): Promise<Record<N, number[] | null>> {
  const perRound = Math.max(1, Math.round(runs / rounds));
  const names = Object.keys(measures) as N[];
  const out = Object.fromEntries(names.map((n) => [n, [] as number[] | null])) as Record<N, number[] | null>;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const sofar = out[name];
      if (sofar === null) continue;
      const values = await measures[name](perRound);
      out[name] = values && sofar.concat(values);
    }
  }
  return out;
}

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
