// What the training panels (issue #7) ask of the model beyond the trainer's own streams: the
// list of built-in datasets, the confusion matrix on the validation split with the samples in
// each cell, and a few samples' values to draw. engineServer.ts calls these with the model it
// holds; nothing here keeps state.
//
// Concurrency: the trainer yields only between batches. On a backend with synchronous reads
// (the CPU) confusionOf never awaits, so a whole evaluation runs between two training steps;
// elsewhere the caller refuses it while a run is stepping (see Engine.inspectTarget).

import type { Backend, Values } from '../backends/backend.js';
import { fromValues } from '../core/tensor.js';
import { DATASETS } from '../data/registry.js';
import type { Dataset } from '../data/index.js';
import { ChannelError, toWireTensor, type EngineProtocol, type GraphDocument, type ResultOf, type WireDatasetInfo } from '../protocol/index.js';
import { decodeRow } from '../train/metrics.js';
import type { Model } from '../train/model.js';
import { planTask, splitIndices, type TaskPlan } from '../train/trainer.js';

/** The model and data a panel inspects: the session's, with the validation split the run used. */
export interface InspectTarget {
  readonly model: Model;
  readonly document: GraphDocument;
  /** The trainer's plan; null for a model loaded from a checkpoint (planned again here). */
  readonly plan: TaskPlan | null;
  /** The training set; validation indices point into it. */
  readonly dataset: Dataset;
  /** The trainer's validation indices; null: the same split is drawn again from the document's seed. */
  readonly validation: Int32Array | null;
  readonly runId: number;
  readonly step: number;
}

/** Samples per forward pass of an evaluation: big enough to be quick, small enough for memory. */
const EVAL_BATCH = 256;

export function datasetList(): ResultOf<EngineProtocol, 'datasets.list'> {
  const datasets: WireDatasetInfo[] = DATASETS.map((d) => ({
    name: d.name,
    source: d.source,
    title: { ...d.title },
    description: { ...d.description },
    ...(d.task !== undefined ? { task: d.task } : {}),
    ...(d.inputShape !== undefined ? { inputShape: [...d.inputShape] } : {}),
    needsPath: d.needsPath,
  }));
  return { datasets };
}

function read(backend: Backend, id: Parameters<Backend['read']>[0]): Values | Promise<Values> {
  return backend.readSync !== undefined ? backend.readSync(id) : backend.read(id);
}

/** Counts of every (true, predicted) pair on the validation split, and which samples fell where. */
export async function confusionOf(target: InspectTarget, maxPerCell: number): Promise<ResultOf<EngineProtocol, 'model.confusion'>> {
  const { model, dataset } = target;
  const plan = target.plan ?? planTask(model, target.document, dataset);
  if (plan.decoder === null || !(dataset.y instanceof Int32Array)) {
    throw new ChannelError('BAD_ARGS', 'a confusion matrix needs a classification graph and dataset', {
      text: { en: 'This graph does not classify, so it has no confusion matrix.', ja: 'このグラフは分類をしないので、混同行列はありません。' },
      hint: { en: 'Use a classification dataset with a cross-entropy or hinge loss.', ja: '分類のデータセットと交差エントロピーかヒンジ損失を使ってください。' },
    });
  }
  const { training } = target.document;
  const indices = target.validation ?? splitIndices(dataset.size, training.validationSplit, training.seed).validation;
  if (indices.length === 0) {
    throw new ChannelError('BAD_ARGS', 'the run has no validation split (validationSplit is 0)', {
      text: { en: 'The run keeps no validation samples.', ja: 'この学習には検証用のサンプルがありません。' },
      hint: { en: 'Set a validation split above 0 and train again.', ja: '検証の割合を 0 より大きくして学習し直してください。' },
    });
  }
  const k = plan.classes;
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const samples = Array.from({ length: k }, () => Array.from({ length: k }, () => [] as number[]));
  const labels = dataset.y;
  const backend = model.backend;
  const x = new Float32Array(Math.min(EVAL_BATCH, indices.length) * plan.features);
  for (let start = 0; start < indices.length; start += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, indices.length - start);
    for (let i = 0; i < n; i++) {
      const s = indices[start + i]!;
      x.set(dataset.x.subarray(s * plan.features, (s + 1) * plan.features), i * plan.features);
    }
    try {
      const xt = fromValues(backend, [n, ...plan.inputShape], x.subarray(0, n * plan.features));
      const result = model.forward(xt, undefined, { training: false });
      const prediction = result.outputs.get(plan.predictionId)?.[plan.predictionOutput];
      if (prediction === undefined) throw new ChannelError('INTERNAL', `node ${plan.predictionId} produced no prediction`);
      const values = await read(backend, prediction.id);
      for (let i = 0; i < n; i++) {
        const s = indices[start + i]!;
        const truth = labels[s]!;
        const predicted = decodeRow(values, i * plan.predictionWidth, plan.predictionWidth, plan.decoder);
        if (truth < 0 || truth >= k || predicted < 0 || predicted >= k) continue;
        counts[truth]![predicted]!++;
        const cell = samples[truth]![predicted]!;
        if (cell.length < maxPerCell) cell.push(s);
      }
    } finally {
      backend.endStep();
    }
  }
  const classes = Array.from({ length: k }, (_, i) => dataset.classes?.[i] ?? String(i));
  return { runId: target.runId, step: target.step, classes, size: indices.length, counts, samples };
}

/** The values and labels of a few samples of `dataset`, each as a [1, ...inputShape] tensor. */
export function samplesOf(dataset: Dataset, indices: readonly number[]): ResultOf<EngineProtocol, 'data.samples'> {
  const features = dataset.x.length / Math.max(1, dataset.size);
  return {
    size: dataset.size,
    samples: indices.map((index) => {
      if (index >= dataset.size) throw new ChannelError('BAD_ARGS', `sample ${index} is past the end of the dataset (${dataset.size} samples)`);
      const label = dataset.task === 'classification' ? (dataset.y[index] ?? null) : null;
      return { index, label, input: toWireTensor(dataset.x.slice(index * features, (index + 1) * features), [1, ...dataset.inputShape]) };
    }),
  };
}

/**
 * The first `units` output units of a parameter: along the first axis of a convolution's
 * filters [out, in, kh, kw] and of a vector, along the last axis of a matrix [in, units].
 */
export function firstUnits<T extends Float32Array | Int32Array>(values: T, shape: readonly number[], units: number | undefined): { values: T; shape: number[] } {
  const axis = shape.length === 2 ? 1 : 0;
  const size = shape[axis] ?? 0;
  if (units === undefined || units >= size) return { values, shape: [...shape] };
  const kept = shape.map((d, i) => (i === axis ? units : d));
  if (axis === 0) return { values: values.slice(0, (values.length / size) * units) as T, shape: kept };
  const [rows, cols] = shape as [number, number];
  const out = values.slice(0, rows * units) as T;
  for (let r = 0; r < rows; r++) out.set(values.subarray(r * cols, r * cols + units), r * units);
  return { values: out, shape: kept };
}
