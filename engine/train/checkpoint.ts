// Checkpoints: a trained model's parameters and state (BatchNorm running statistics), plus the
// optimizer's state and the run's epoch and step for resuming, as `<name>.safetensors` with the
// graph document beside it as `<name>.netwright.json`. Tensors are keyed `nodeId.paramName`
// ('fc1.weight', 'bn1.runningMean'); optimizer state `optimizer.nodeId.paramName.stateName`.

import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Tensor } from '../core/tensor.js';
import { writeFileAtomic } from '../core/atomicWrite.js';
import { readSafetensors, writeSafetensors, type SafetensorsFile, type SafetensorsTensor } from '../export/safetensors.js';
import { FILE_EXTENSION, loadDocument, serializeDocument, text, type GraphDocument, type Text } from '../protocol/index.js';
import type { Model } from './model.js';
import type { Optimizer } from './optimizers.js';

export const CHECKPOINT_FORMAT = 'netwright.checkpoint';
export const CHECKPOINT_VERSION = '1';
export const WEIGHTS_EXTENSION = '.safetensors';
const OPTIMIZER_PREFIX = 'optimizer.';

/** Where a run stopped: completed epochs and global steps. */
export interface CheckpointProgress {
  readonly epoch: number;
  readonly step: number;
}

/** A checkpoint problem, in both languages, naming the tensor at fault. */
export class CheckpointError extends Error {
  readonly text: Text;
  readonly hint: Text;
  constructor(message: Text, hint: Text) {
    super(`${message.en} ${hint.en}`);
    this.name = 'CheckpointError';
    this.text = message;
    this.hint = hint;
  }
}

/** `dir/name` → the weights and graph paths of that checkpoint. */
export function checkpointPaths(base: string): { readonly weights: string; readonly graph: string } {
  return { weights: `${base}${WEIGHTS_EXTENSION}`, graph: `${base}${FILE_EXTENSION}` };
}

/** The graph file a weights file was saved beside: `x.safetensors` → `x.netwright.json`. */
export function graphBeside(weightsPath: string): string {
  const name = basename(weightsPath).replace(/\.safetensors$/, '');
  return join(dirname(weightsPath), `${name}${FILE_EXTENSION}`);
}

export interface SaveOptions {
  readonly model: Model;
  /** The document the model was built from (saved beside the weights). */
  readonly document: GraphDocument;
  /** Saved for resuming: every state tensor and each parameter's step count. */
  readonly optimizer?: Optimizer | null;
  readonly progress?: CheckpointProgress;
  /** Extra strings for `__metadata__`. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Saves `base.safetensors` and `base.netwright.json`, each atomically (temp + rename). Returns
 * both paths.
 */
export async function saveCheckpoint(base: string, options: SaveOptions): Promise<{ weights: string; graph: string }> {
  const { model, optimizer } = options;
  const paths = checkpointPaths(base);
  const tensors: SafetensorsTensor[] = [];
  const add = async (name: string, tensor: Tensor): Promise<void> => {
    const values = await tensor.read();
    const data = tensor.dtype === 'int32' ? Int32Array.from(values) : values instanceof Float32Array ? values : Float32Array.from(values);
    tensors.push({ name, dtype: tensor.dtype === 'int32' ? 'I32' : 'F32', shape: tensor.shape, data });
  };
  const keyOf = new Map<Tensor, string>();
  for (const p of model.parameters()) {
    const key = `${p.nodeId}.${p.name}`;
    keyOf.set(p.tensor, key);
    await add(key, p.tensor);
  }
  for (const s of model.state()) await add(`${s.nodeId}.${s.name}`, s.tensor);
  const metadata: Record<string, string> = {
    ...options.metadata,
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    graph: basename(paths.graph),
  };
  if (options.progress !== undefined) {
    metadata['epoch'] = String(options.progress.epoch);
    metadata['step'] = String(options.progress.step);
  }
  if (optimizer) {
    metadata['optimizer'] = optimizer.type;
    const steps: Record<string, number> = {};
    for (const param of optimizer.params) steps[keyOf.get(param)!] = optimizer.stepsOf(param);
    metadata['optimizerSteps'] = JSON.stringify(steps);
    for (const entry of optimizer.stateTensors()) await add(`${OPTIMIZER_PREFIX}${keyOf.get(entry.param)!}.${entry.name}`, entry.tensor);
  }
  await writeFileAtomic(paths.graph, serializeDocument(options.document));
  await writeSafetensors(paths.weights, tensors, metadata);
  return paths;
}

export interface Checkpoint {
  readonly path: string;
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  readonly metadata: Readonly<Record<string, string>>;
  /** Present when the checkpoint was saved by a training run. */
  readonly progress: CheckpointProgress | null;
}

export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let file: SafetensorsFile;
  try {
    file = await readSafetensors(path);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CheckpointError(
      text(`Cannot read the weights file ${path}: ${detail}`, `重みファイル ${path} を読めません: ${detail}`),
      text('Give a .safetensors file saved by `netwright train` or the app.', '`netwright train` かアプリで保存した .safetensors ファイルを指定してください。'),
    );
  }
  const tensors = new Map(file.tensors.map((t) => [t.name, t]));
  const epoch = Number(file.metadata['epoch']);
  const step = Number(file.metadata['step']);
  const progress = Number.isInteger(epoch) && Number.isInteger(step) && file.metadata['epoch'] !== undefined ? { epoch, step } : null;
  return { path, tensors, metadata: file.metadata, progress };
}

