// Training throughput of Netwright's wasm backend on a graph document: the path the app
// trains with (buildModel, the tape, the optimizer, trainStep) on one fixed random batch.

import { Random } from '../engine/core/random.js';
import { fromValues } from '../engine/core/tensor.js';
import { createWasmBackend } from '../engine/backends/wasm/index.js';
import { completeDocument, type GraphDocumentInput } from '../engine/protocol/document.js';
import { buildModel } from '../engine/train/model.js';
import { createOptimizer } from '../engine/train/optimizers.js';
import { trainStep } from '../engine/train/step.js';
import { BATCH } from './workloads.js';

export interface TrainingRuns {
  readonly stepsPerRun: number;
  readonly runs: number;
  /** Untimed steps first: V8 keeps optimising for a few hundred steps. */
  readonly warmup: number;
}

/** Milliseconds per step, one mean per run, for `doc` with input shape `inputShape` and `classes` labels. */
export async function netwrightStepMs(
  doc: GraphDocumentInput,
  inputShape: readonly number[],
  classes: number,
  threads: number,
  { stepsPerRun, runs, warmup }: TrainingRuns,
): Promise<number[]> {
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
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      for (let i = 0; i < stepsPerRun; i++) trainStep(model, optimizer, x, y, step++);
      times.push((performance.now() - start) / stepsPerRun);
    }
    return times;
  } finally {
    backend.dispose();
  }
}

export const samplesPerSecond = (ms: number): number => (BATCH * 1000) / ms;
