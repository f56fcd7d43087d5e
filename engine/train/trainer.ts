// The trainer (DESIGN.md §4): epochs over shuffled mini-batches (or full-batch, or online),
// a seeded validation split, metrics, learning-rate schedules, an early stop on NaN/Inf with a
// bilingual message, pause/resume/stop, and events at a bounded rate. Hosts (the CLI, the engine
// process) drive it; it uses only the backend interface.
//
// Before the first step it checks that the dataset fits the graph (planTask): the Input's shape,
// the class count against the last layer, the task against the loss — so a mismatch is a message
// naming the node, not a crash deep inside a kernel.

import { Tape } from '../autograd/tape.js';
import type { Backend, Values } from '../backends/backend.js';
import { hash32, Random } from '../core/random.js';
import { sameShape, sizeOf, type Shape } from '../core/shape.js';
import { fromValues, type Tensor } from '../core/tensor.js';
import type { Dataset } from '../data/dataset.js';
import { perceptronUpdate } from '../layers/index.js';
import { formatShape, text, type GraphDocument, type Text, type TrainingConfig } from '../protocol/index.js';
import { ConfusionMatrix, LossMeter, type ClassDecoder, type EvaluationMetrics, type Metrics } from './metrics.js';
import { buildModel, type Model } from './model.js';
import { createOptimizer, type Optimizer } from './optimizers.js';
import { checkSchedule, learningRate } from './schedules.js';

// ---------------------------------------------------------------------------------------------
// Errors

export type TrainingErrorCode =
  /** The graph has no single Input the dataset can feed. */
  | 'DATA_INPUTS'
  /** The dataset's samples do not have the Input node's shape. */
  | 'DATA_SHAPE'
  /** The class count does not match the units feeding the loss. */
  | 'DATA_CLASSES'
  /** The loss does not suit the task (Cross-entropy on regression targets …). */
  | 'DATA_TASK'
  /** Regression targets do not have the prediction's size. */
  | 'DATA_TARGET'
  /** A label is outside the classes, or the set is empty or malformed. */
  | 'DATA_LABELS'
  /** A Perceptron that the perceptron rule cannot train (not a single layer after the Input). */
  | 'PERCEPTRON_LAYOUT'
  /** The training config is unusable (a schedule field out of range …). */
  | 'CONFIG'
  /** The loss became NaN or ±Infinity: training stopped. */
  | 'LOSS_NOT_FINITE'
  /** The loss grew a million-fold over its first value: training diverged and was stopped. */
  | 'LOSS_DIVERGED'
  /** Anything else that went wrong while training. */
  | 'INTERNAL';

/** A problem the user can act on, in English and Japanese, naming the node at fault. */
export class TrainingError extends Error {
  readonly code: TrainingErrorCode;
  readonly text: Text;
  readonly hint: Text;
  readonly nodeId: string | undefined;

  constructor(code: TrainingErrorCode, message: Text, hint: Text, nodeId?: string) {
    super(`${message.en} ${hint.en}`);
    this.name = 'TrainingError';
    this.code = code;
    this.text = message;
    this.hint = hint;
    this.nodeId = nodeId;
  }
}

/** What the `error` event and a failed result carry. */
export interface TrainingFailure {
  readonly code: TrainingErrorCode;
  readonly message: Text;
  readonly hint: Text;
  readonly nodeId?: string;
  /** The global step (1-based) at which it happened, when it happened in a step. */
  readonly step?: number;
  /** The epoch (1-based) at which it happened. */
  readonly epoch?: number;
}

// ---------------------------------------------------------------------------------------------
// Fitting a dataset to a graph

/** How the trainer feeds a graph from a dataset and reads its predictions. */
export interface TaskPlan {
  readonly inputId: string;
  /** The Input node's per-sample shape (the batch tensor is [N, ...inputShape]). */
  readonly inputShape: Shape;
  readonly features: number;
  /** The loss node metrics are read from (the first one, in topological order). */
  readonly lossId: string;
  readonly lossType: string;
  /** The node and output index feeding the loss's `in` port: the prediction. */
  readonly predictionId: string;
  readonly predictionOutput: number;
  /** Values per sample of the prediction. */
  readonly predictionWidth: number;
  readonly task: Dataset['task'];
  /** Class count (classification), 0 for regression. */
  readonly classes: number;
  /** How a prediction row becomes a class; null when accuracy does not apply. */
  readonly decoder: ClassDecoder | null;
  /** Per-sample shape of the label tensor ([] for class indices). */
  readonly labelShape: Shape;
  readonly labelWidth: number;
  /** Set when the graph is a single-layer perceptron trained by Rosenblatt's rule. */
  readonly perceptronId: string | null;
}

/**
 * Checks that `dataset` fits the graph of `model` and says how to feed it. Throws a
 * TrainingError naming the node and both shapes (or counts) when it does not.
 */