/** Reads the graph document saved beside a checkpoint (or any graph file), refusing an invalid one. */
export async function readGraphFile(path: string): Promise<GraphDocument> {
  const loaded = loadDocument(await readFile(path, 'utf8'));
  if (loaded.document === undefined) {
    const first = loaded.diagnostics[0];
    throw new CheckpointError(
      text(`The graph ${path} cannot be opened: ${first?.message.en ?? 'unknown problem'}`, `グラフ ${path} を開けません: ${first?.message.ja ?? '不明な問題'}`),
      first?.hint ?? text('', ''),
    );
  }
  return loaded.document;
}

/**
 * Loads every parameter and state tensor of `model` from `checkpoint`. Refuses, naming the tensor,
 * a missing tensor, a shape or dtype that differs, or a tensor the graph does not have — the sign
 * of weights saved from another graph.
 */
export function loadWeights(model: Model, checkpoint: Checkpoint): void {
  const expected = new Map<string, Tensor>();
  for (const p of model.parameters()) expected.set(`${p.nodeId}.${p.name}`, p.tensor);
  for (const s of model.state()) expected.set(`${s.nodeId}.${s.name}`, s.tensor);
  for (const name of checkpoint.tensors.keys()) {
    if (name.startsWith(OPTIMIZER_PREFIX) || expected.has(name)) continue;
    throw new CheckpointError(
      text(
        `The checkpoint ${checkpoint.path} has a tensor "${name}" that no node of this graph has: it was saved from a different graph.`,
        `チェックポイント ${checkpoint.path} には、このグラフのどのノードにもないテンソル "${name}" があります。別のグラフから保存されたものです。`,
      ),
      text('Open the graph saved beside the weights (.netwright.json), or train this graph anew.', '重みと一緒に保存されたグラフ（.netwright.json）を開くか、このグラフを学習し直してください。'),
    );
  }
  for (const [name, tensor] of expected) checkAndWrite(checkpoint, name, tensor);
}

/** Restores the optimizer's state tensors and per-parameter step counts (for resuming). */
export function loadOptimizerState(model: Model, optimizer: Optimizer, checkpoint: Checkpoint): void {
  const saved = checkpoint.metadata['optimizer'];
  if (saved !== optimizer.type) {
    throw new CheckpointError(
      text(
        `The checkpoint ${checkpoint.path} holds ${saved === undefined ? 'no optimizer state' : `the state of ${saved}`}, but this run uses ${optimizer.type}.`,
        `チェックポイント ${checkpoint.path} には${saved === undefined ? '最適化手法の状態がありません' : ` ${saved} の状態があります`}が、この学習は ${optimizer.type} を使います。`,
      ),
      text('Resume with the optimizer the checkpoint was trained with, or load only its weights.', 'チェックポイントと同じ最適化手法で再開するか、重みだけを読み込んでください。'),
    );
  }
  const keyOf = new Map<Tensor, string>();
  for (const p of model.parameters()) keyOf.set(p.tensor, `${p.nodeId}.${p.name}`);
  let steps: Record<string, unknown>;
  try {
    steps = JSON.parse(checkpoint.metadata['optimizerSteps'] ?? '{}') as Record<string, unknown>;
  } catch {
    steps = {};
  }
  for (const entry of optimizer.stateTensors()) checkAndWrite(checkpoint, `${OPTIMIZER_PREFIX}${keyOf.get(entry.param)!}.${entry.name}`, entry.tensor);
  for (const param of optimizer.params) {
    const t = steps[keyOf.get(param)!];
    optimizer.setStepsOf(param, typeof t === 'number' ? t : 0);
  }
}

function checkAndWrite(checkpoint: Checkpoint, name: string, tensor: Tensor): void {
  const saved = checkpoint.tensors.get(name);
  const shape = `[${tensor.shape.join(',')}]`;
  if (saved === undefined) {
    throw new CheckpointError(
      text(
        `The checkpoint ${checkpoint.path} has no tensor "${name}" (${shape}) that this graph needs: it was saved from a different graph.`,
        `チェックポイント ${checkpoint.path} に、このグラフが必要とするテンソル "${name}"（${shape}）がありません。別のグラフから保存されたものです。`,
      ),
      text('Open the graph saved beside the weights (.netwright.json), or train this graph anew.', '重みと一緒に保存されたグラフ（.netwright.json）を開くか、このグラフを学習し直してください。'),
    );
  }
  const savedShape = `[${saved.shape.join(',')}]`;
  const dtype = tensor.dtype === 'int32' ? 'I32' : 'F32';
  if (savedShape !== shape || saved.dtype !== dtype) {
    throw new CheckpointError(
      text(
        `Tensor "${name}" is ${saved.dtype}${savedShape} in the checkpoint ${checkpoint.path} but ${dtype}${shape} in this graph.`,
        `テンソル "${name}" はチェックポイント ${checkpoint.path} では ${saved.dtype}${savedShape}、このグラフでは ${dtype}${shape} です。`,
      ),
      text('The layer was resized after the weights were saved: undo the change, or train anew.', '重みの保存後に層の大きさが変わっています。変更を戻すか、学習し直してください。'),
    );
  }
  tensor.backend.write(tensor.id, saved.data);
}
