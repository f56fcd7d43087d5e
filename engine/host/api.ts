// The public API's `train` (re-exported by engine/index.ts): loads the graph's dataset, picks a
// backend, runs the same Trainer the app and the CLI run, and returns the loss curve. It lives in
// engine/host because it wires concrete backends, which only hosts may do (DESIGN.md §2).

import type { Backend } from '../backends/backend.js';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { createWasmBackend, defaultThreads } from '../backends/wasm/index.js';
import { loadDataset, type DatasetSplits } from '../data/index.js';
import { validateGraph, type GraphDocument } from '../protocol/index.js';
import { loadWeights, readCheckpoint } from '../train/checkpoint.js';
import type { Model } from '../train/model.js';
import { Trainer, type EpochRecord, type TrainerEvent, type TrainingFailure, type TrainStatus } from '../train/trainer.js';

export interface TrainOptions {
  /** 'cpu' (the wasm backend, default), 'reference' (float64, slow), or a backend you made (not disposed). */
  readonly backend?: 'cpu' | 'reference' | Backend;
  /** CPU threads for 'cpu' (default: up to 4). The loss curve is the same for any count. */
  readonly threads?: number;
  /** Data to train on; default: `loadDataset(doc.training.dataset)`. */
  readonly dataset?: DatasetSplits;
  /** Folder relative dataset paths start from (default: the working directory). */
  readonly baseDir?: string;
  /** Initial weights: a .safetensors checkpoint or weights export (names `nodeId.param`). */
  readonly init?: string;
  /** Stop after this many steps (for a quick check of the first part of the curve). */
  readonly maxSteps?: number;
  /** Called after every step with its loss, unthrottled. */
  readonly onStep?: (step: number, loss: number) => void;
  /** The trainer's throttled events: progress, epoch records, done. */
  readonly onEvent?: (event: TrainerEvent) => void;
  /** Receives the trained model before it is freed (to save or inspect it). */
  readonly onModel?: (model: Model) => Promise<void> | void;
}

export interface TrainOutcome {
  readonly status: TrainStatus;
  /** The loss of every step, in order. */
  readonly losses: number[];
  /** One record per completed epoch (training and validation metrics). */
  readonly epochs: readonly EpochRecord[];
  readonly error?: TrainingFailure;
}

/** Trains a graph document as the app does (same seed → same loss curve on the same backend). */
export async function train(doc: GraphDocument, options: TrainOptions = {}): Promise<TrainOutcome> {
  const errors = validateGraph(doc).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new Error(`the graph has ${errors.length} error(s); first: ${first.message.en}${first.nodeId !== undefined ? ` (node ${JSON.stringify(first.nodeId)})` : ''}`);
  }
  const data = options.dataset ?? (await loadDataset(doc.training.dataset, { seed: doc.training.seed, baseDir: options.baseDir }));
  const owned = typeof options.backend !== 'object';
  const backend = await resolveBackend(options.backend ?? 'cpu', options.threads);
  const losses: number[] = [];
  let trainer: Trainer | undefined;
  try {
    // The trainer builds the model (buildModel with the document's seed) and frees it on dispose.
    trainer = new Trainer({
      document: doc,
      train: data.train,
      backend,
      onEvent: options.onEvent,
      onStep: (step, loss) => {
        losses.push(loss);
        options.onStep?.(step, loss);
        if (options.maxSteps !== undefined && losses.length >= options.maxSteps) trainer?.stop();
      },
    });
    const model = trainer.model;
    if (options.init !== undefined) loadWeights(model, await readCheckpoint(options.init));
    const result = await trainer.run();
    await options.onModel?.(model);
    return { status: result.status, losses, epochs: result.records, ...(result.error !== undefined ? { error: result.error } : {}) };
  } finally {
    trainer?.dispose();
    if (owned) backend.dispose();
  }
}

async function resolveBackend(choice: 'cpu' | 'reference' | Backend, threads: number | undefined): Promise<Backend> {
  if (choice === 'reference') return new ReferenceBackend();
  if (choice === 'cpu') return createWasmBackend({ threads: threads ?? defaultThreads() });
  return choice;
}