export function planTask(model: Model, doc: GraphDocument, dataset: Dataset): TaskPlan {
  const report = model.report;
  const name = (id: string): string => {
    const node = doc.nodes.find((n) => n.id === id);
    return node?.label ? `"${node.label}" (${id})` : `"${id}"`;
  };

  if (model.inputIds.length !== 1) {
    throw new TrainingError(
      'DATA_INPUTS',
      text(
        `The graph has ${model.inputIds.length} Input nodes; a dataset feeds exactly one.`,
        `グラフに Input ノードが ${model.inputIds.length} 個あります。データセットが入力できるのは 1 個だけです。`,
      ),
      text('Keep one Input node and connect it to the first layer.', 'Input ノードを 1 個にして、最初の層につないでください。'),
    );
  }
  const inputId = model.inputIds[0]!;
  const inputShape = model.outputShapes(inputId)[0]!;
  const features = sizeOf(inputShape);
  const dataShape = dataset.inputShape;
  if (dataset.size < 1 || dataset.x.length !== dataset.size * sizeOf(dataShape)) {
    throw new TrainingError(
      'DATA_LABELS',
      text(
        `Dataset "${dataset.name}" is empty or malformed: ${dataset.x.length} values for ${dataset.size} samples of ${formatShape(dataShape)}.`,
        `データセット "${dataset.name}" が空か壊れています: ${formatShape(dataShape)} のサンプル ${dataset.size} 個に値が ${dataset.x.length} 個。`,
      ),
      text('Check the dataset file, or choose another dataset.', 'データセットのファイルを確認するか、別のデータセットを選んでください。'),
    );
  }
  // A vector Input also takes images flattened row-major: the bytes are the same (Flatten is a
  // view), and the textbook's MNIST MLP reads 28×28 digits as 784 numbers exactly so.
  const flattened = inputShape.length === 1 && sizeOf(dataShape) === features;
  if (!sameShape(inputShape, dataShape) && !flattened) {
    const flattenHint = dataShape.length > 1 && inputShape.length === 1;
    throw new TrainingError(
      'DATA_SHAPE',
      text(
        `Input ${name(inputId)} expects samples of shape ${formatShape(inputShape)}, but dataset "${dataset.name}" has samples of shape ${formatShape(dataShape)}.`,
        `Input ${name(inputId)} はサンプルの形 ${formatShape(inputShape)} を想定していますが、データセット "${dataset.name}" のサンプルは ${formatShape(dataShape)} です。`,
      ),
      flattenHint
        ? text(
            `Set the Input's shape to [${dataShape.join(',')}] and add a Flatten before the first Dense, or to [${sizeOf(dataShape)}].`,
            `Input の shape を [${dataShape.join(',')}] にして最初の Dense の前に Flatten を入れるか、[${sizeOf(dataShape)}] にしてください。`,
          )
        : text(`Set the Input's shape to [${dataShape.join(',')}], or choose a dataset whose samples are ${formatShape(inputShape)}.`, `Input の shape を [${dataShape.join(',')}] にするか、サンプルが ${formatShape(inputShape)} のデータセットを選んでください。`),
      inputId,
    );
  }

  const lossId = model.lossIds[0]!;
  const lossInfo = report.nodes.get(lossId)!;
  const lossType = lossInfo.spec.type;
  const edge = doc.edges.find((e) => e.target.node === lossId && e.target.port === 'in')!;
  const predictionId = edge.source.node;
  const predictionSpec = report.nodes.get(predictionId)!.spec;
  const predictionOutput = predictionSpec.outputs.findIndex((o) => o.name === edge.source.port);
  const predictionShape = lossInfo.inputs['in']!;
  const predictionWidth = sizeOf(predictionShape);
  const targetWired = lossInfo.inputs['target'] !== undefined;
  const perceptronId = findPerceptron(model, doc, inputId, name);
  // What every plan has; the task decides labels and decoding below.
  const feeding = { inputId, inputShape, features, lossId, lossType, predictionId, predictionOutput, predictionWidth, perceptronId };

  if (dataset.task === 'regression') {
    if (lossType === 'CrossEntropy' && !targetWired) {
      throw new TrainingError(
        'DATA_TASK',
        text(
          `Cross-entropy ${name(lossId)} needs class labels, but dataset "${dataset.name}" has numeric targets (regression).`,
          `交差エントロピー ${name(lossId)} にはクラスラベルが必要ですが、データセット "${dataset.name}" の目標値は数値（回帰）です。`,
        ),
        text('Use a regression loss such as MSE, or choose a classification dataset.', 'MSE などの回帰用の損失を使うか、分類のデータセットを選んでください。'),
        lossId,
      );
    }
    const labelWidth = dataset.y.length / dataset.size;
    if (!targetWired && labelWidth !== predictionWidth) {
      throw new TrainingError(
        'DATA_TARGET',
        text(
          `${name(predictionId)} predicts ${predictionWidth} number(s) per sample (${formatShape(predictionShape)}), but dataset "${dataset.name}" has ${labelWidth} target value(s) per sample.`,
          `${name(predictionId)} はサンプルごとに ${predictionWidth} 個の値（${formatShape(predictionShape)}）を出力しますが、データセット "${dataset.name}" の目標値はサンプルごとに ${labelWidth} 個です。`,
        ),
        text(`Give the last layer ${labelWidth} unit(s).`, `最後の層のユニット数を ${labelWidth} にしてください。`),
        predictionId,
      );
    }
    return {
      ...feeding,
      task: 'regression',
      classes: 0,
      decoder: null,
      labelShape: labelWidth === predictionWidth ? predictionShape : [labelWidth],
      labelWidth,
    };
  }

  // Classification: labels are class indices.
  const labels = dataset.y;
  if (!(labels instanceof Int32Array) || labels.length !== dataset.size) {
    throw new TrainingError(
      'DATA_LABELS',
      text(`Dataset "${dataset.name}" is a classification set but its labels are not one class index per sample.`, `データセット "${dataset.name}" は分類用ですが、ラベルがサンプルごとのクラス番号になっていません。`),
      text('Check the dataset reader or file.', 'データセットの読み込みやファイルを確認してください。'),
    );
  }
  let maxLabel = -1;
  let minLabel = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l > maxLabel) maxLabel = l;
    if (l < minLabel) minLabel = l;
  }
  const classes = dataset.classes?.length ?? maxLabel + 1;
  if (minLabel < 0 || maxLabel >= classes) {
    throw new TrainingError(
      'DATA_LABELS',
      text(`Dataset "${dataset.name}" has a label ${minLabel < 0 ? minLabel : maxLabel} outside its ${classes} classes.`, `データセット "${dataset.name}" に、${classes} クラスの範囲外のラベル ${minLabel < 0 ? minLabel : maxLabel} があります。`),
      text('Check the dataset file: labels must be 0 … classes − 1.', 'データセットを確認してください: ラベルは 0〜クラス数−1 です。'),
    );
  }
  if (targetWired) {
    // The graph brings its own target: labels are not fed to this loss, so nothing to match.
    return { ...feeding, task: 'classification', classes, decoder: null, labelShape: [], labelWidth: 1 };
  }
  const binary = predictionWidth === 1;
  if ((binary && classes > 2) || (!binary && predictionWidth !== classes) || (lossType === 'CrossEntropy' && predictionWidth !== classes)) {
    const units = lossType === 'CrossEntropy' || !binary ? classes : 1;
    throw new TrainingError(
      'DATA_CLASSES',
      text(
        `${predictionSpec.label.en} ${name(predictionId)} gives ${predictionWidth} output(s) per sample, but dataset "${dataset.name}" has ${classes} classes, so ${lossType} ${name(lossId)} needs ${classes}.`,
        `${predictionSpec.label.ja} ${name(predictionId)} の出力はサンプルごとに ${predictionWidth} 個ですが、データセット "${dataset.name}" は ${classes} クラスなので、${lossType} ${name(lossId)} には ${classes} 個必要です。`,
      ),
      text(
        `Set the units of the last layer to ${units}${lossType === 'CrossEntropy' && classes === 2 ? ' (or use one unit with Binary cross-entropy)' : ''}.`,
        `最後の層のユニット数を ${units} にしてください${lossType === 'CrossEntropy' && classes === 2 ? '（または 1 ユニットと二値交差エントロピー）' : ''}。`,
      ),
      predictionId,
    );
  }
  return {
    ...feeding,
    task: 'classification',
    classes,
    decoder: decoderFor(lossType, predictionWidth, perceptronId !== null, lossInfo.params?.['fromLogits'] === true),
    labelShape: [],
    labelWidth: 1,
  };
}

function decoderFor(lossType: string, width: number, perceptron: boolean, fromLogits: boolean): ClassDecoder {
  if (width > 1) return ARGMAX;
  if (perceptron) return { kind: 'threshold', at: 0.5 }; // step outputs 0 or 1
  if (lossType === 'Hinge' || (lossType === 'BinaryCrossEntropy' && fromLogits)) return { kind: 'threshold', at: 0 };
  return { kind: 'threshold', at: 0.5 }; // a sigmoid probability, or an MSE fit of 0/1
}

const ARGMAX: ClassDecoder = { kind: 'argmax' };

/**
 * A Perceptron learns by Rosenblatt's rule, not backprop (its step has zero gradient), and the
 * rule needs its inputs and targets: so it must sit right after the Input and be the only layer
 * with parameters. Returns its id, or null when the graph has no Perceptron.
 */
function findPerceptron(model: Model, doc: GraphDocument, inputId: string, name: (id: string) => string): string | null {
  const perceptrons = model.order.filter((id) => model.layer(id).type === 'Perceptron');
  if (perceptrons.length === 0) return null;
  const id = perceptrons[0]!;
  const feedsFromInput = doc.edges.some((e) => e.target.node === id && e.source.node === inputId);
  const trainable = new Set(model.parameters().map((p) => p.nodeId));
  if (perceptrons.length > 1 || !feedsFromInput || trainable.size !== 1) {
    throw new TrainingError(
      'PERCEPTRON_LAYOUT',
      text(
        `Perceptron ${name(id)} learns by the perceptron rule, which trains a single layer right after the Input; this graph has other layers with weights or puts something in between.`,
        `パーセプトロン ${name(id)} は誤り訂正学習で学習し、Input の直後の 1 層だけを学習できます。このグラフには重みを持つ他の層があるか、間に別のノードがあります。`,
      ),
      text(
        'For a multi-layer network, use Dense layers with Sigmoid (or ReLU) activations instead: they learn by backpropagation.',
        '多層のネットワークには、Dense 層と Sigmoid（または ReLU）を使ってください。誤差逆伝播法で学習できます。',
      ),
      id,
    );
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// The validation split

/**
 * Splits indices 0 … size−1 into training and validation sets: ⌊size·fraction⌋ samples drawn
 * by a seeded permutation go to validation. The same size, fraction and seed always give the
 * same split, so a resumed run validates on the same samples. Both lists come back ascending.
 */
export function splitIndices(size: number, fraction: number, seed: number): { train: Int32Array; validation: Int32Array } {
  const count = Math.floor(size * fraction);
  const all = new Int32Array(size);
  for (let i = 0; i < size; i++) all[i] = i;
  if (count === 0) return { train: all, validation: new Int32Array(0) };
  shuffleInPlace(all, new Random(hash32(seed, SPLIT_SALT)));
  const validation = all.slice(0, count).sort();
  const train = all.slice(count).sort();
  return { train, validation };
}

const SPLIT_SALT = 0x5b117;
const SHUFFLE_SALT = 0x5a4ff1e;

/** Fisher–Yates on an index array (Random.shuffle works on plain arrays). */
function shuffleInPlace(items: Int32Array, random: Random): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}

// ---------------------------------------------------------------------------------------------
// Batches: copied into persistent tensors made once per batch size and reused every step, so
// the loop allocates no backend memory of its own (only the step arena, reclaimed by endStep).

interface BatchSlot {
  readonly n: number;
  readonly x: Tensor;
  readonly labels: Tensor;
  /** The perceptron rule's float 0/1 targets [n, units]. */
  readonly target: Tensor | null;
  readonly xStage: Float32Array;
  readonly labelStage: Int32Array | Float32Array;
  readonly targetStage: Float32Array | null;
}

class BatchFeeder {
  private readonly slots = new Map<number, BatchSlot>();
  private readonly xStage: Float32Array;
  private readonly labelStage: Int32Array | Float32Array;
  private readonly targetStage: Float32Array | null;

  constructor(
    private readonly backend: Backend,
    private readonly plan: TaskPlan,
    private readonly dataset: Dataset,
    maxBatch: number,
  ) {
    this.xStage = new Float32Array(maxBatch * plan.features);
    this.labelStage = plan.task === 'classification' ? new Int32Array(maxBatch) : new Float32Array(maxBatch * plan.labelWidth);
    this.targetStage = plan.perceptronId !== null ? new Float32Array(maxBatch * plan.predictionWidth) : null;
  }

  /** Copies samples indices[start … start+n) into the slot for batch size n. */
  load(indices: Int32Array, start: number, n: number): BatchSlot {
    const slot = this.slot(n);
    const f = this.plan.features;
    const x = this.dataset.x;
    for (let i = 0; i < n; i++) {
      const s = indices[start + i]!;
      slot.xStage.set(x.subarray(s * f, s * f + f), i * f);
    }
    const y = this.dataset.y;
    const w = this.plan.labelWidth;
    if (w === 1) for (let i = 0; i < n; i++) slot.labelStage[i] = y[indices[start + i]!]!;
    else for (let i = 0; i < n; i++) slot.labelStage.set(y.subarray(indices[start + i]! * w, indices[start + i]! * w + w), i * w);
    this.backend.write(slot.x.id, slot.xStage);
    this.backend.write(slot.labels.id, slot.labelStage);
    if (slot.target !== null && slot.targetStage !== null) {
      // Rosenblatt's targets: the 0/1 label itself for one unit, one-hot for several.
      const units = this.plan.predictionWidth;
      slot.targetStage.fill(0);
      for (let i = 0; i < n; i++) {
        const label = slot.labelStage[i]!;
        if (units === 1) slot.targetStage[i] = label;
        else slot.targetStage[i * units + label] = 1;
      }
      this.backend.write(slot.target.id, slot.targetStage);
    }
    return slot;
  }

  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.x.dispose();
      slot.labels.dispose();
      slot.target?.dispose();
    }
    this.slots.clear();
  }

  private slot(n: number): BatchSlot {
    let slot = this.slots.get(n);
    if (slot !== undefined) return slot;
    const { plan, backend } = this;
    const xStage = this.xStage.subarray(0, n * plan.features);
    const labelStage = this.labelStage.subarray(0, n * plan.labelWidth);
    const targetStage = this.targetStage?.subarray(0, n * plan.predictionWidth) ?? null;
    slot = {
      n,
      x: fromValues(backend, [n, ...plan.inputShape], xStage, 'float32', 'persistent'),
      labels: fromValues(backend, [n, ...plan.labelShape], labelStage, plan.task === 'classification' ? 'int32' : 'float32', 'persistent'),
      target: targetStage === null ? null : fromValues(backend, [n, plan.predictionWidth], targetStage, 'float32', 'persistent'),
      xStage,
      labelStage,
      targetStage,
    };
    this.slots.set(n, slot);
    return slot;
  }
}

/** Synchronous read where the backend can (CPU), else after the queue drains (GPU). */
function readValues(t: Tensor): Values | Promise<Values> {
  const backend = t.backend;
  return backend.readSync !== undefined ? backend.readSync(t.id) : backend.read(t.id);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export interface EvaluateOptions {
  /** Samples per forward pass; 256 by default. Does not change the result beyond rounding. */
  readonly batchSize?: number;
  /** Evaluate only these samples (a validation split); all by default. */
  readonly indices?: Int32Array;
  /** A plan made before (skips re-checking the dataset). */
  readonly plan?: TaskPlan;
}

/**
 * Evaluates `model` on `dataset` in inference mode (dropout off, BatchNorm running statistics):
 * the mean loss, and for classification the accuracy, per-class accuracy and confusion matrix.
 * The document is the one the model was built from (it says which node feeds the loss).
 */
export async function evaluate(model: Model, doc: GraphDocument, dataset: Dataset, options: EvaluateOptions = {}): Promise<EvaluationMetrics> {
  const plan = options.plan ?? planTask(model, doc, dataset);
  const indices = options.indices ?? identityIndices(dataset.size);
  const batch = Math.max(1, Math.min(options.batchSize ?? 256, indices.length));
  const feeder = new BatchFeeder(model.backend, plan, dataset, batch);
  const confusion = plan.decoder !== null ? new ConfusionMatrix(plan.classes) : null;
  try {
    const loss = await evaluateInto(model, plan, feeder, indices, batch, confusion, dataset);
    return {
      loss: loss.mean,
      samples: loss.samples,
      ...(confusion !== null ? { accuracy: confusion.accuracy(), perClassAccuracy: confusion.perClassAccuracy(), confusion: confusion.rows() } : {}),
    };
  } finally {
    feeder.dispose();
  }
}

async function evaluateInto(
  model: Model,
  plan: TaskPlan,
  feeder: BatchFeeder,
  indices: Int32Array,
  batch: number,
  confusion: ConfusionMatrix | null,
  dataset: Dataset,
): Promise<LossMeter> {
  const meter = new LossMeter();
  const labels = dataset.y instanceof Int32Array ? dataset.y : null;
  const ordered = labels !== null && confusion !== null ? new Int32Array(batch) : null;
  for (let start = 0; start < indices.length; start += batch) {
    const n = Math.min(batch, indices.length - start);
    const slot = feeder.load(indices, start, n);
    try {
      const result = model.forward(slot.x, slot.labels, { training: false, fuse: true });
      if (result.loss !== null) meter.add((await readValues(result.loss))[0]!, n);
      if (confusion !== null && ordered !== null && labels !== null) {
        const prediction = result.outputs.get(plan.predictionId)![plan.predictionOutput]!;
        const values = await readValues(prediction);
        for (let i = 0; i < n; i++) ordered[i] = labels[indices[start + i]!]!;
        confusion.addBatch(values, plan.predictionWidth, ordered, 0, n, plan.decoder!);
      }
    } finally {
      model.backend.endStep();
    }
  }
  return meter;
}

function identityIndices(size: number): Int32Array {
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = i;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Events

/** One epoch's outcome. */
export interface EpochRecord {
  /** 1-based. */
  readonly epoch: number;
  /** Global steps done at its end. */
  readonly step: number;
  readonly lr: number;
  /** Seconds this epoch took (training and validation, pauses excluded). */
  readonly seconds: number;
  /** Running metrics over the epoch's training batches (dropout on, as Keras reports them). */
  readonly train: Metrics;
  /** The validation split in inference mode, when there is one. */
  readonly validation?: Metrics;
}

export interface ProgressEvent {
  readonly type: 'progress';
  /** 1-based epoch in progress, of `epochs`. */
  readonly epoch: number;
  readonly epochs: number;
  /** Global steps done (resumed runs count on). */
  readonly step: number;
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  /** The epoch's running mean loss, and running accuracy (classification). */
  readonly loss: number;
  readonly accuracy?: number;
  readonly lr: number;
  readonly samplesPerSecond: number;
  /** Seconds left at the current rate (training steps only). */
  readonly etaSeconds: number;
}

export type TrainerEvent =
  | ProgressEvent
  /** Epochs that ended since the last such event (several when epochs end faster than the event rate). */
  | { readonly type: 'epoch'; readonly records: readonly EpochRecord[] }
  | { readonly type: 'state'; readonly state: 'paused' | 'running'; readonly epoch: number; readonly step: number }
  | { readonly type: 'done'; readonly result: TrainResult }
  | { readonly type: 'error'; readonly error: TrainingFailure };

export type TrainStatus = 'completed' | 'stopped' | 'failed';

export interface TrainResult {
  readonly status: TrainStatus;
  /** Epochs completed by this run. */
  readonly records: readonly EpochRecord[];
  /** Completed epochs in all (a resumed run counts the earlier ones). */
  readonly epoch: number;
  /** Global steps done. */
  readonly step: number;
  /** Seconds spent training (pauses excluded). */
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly error?: TrainingFailure;
}

export interface TrainerOptions {
  /** The graph document; its `training` section is the config (edit a copy to override). */
  readonly document: GraphDocument;
  /** The training set; the validation split is taken from it. */
  readonly train: Dataset;
  /** A model built from `document` (e.g. to load a checkpoint into); built here when absent. */
  readonly model?: Model;
  /** Needed when no model is given. */
  readonly backend?: Backend;
  /** Events (progress, epoch, state, done, error) at most this often; default 10 per second. */
  readonly maxEventsPerSecond?: number;
  readonly onEvent?: (event: TrainerEvent) => void;
  /** Every step's loss, unthrottled (loss curves at full resolution, tests). */
  readonly onStep?: (step: number, loss: number) => void;
  /** Milliseconds clock; performance.now by default (tests inject one). */
  readonly now?: () => number;
  /** Samples per forward pass when validating; 256 by default. */
  readonly evalBatchSize?: number;
  /**
   * The base learning rate, instead of training.optimizer.lr: a host's learning-rate control, or
   * a test that must go past the document's range (lr 1e6 to provoke an overflow).
   */
  readonly lr?: number;
}

type RunState = 'idle' | 'running' | 'paused' | 'finished';

/** How long the loop may run before it yields to the event loop (so pause/stop messages get in). */
const YIELD_MS = 8;

export class Trainer {
  readonly document: GraphDocument;
  readonly config: TrainingConfig;
  readonly model: Model;
  /** Null when a Perceptron is trained by its own rule. */
  readonly optimizer: Optimizer | null;
  readonly plan: TaskPlan;
  readonly batchSize: number;
  /** The base learning rate the schedule starts from. */
  readonly baseLr: number;
  readonly trainIndices: Int32Array;
  readonly validationIndices: Int32Array;

  private readonly train: Dataset;
  private readonly ownsModel: boolean;
  private readonly onEvent: (event: TrainerEvent) => void;
  private readonly onStep: ((step: number, loss: number) => void) | undefined;
  private readonly now: () => number;
  private readonly minInterval: number;
  private readonly evalBatch: number;

  private state: RunState = 'idle';
  private stopRequested = false;
  private pauseRequested = false;
  private wake: (() => void) | null = null;
  private completedEpochs = 0;
  private globalStep = 0;

  // Event coalescing: one emission per window; what did not fit waits for the next.
  private lastEmit = Number.NEGATIVE_INFINITY;
  private pendingRecords: EpochRecord[] = [];
  private progressDirty = false;

  // Progress state, read when a progress event is built.
  private epochInRun = 0;
  private stepInEpoch = 0;
  private currentLr = 0;
  private activeMs = 0;
  private samplesDone = 0;
  private samplesTotal = 0;
  private readonly lossMeter = new LossMeter();
  /** The first finite loss of the run: the yardstick for the divergence stop. */
  private firstLoss: number | undefined;
  private readonly confusion: ConfusionMatrix | null;
  private orderedLabels: Int32Array;

  constructor(options: TrainerOptions) {
    this.document = options.document;
    this.config = options.document.training;
    this.train = options.train;
    if (options.model === undefined && options.backend === undefined) throw new Error('Trainer: give a model or a backend');
    this.model = options.model ?? buildModel(options.document, { backend: options.backend! });
    this.ownsModel = options.model === undefined;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.onStep = options.onStep;
    this.now = options.now ?? (() => performance.now());
    this.minInterval = 1000 / (options.maxEventsPerSecond ?? 10);
    this.evalBatch = options.evalBatchSize ?? 256;
    this.baseLr = options.lr ?? this.config.optimizer.lr;
    try {
      const problem = checkSchedule(this.config.schedule);
      if (problem !== null) {
        throw new TrainingError('CONFIG', text(problem.en, problem.ja), text('Fix the schedule in the training panel.', '学習パネルでスケジュールを直してください。'));
      }
      this.plan = planTask(this.model, this.document, this.train);
      const split = splitIndices(this.train.size, this.config.validationSplit, this.config.seed);
      if (split.train.length === 0) {
        throw new TrainingError(
          'CONFIG',
          text(`validationSplit ${this.config.validationSplit} leaves no training samples of ${this.train.size}.`, `validationSplit ${this.config.validationSplit} では ${this.train.size} 個のうち学習用のサンプルが残りません。`),
          text('Lower the validation split.', '検証データの割合を下げてください。'),
        );
      }
      this.trainIndices = split.train;
      this.validationIndices = split.validation;
      const n = this.trainIndices.length;
      this.batchSize = this.config.mode === 'full' ? n : this.config.mode === 'online' ? 1 : Math.min(this.config.batchSize, n);
      this.optimizer = this.plan.perceptronId !== null ? null : createOptimizer({ ...this.config.optimizer, lr: this.baseLr }, this.model.parameters().map((p) => p.tensor));
    } catch (error) {
      if (this.ownsModel) this.model.dispose();
      throw error;
    }
    this.confusion = this.plan.decoder !== null ? new ConfusionMatrix(this.plan.classes) : null;
    this.orderedLabels = new Int32Array(this.batchSize);
    this.currentLr = this.baseLr;
  }

  /** Completed epochs and global steps (after `resumeFrom`, the checkpoint's). */
  get progress(): { readonly epoch: number; readonly step: number } {
    return { epoch: this.completedEpochs, step: this.globalStep };
  }

  get running(): boolean {
    return this.state === 'running' || this.state === 'paused';
  }

  get paused(): boolean {
    return this.state === 'paused' || (this.state === 'running' && this.pauseRequested);
  }

  /** Continues a run from a checkpoint's epoch and step (weights and optimizer state loaded by the caller). */
  resumeFrom(progress: { readonly epoch: number; readonly step: number }): void {
    if (this.state !== 'idle') throw new Error('Trainer.resumeFrom: call it before run()');
    this.completedEpochs = progress.epoch;
    this.globalStep = progress.step;
  }

  /** Pauses at the next batch boundary. */
  pause(): void {
    if (this.state === 'running') this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    this.wakeUp();
  }

  /** Stops at the next batch boundary; run() then resolves with status 'stopped'. */
  stop(): void {
    this.stopRequested = true;
    this.pauseRequested = false;
    this.wakeUp();
  }

  /** Frees the optimizer state (and the model when the trainer built it). */
  dispose(): void {
    this.optimizer?.dispose();
    if (this.ownsModel) this.model.dispose();
  }

  /** Trains to `training.epochs` epochs in all. Resolves (never rejects) with the outcome. */
  async run(): Promise<TrainResult> {
    if (this.state !== 'idle') throw new Error('Trainer.run: a trainer runs once');
    this.state = 'running';
    const { config } = this;
    const epochs = config.epochs;
    const n = this.trainIndices.length;
    const stepsPerEpoch = Math.ceil(n / this.batchSize);
    const records: EpochRecord[] = [];
    const order = new Int32Array(n);
    let feeder: BatchFeeder | null = null;
    const shuffleSeed = hash32(config.seed, SHUFFLE_SALT);
    this.samplesTotal = Math.max(0, epochs - this.completedEpochs) * n;
    let status: TrainStatus = 'completed';
    let failure: TrainingFailure | undefined;
    let lastYield = this.now();
    let activeSince = lastYield;

    try {
      // Batches up to the training batch or the validation batch, whichever is larger.
      const maxBatch = Math.max(this.batchSize, Math.min(this.evalBatch, Math.max(1, this.validationIndices.length)));
      feeder = new BatchFeeder(this.model.backend, this.plan, this.train, maxBatch);
      for (let epoch = this.completedEpochs; epoch < epochs && !this.stopRequested; epoch++) {
        const epochActiveStart = this.activeMs + (this.now() - activeSince);
        this.epochInRun = epoch + 1;
        this.currentLr = learningRate(config.schedule, this.baseLr, epoch, epochs);
        if (this.optimizer !== null) this.optimizer.lr = this.currentLr;
        // Each epoch's order depends only on the seed and the epoch number, so a resumed run
        // sees the batches an uninterrupted one would have.
        order.set(this.trainIndices);
        shuffleInPlace(order, new Random(hash32(shuffleSeed, epoch)));
        this.lossMeter.reset();
        this.confusion?.reset();

        for (let b = 0; b < stepsPerEpoch; b++) {
          // Batch boundary: let the host in now and then, then honour pause and stop.
          const t = this.now();
          if (t - lastYield >= YIELD_MS || this.pauseRequested) {
            await yieldToEventLoop();
            lastYield = this.now();
          }
          if (this.pauseRequested && !this.stopRequested) {
            this.activeMs += this.now() - activeSince;
            await this.waitWhilePaused();
            activeSince = this.now();
            lastYield = activeSince;
          }
          if (this.stopRequested) break;

          const start = b * this.batchSize;
          const size = Math.min(this.batchSize, n - start);
          const slot = feeder.load(order, start, size);
          const loss = await this.trainBatch(slot, order, start);
          if (!Number.isFinite(loss)) {
            failure = notFinite(loss, this.globalStep + 1, epoch + 1, this.currentLr, this.optimizer?.type ?? 'perceptron');
            status = 'failed';
            break;
          }
          if (this.diverging(loss)) {
            failure = diverged(this.firstLoss!, loss, this.globalStep + 1, epoch + 1, this.currentLr, this.optimizer?.type ?? 'perceptron');
            status = 'failed';
            break;
          }
          this.firstLoss ??= loss;
          this.globalStep++;
          this.stepInEpoch = b + 1;
          this.samplesDone += size;
          this.lossMeter.add(loss, size);
          this.onStep?.(this.globalStep, loss);
          this.progressDirty = true;
          this.activeMs += this.now() - activeSince;
          activeSince = this.now();
          this.flushEvents(false);
        }
        if (status === 'failed' || this.stopRequested) break;

        const validation = this.validationIndices.length > 0 ? await this.validate(feeder) : undefined;
        this.completedEpochs = epoch + 1;
        this.activeMs += this.now() - activeSince;
        activeSince = this.now();
        const record: EpochRecord = {
          epoch: epoch + 1,
          step: this.globalStep,
          lr: this.currentLr,
          seconds: (this.activeMs - epochActiveStart) / 1000,
          train: this.trainMetrics(),
          ...(validation !== undefined ? { validation } : {}),
        };
        records.push(record);
        this.pendingRecords.push(record);
        this.flushEvents(false);
      }
      if (status !== 'failed' && this.completedEpochs < epochs) status = 'stopped';
    } catch (error) {
      status = 'failed';
      const step = this.globalStep + 1;
      failure =
        error instanceof TrainingError
          ? { code: error.code, message: error.text, hint: error.hint, ...(error.nodeId !== undefined ? { nodeId: error.nodeId } : {}), step, epoch: this.epochInRun }
          : internalFailure(error, step, this.epochInRun);
    } finally {
      feeder?.dispose();
      this.activeMs += this.now() - activeSince;
      this.state = 'finished';
    }

    const seconds = this.activeMs / 1000;
    const result: TrainResult = {
      status,
      records,
      epoch: this.completedEpochs,
      step: this.globalStep,
      seconds,
      samplesPerSecond: seconds > 0 ? this.samplesDone / seconds : 0,
      ...(failure !== undefined ? { error: failure } : {}),
    };
    this.flushEvents(true);
    if (failure !== undefined) this.onEvent({ type: 'error', error: failure });
    this.onEvent({ type: 'done', result });
    return result;
  }

  // -------------------------------------------------------------------------------------------

  /**
   * One step on the batch in `slot`. Returns its loss; a non-finite loss is returned before any
   * update, so the weights stay those of the last good step.
   */
  private diverging(loss: number): boolean {
    return this.firstLoss !== undefined && loss > DIVERGENCE_FACTOR * Math.max(this.firstLoss, 1);
  }

  private async trainBatch(slot: BatchSlot, order: Int32Array, start: number): Promise<number> {
    const { model, plan } = this;
    const backend = model.backend;
    try {
      const tape = this.optimizer !== null ? new Tape() : undefined;
      const result = model.forward(slot.x, slot.labels, { training: true, step: this.globalStep, fuse: true, ...(tape === undefined ? {} : { tape }) });
      if (result.loss === null) throw new Error('the graph computed no loss: connect a loss node (and give labels)');
      const loss = (await readValues(result.loss))[0]!;
      // Checked before the update, so a stopped run keeps the weights of the step before.
      if (!Number.isFinite(loss) || this.diverging(loss)) return loss;
      if (this.confusion !== null && plan.decoder !== null) {
        const labels = this.train.y as Int32Array;
        for (let i = 0; i < slot.n; i++) this.orderedLabels[i] = labels[order[start + i]!]!;
        const prediction = result.outputs.get(plan.predictionId)![plan.predictionOutput]!;
        this.confusion.addBatch(await readValues(prediction), plan.predictionWidth, this.orderedLabels, 0, slot.n, plan.decoder);
      }
      if (this.optimizer !== null) this.optimizer.step(tape!.backward(result.loss));
      else perceptronUpdate(model.layer(plan.perceptronId!), slot.x, slot.target!, this.currentLr);
      return loss;
    } finally {
      backend.endStep();
    }
  }

  private async validate(feeder: BatchFeeder): Promise<Metrics> {
    const confusion = this.plan.decoder !== null ? new ConfusionMatrix(this.plan.classes) : null;
    const batch = Math.max(1, Math.min(Math.max(this.batchSize, this.evalBatch), this.validationIndices.length));
    const loss = await evaluateInto(this.model, this.plan, feeder, this.validationIndices, batch, confusion, this.train);
    return {
      loss: loss.mean,
      samples: loss.samples,
      ...(confusion !== null ? { accuracy: confusion.accuracy(), perClassAccuracy: confusion.perClassAccuracy() } : {}),
    };
  }

  private trainMetrics(): Metrics {
    const c = this.confusion;
    return {
      loss: this.lossMeter.mean,
      samples: this.lossMeter.samples,
      ...(c !== null ? { accuracy: c.accuracy(), perClassAccuracy: c.perClassAccuracy() } : {}),
    };
  }

  /** Emits what waits, at most one event per window (`force` at the end: everything left). */
  private flushEvents(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastEmit < this.minInterval) return;
    if (this.pendingRecords.length > 0) {
      const records = this.pendingRecords;
      this.pendingRecords = [];
      this.lastEmit = t;
      this.onEvent({ type: 'epoch', records });
      if (!force) return;
    }
    if (this.progressDirty && !force) {
      this.progressDirty = false;
      this.lastEmit = t;
      this.onEvent(this.progressEvent());
    }
  }

  private progressEvent(): ProgressEvent {
    const rate = this.activeMs > 0 ? (this.samplesDone * 1000) / this.activeMs : 0;
    const left = this.samplesTotal - this.samplesDone;
    const accuracy = this.confusion !== null && this.confusion.samples > 0 ? this.confusion.accuracy() : undefined;
    return {
      type: 'progress',
      epoch: this.epochInRun,
      epochs: this.config.epochs,
      step: this.globalStep,
      stepInEpoch: this.stepInEpoch,
      stepsPerEpoch: Math.ceil(this.trainIndices.length / this.batchSize),
      loss: this.lossMeter.mean,
      ...(accuracy !== undefined ? { accuracy } : {}),
      lr: this.currentLr,
      samplesPerSecond: rate,
      etaSeconds: rate > 0 ? left / rate : Number.POSITIVE_INFINITY,
    };
  }

  private async waitWhilePaused(): Promise<void> {
    this.state = 'paused';
    this.flushEvents(true);
    this.onEvent({ type: 'state', state: 'paused', epoch: this.epochInRun, step: this.globalStep });
    while (this.pauseRequested && !this.stopRequested) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    this.state = 'running';
    if (!this.stopRequested) this.onEvent({ type: 'state', state: 'running', epoch: this.epochInRun, step: this.globalStep });
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** Gives the event loop a turn (host messages, timers), then continues. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A loss a million times its first value (or above a million, for losses that start below 1)
 * means the run has diverged even while the numbers are still finite: with ReLU a huge step
 * can kill every unit and leave a finite but meaningless loss that never overflows. No
 * working run grows its loss that much, so stopping is safe.
 */
const DIVERGENCE_FACTOR = 1e6;

function diverged(first: number, loss: number, step: number, epoch: number, lr: number, optimizer: string): TrainingFailure {
  const lower = Number((lr / 10).toPrecision(3));
  const from = first.toPrecision(3);
  const to = loss.toPrecision(3);
  return {
    code: 'LOSS_DIVERGED',
    step,
    epoch,
    message: text(
      `Training stopped at step ${step} (epoch ${epoch}): the loss exploded from ${from} to ${to} — training has diverged, most often because the learning rate (${lr}, ${optimizer}) is too high. The weights are kept as they were after step ${step - 1}.`,
      `ステップ ${step}（エポック ${epoch}）で学習を止めました: 損失が ${from} から ${to} に爆発的に増え、学習が発散しています。多くの場合、学習率（${lr}、${optimizer}）が大きすぎることが原因です。重みはステップ ${step - 1} の後の状態のままです。`,
    ),
    hint: text(
      `Lower the learning rate (try ${lower}); check that the inputs are normalised (pixels scaled to [0, 1], features standardised); add BatchNorm after Dense or Conv2D layers; or use Adam, which adapts its steps.`,
      `学習率を下げてください（例: ${lower}）。入力が正規化されているか（画素値を 0〜1 に、特徴量を標準化）確認し、Dense や Conv2D の後に BatchNorm を入れるか、ステップ幅を自動調整する Adam を使ってください。`,
    ),
  };
}

/** The early stop: which step, which value, and what to try — in both languages. */
function notFinite(loss: number, step: number, epoch: number, lr: number, optimizer: string): TrainingFailure {
  const value = Number.isNaN(loss) ? 'NaN' : loss > 0 ? 'Infinity' : '-Infinity';
  const lower = Number((lr / 10).toPrecision(3));
  return {
    code: 'LOSS_NOT_FINITE',
    step,
    epoch,
    message: text(
      `Training stopped at step ${step} (epoch ${epoch}): the loss became ${value}. The numbers grew until they overflowed — most often because the learning rate (${lr}, ${optimizer}) is too high. The weights are kept as they were after step ${step - 1}.`,
      `ステップ ${step}（エポック ${epoch}）で学習を止めました: 損失が ${value} になりました。数値が大きくなりすぎてあふれています。多くの場合、学習率（${lr}、${optimizer}）が大きすぎることが原因です。重みはステップ ${step - 1} の後の状態のままです。`,
    ),
    hint: text(
      `Lower the learning rate (try ${lower}); check that the inputs are normalised (pixels scaled to [0, 1], features standardised); add BatchNorm after Dense or Conv2D layers; or use Adam, which adapts its steps.`,
      `学習率を下げてください（例: ${lower}）。入力が正規化されているか（画素値を 0〜1 に、特徴量を標準化）確認し、Dense や Conv2D の後に BatchNorm を入れるか、ステップ幅を自動調整する Adam を使ってください。`,
    ),
  };
}

function internalFailure(error: unknown, step: number, epoch: number): TrainingFailure {
  const detail = error instanceof Error ? error.message : String(error);
  return {
    code: 'INTERNAL',
    step,
    epoch,
    message: text(`Training failed at step ${step} (epoch ${epoch}): ${detail}`, `ステップ ${step}（エポック ${epoch}）で学習に失敗しました: ${detail}`),
    hint: text('Check the graph and the dataset; if it persists, report it with the graph file.', 'グラフとデータセットを確認してください。繰り返す場合はグラフファイルを添えて報告してください。'),
  };
}
