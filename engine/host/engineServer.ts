// The engine's side of the channel: one Engine per engine process (one backend, at most one
// training run, one debugger session), serving any number of connections (editor windows,
// browser tabs) with the methods and streams of engine/protocol/messages.ts. Every feature here
// is a thin adapter over the engine's own API (trainer, model, tape, checkpoints); what the
// engine cannot do is refused with a clear error rather than faked.
//
// Concurrency: the trainer yields to the event loop between batches, so messages and timers
// run only at batch boundaries, never inside a step. Anything that runs the model outside the
// trainer (predict, activations, the debugger) therefore sees whole steps and ends its own.

import { stat } from 'node:fs/promises';
import type { Backend, Values } from '../backends/backend.js';
import { fromValues } from '../core/tensor.js';
import { DatasetError, loadDataset as loadDatasetDefault, type Dataset, type DatasetConfig, type DatasetSplits, type LoadEnv } from '../data/index.js';
import {
  ChannelError,
  ChannelServer,
  ENGINE,
  loadParsed,
  text,
  toWireTensor,
  validateGraph,
  wireNumber,
  type Disposable,
  type EngineProtocol,
  type EventArgsOut,
  type EventData,
  type EventSink,
  type GraphDocument,
  type ResultOf,
  type TrainingProgress,
  type TrainBackend,
  type TrainingState,
  type TrainingStatus,
  type Transport,
  type WireDiagnostic,
  type WireEpochRecord,
  type WireHistogram,
  type WireTensor,
} from '../protocol/index.js';
import { CheckpointError, graphBeside, loadOptimizerState, loadWeights, readCheckpoint, readGraphFile, saveCheckpoint } from '../train/checkpoint.js';
import type { Metrics } from '../train/metrics.js';
import { buildModel, type Model } from '../train/model.js';
import { Trainer, TrainingError, type EpochRecord, type TaskPlan, type TrainerEvent, type TrainingFailure } from '../train/trainer.js';
import { exportOnnx, modelWeights } from '../export/onnx.js';
import { ExportError, exportTypeScript } from '../export/typescript.js';
import { createBackend, type BackendChoice, type Notice, type SelectedBackend } from './backends.js';
import { DebugSession } from './debugSession.js';
import { histogram } from './histograms.js';
import { confusionOf, datasetList, firstUnits, samplesOf, type InspectTarget } from './modelInspect.js';
import { DATA_FILES, GRAPH_FILES, WEIGHT_FILES, type PathPolicy } from './paths.js';

export type DatasetLoader = (config: DatasetConfig, env: LoadEnv) => Promise<DatasetSplits>;

export interface EngineOptions {
  /**
   * The default backend (runs that name none, the debugger, loaded checkpoints); made once, on
   * first use. As createBackend's answer, its notice (a fallback) is shown with every run on it.
   */
  readonly backend: () => Promise<Backend | SelectedBackend>;
  /** Which choice `backend` stands for: a train.start naming it shares that backend. Default 'cpu'. */
  readonly defaultChoice?: BackendChoice;
  /** Makes the backend a train.start names (once per choice). Default: createBackend (backends.ts). */
  readonly selectBackend?: (choice: TrainBackend) => Promise<SelectedBackend>;
  /** Which files callers may name (checkpoints, dataset paths). */
  readonly paths: PathPolicy;
  /** engine/data's loadDataset unless given (tests inject small in-memory sets). */
  readonly loadDataset?: DatasetLoader;
  /** Facts for the handshake (pid, backend name, threads). */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
  /** Notices and bugs, for the process's log (stderr). */
  readonly log?: (message: string) => void;
  /** Events per second the trainer emits (the channel throttles again per stream). */
  readonly trainerEventRate?: number;
  /** Sees every trainer event as emitted, before any throttling (logs, tests). */
  readonly onTrainerEvent?: (event: TrainerEvent) => void;
}

/** The most values one activations answer carries (16 MiB of float32): big graphs get the first nodes. */
const MAX_ACTIVATION_VALUES = 4 * 1024 * 1024;

/** The model the engine holds between calls: trained here, or loaded from a checkpoint. */
interface Session {
  readonly document: GraphDocument;
  readonly model: Model;
  /** Present for a model trained in this process (its optimizer state is saved with checkpoints). */
  trainer: Trainer | null;
  readonly plan: TaskPlan | null;
  dataset: Dataset | null;
}

interface LazyStream<A> {
  readonly args: A;
  readonly sink: EventSink<never>;
  readonly push: () => void;
}

type HistogramArgs = EventArgsOut<EngineProtocol, 'histograms'>;
type ActivationArgs = EventArgsOut<EngineProtocol, 'activations'>;

/** A fan-out of one stream to every subscribed connection. */
class Hub<T> {
  private readonly sinks = new Set<EventSink<T>>();
  add(sink: EventSink<T>): Disposable {
    this.sinks.add(sink);
    return { dispose: () => this.sinks.delete(sink) };
  }
  push(value: T): void {
    for (const sink of this.sinks) sink.push(value);
  }
  flush(): void {
    for (const sink of this.sinks) sink.flush();
  }
}

function nodeError(error: unknown): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof TrainingError) return new ChannelError('TRAINING', error.message, { text: error.text, hint: error.hint, ...(error.nodeId !== undefined ? { nodeId: error.nodeId } : {}) });
  if (error instanceof CheckpointError) return new ChannelError('CHECKPOINT', error.message, { text: error.text, hint: error.hint });
  if (error instanceof DatasetError) return datasetError(error);
  return new ChannelError('INTERNAL', error instanceof Error ? error.message : String(error));
}

/** An exporter's refusal (a node with no mapping, a graph with errors), naming the node. */
function exportError(error: unknown): ChannelError {
  if (!(error instanceof ExportError)) return nodeError(error);
  return new ChannelError('EXPORT', error.message, {
    text: text(error.message, error.message),
    hint: text('Replace or remove the node named, or export to TypeScript, which supports every node.', '名前の出ているノードを置き換えるか削除してください。TypeScript への書き出しはすべてのノードに対応しています。'),
    ...(error.nodeId !== undefined ? { nodeId: error.nodeId } : {}),
  });
}

/** A file name from a graph's name: "Lesson 3 — MLP" → "lesson-3-mlp". */
function exportFileName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '') || 'graph';
}

function datasetError(error: DatasetError): ChannelError {
  const where = error.file !== undefined ? ` (${error.file})` : '';
  return new ChannelError('DATASET', `${error.message}${where}`, {
    text: text(`The dataset cannot be loaded: ${error.message}${where}`, `データセットを読み込めません: ${error.message}${where}`),
    ...(error.hint !== undefined ? { hint: text(error.hint, error.hint) } : {}),
  });
}

function toFloat(values: Values): Float32Array | Int32Array {
  return values instanceof Float64Array ? Float32Array.from(values) : values;
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function wireMetrics(m: Metrics): WireEpochRecord['train'] {
  return {
    loss: wireNumber(m.loss),
    samples: m.samples,
    ...(m.accuracy !== undefined ? { accuracy: wireNumber(m.accuracy) } : {}),
    ...(m.perClassAccuracy !== undefined ? { perClassAccuracy: m.perClassAccuracy.map((a) => (a === null ? null : wireNumber(a))) } : {}),
  };
}

function wireRecord(r: EpochRecord): WireEpochRecord {
  return {
    epoch: r.epoch,
    step: r.step,
    lr: r.lr,
    seconds: r.seconds,
    train: wireMetrics(r.train),
    ...(r.validation !== undefined ? { validation: wireMetrics(r.validation) } : {}),
  };
}

function wireFailure(f: TrainingFailure): NonNullable<TrainingStatus['error']> {
  return {
    code: f.code,
    message: f.message,
    hint: f.hint,
    ...(f.nodeId !== undefined ? { nodeId: f.nodeId } : {}),
    ...(f.step !== undefined ? { step: f.step } : {}),
    ...(f.epoch !== undefined ? { epoch: f.epoch } : {}),
  };
}

export class Engine {
  private backendPromise: Promise<Backend> | null = null;
  /** The default backend's notice (it fell back to the CPU), once it is made. */
  private defaultNotice: Notice | undefined;
  /** Backends made for a train.start's `backend` choice, one per choice. */
  private readonly chosen = new Map<TrainBackend, Promise<SelectedBackend>>();
  private readonly loadDataset: DatasetLoader;
  private readonly log: (message: string) => void;

  private status: TrainingStatus = { runId: 0, state: 'idle', epoch: 0, epochs: 0, step: 0 };
  private lastProgress: TrainingProgress | null = null;
  /** Set by train.stop while the dataset is still loading. */
  private cancelLoading = false;
  private session: Session | null = null;
  private debug: DebugSession | null = null;
  private readonly datasetCache = new Map<string, DatasetSplits>();

  private readonly stateHub = new Hub<TrainingStatus>();
  private readonly progressHub = new Hub<TrainingProgress>();
  private readonly epochHub = new Hub<EventData<EngineProtocol, 'epoch'>>();
  private readonly histogramStreams = new Set<LazyStream<HistogramArgs>>();
  private readonly activationStreams = new Set<LazyStream<ActivationArgs>>();

  /** The latest copy of the gradients, taken at most as often as a histogram wants it. */
  private gradients: { step: number; values: Map<string, Float32Array> } | null = null;
  private lastGradientCapture = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: EngineOptions) {
    this.loadDataset = options.loadDataset ?? loadDatasetDefault;
    this.log = options.log ?? (() => undefined);
  }

  /** Serves one connection until it closes. */
  serve(transport: Transport): ChannelServer<EngineProtocol> {
    return new ChannelServer(transport, ENGINE, {
      info: () => ({ ...(this.options.info ?? {}) }),
      onInternalError: (error) => this.log(`engine: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
      methods: {
        validate: ({ document }) => this.validate(document),
        'train.start': (args) => this.startTraining(args.document, args.checkpoint, args.backend),
        'train.pause': () => {
          this.session?.trainer?.pause();
          return this.status;
        },
        'train.resume': () => {
          this.session?.trainer?.resume();
          return this.status;
        },
        'train.stop': () => {
          if (this.status.state === 'loading') this.cancelLoading = true;
          this.session?.trainer?.stop();
          return this.status;
        },
        'train.status': () => this.status,
        predict: ({ input }) => this.predict(input),
        'model.filters': ({ nodeId, units }) => this.filters(nodeId, units),
        'model.activations': ({ sample, nodeIds }) => this.activations(sample, nodeIds),
        'datasets.list': () => datasetList(),
        'model.confusion': async ({ maxPerCell }) => confusionOf(await this.inspectTarget(), maxPerCell),
        'data.samples': async ({ indices }) => samplesOf((await this.inspectTarget()).dataset, indices),
        'checkpoint.save': ({ path }) => this.saveCheckpoint(path),
        'checkpoint.load': ({ path }) => this.loadCheckpoint(path),
        'export.typescript': ({ document }) => this.exportTypeScript(document),
        'export.onnx': () => this.exportOnnx(),
        'debug.start': (args) => this.debugStart(args.document, args.samples ?? [0, 1, 2, 3], args.elementary ?? false, args.useTrained ?? false),
        'debug.forward': () => this.requireDebug().forward(),
        'debug.backward': () => this.requireDebug().backward(),
        'debug.expand': ({ nodeId }) => this.requireDebug().expand(nodeId),
        'debug.gradCheck': ({ nodeId, elements, epsilon }) => this.requireDebug().gradCheck(nodeId, elements, epsilon),
        'debug.optimizerStep': () => this.requireDebug().optimizerStep(),
        'debug.end': () => {
          this.endDebug();
          return {};
        },
      },
      events: {
        state: (_args, sink) => {
          sink.push(this.status);
          return this.stateHub.add(sink);
        },
        progress: (_args, sink) => {
          if (this.lastProgress !== null && this.isActive()) sink.push(this.lastProgress);
          return this.progressHub.add(sink);
        },
        epoch: (_args, sink) => this.epochHub.add(sink),
        histograms: (args, sink) => this.addLazy(this.histogramStreams, args, sink, () => this.histograms(args)),
        activations: (args, sink) => this.addLazy(this.activationStreams, args, sink, () => this.activationsForStream(args)),
      },
    });
  }

  /** Creates the backend now (compiling the kernels takes a moment) rather than at the first run. */
  prepare(): void {
    this.backend().catch((error: unknown) => this.log(`engine: the backend could not start: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** Stops training and frees every model (the process is about to exit, or a test ends). */
  async dispose(): Promise<void> {
    this.session?.trainer?.stop();
    this.endDebug();
    this.disposeSession();
    if (this.backendPromise !== null) (await this.backendPromise).dispose();
    const chosen = [...this.chosen.values()];
    this.chosen.clear();
    for (const selected of await Promise.allSettled(chosen)) if (selected.status === 'fulfilled') selected.value.backend.dispose();
  }

  /** The backend for a run: the default one, or the one made for `choice` (with its notice, if it fell back). */
  private backendFor(choice: TrainBackend | undefined): Promise<{ backend: Backend; notice?: Notice }> {
    if (choice === undefined || choice === (this.options.defaultChoice ?? 'cpu')) {
      return this.backend().then((backend) => ({ backend, ...(this.defaultNotice !== undefined ? { notice: this.defaultNotice } : {}) }));
    }
    let selected = this.chosen.get(choice);
    if (selected === undefined) {
      const created = (this.options.selectBackend ?? ((c: TrainBackend) => createBackend(c)))(choice);
      selected = created;
      this.chosen.set(choice, created);
      created.then(
        ({ notice }) => {
          if (notice !== undefined) this.log(notice.en);
        },
        // A failed start is retried by the next run rather than remembered forever.
        () => {
          if (this.chosen.get(choice) === created) this.chosen.delete(choice);
        },
      );
    }
    return selected;
  }

  private backend(): Promise<Backend> {
    if (this.backendPromise === null) {
      const created = this.options.backend().then((made) => {
        if (!('backend' in made)) return made;
        this.defaultNotice = made.notice;
        return made.backend;
      });
      this.backendPromise = created;
      // A failed start is retried by the next call rather than remembered forever.
      created.catch(() => {
        if (this.backendPromise === created) this.backendPromise = null;
      });
    }
    return this.backendPromise;
  }

  private isActive(): boolean {
    return this.status.state === 'loading' || this.status.state === 'running' || this.status.state === 'paused';
  }

  private setStatus(patch: Partial<TrainingStatus> & { state: TrainingState }): void {
    const { error: _error, result: _result, backend, notice, ...rest } = this.status;
    // A new state drops the last run's error and result unless the patch carries its own; a new
    // run (loading) drops its backend and notice too.
    this.status = { ...rest, ...(patch.state !== 'loading' ? { ...(backend !== undefined ? { backend } : {}), ...(notice !== undefined ? { notice } : {}) } : {}), ...patch };
    this.stateHub.push(this.status);
  }

  // -------------------------------------------------------------------------------------------
  // Documents

  /** Loads (migrating) a document sent as JSON and refuses one with errors, listing them. */
  private openDocument(raw: unknown): GraphDocument {
    const loaded = loadParsed(raw);
    const diagnostics = loaded.document === undefined ? loaded.diagnostics : validateGraph(loaded.document).diagnostics;
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (loaded.document === undefined || errors.length > 0) {
      const first = errors[0];
      throw new ChannelError('INVALID_GRAPH', `the graph has ${errors.length} error(s)${first !== undefined ? `: ${first.message.en}` : ''}`, {
        text: text(`The graph has ${errors.length} error(s); fix them before training.`, `グラフにエラーが ${errors.length} 件あります。学習の前に直してください。`),
        ...(first !== undefined ? { hint: first.hint } : {}),
        ...(first?.nodeId !== undefined ? { nodeId: first.nodeId } : {}),
        diagnostics: diagnostics.map((d) => ({ ...d }) as WireDiagnostic),
      });
    }
    return loaded.document;
  }

  private validate(raw: unknown): ResultOf<EngineProtocol, 'validate'> {
    const loaded = loadParsed(raw);
    if (loaded.document === undefined) {
      return { ok: false, diagnostics: loaded.diagnostics.map((d) => ({ ...d })), nodes: [], totals: { paramCount: 0, flops: 0, memoryBytes: 0 } };
    }
    const report = validateGraph(loaded.document);
    const diagnostics = [...loaded.diagnostics, ...report.diagnostics].map((d) => ({ ...d }));
    return {
      ok: !diagnostics.some((d) => d.severity === 'error'),
      diagnostics,
      ...(loaded.migratedFrom !== undefined ? { migratedFrom: loaded.migratedFrom } : {}),
      nodes: [...report.nodes.values()].map((n) => ({ id: n.id, ...(n.outputs !== undefined ? { outputs: n.outputs.map((s) => [...s]) } : {}), paramCount: n.paramCount })),
      totals: { ...report.totals },
    };
  }

  /** A dataset path is a file path too: it must pass the same checks (no reading ~/.ssh as CSV). */
  private async datasetConfig(doc: GraphDocument): Promise<DatasetConfig> {
    const config = doc.training.dataset as DatasetConfig;
    if (config.path === undefined) return config;
    const isDir = await stat(config.path).then((s) => s.isDirectory(), () => false);
    const real = await this.options.paths.resolveRead(config.path, isDir ? 'directory' : [...DATA_FILES]);
    return { ...config, path: real };
  }

  private async datasetFor(doc: GraphDocument): Promise<DatasetSplits> {
    const config = await this.datasetConfig(doc);
    const key = JSON.stringify({ config, seed: doc.training.seed });
    const cached = this.datasetCache.get(key);
    if (cached !== undefined) return cached;
    let splits: DatasetSplits;
    try {
      splits = await this.loadDataset(config, { seed: doc.training.seed, baseDir: this.options.paths.roots[0]?.real ?? process.cwd(), log: (m) => this.log(`data: ${m}`) });
    } catch (error) {
      throw error instanceof DatasetError ? datasetError(error) : nodeError(error);
    }
    // One set kept: datasets are large (CIFAR is 600 MB as float32) and usually the same.
    this.datasetCache.clear();
    this.datasetCache.set(key, splits);
    return splits;
  }

  // -------------------------------------------------------------------------------------------
  // Training

  private async startTraining(raw: unknown, checkpointPath: string | undefined, choice: TrainBackend | undefined): Promise<{ runId: number }> {
    if (this.isActive()) {
      throw new ChannelError('BUSY', `run ${this.status.runId} is still ${this.status.state}; stop it first`, {
        text: text('A training run is already going on.', '学習はすでに実行中です。'),
        hint: text('Stop it before starting another.', '別の学習を始める前に止めてください。'),
      });
    }
    const document = this.openDocument(raw);
    const checkpointFile = checkpointPath !== undefined ? await this.options.paths.resolveRead(checkpointPath, WEIGHT_FILES) : undefined;
    // A dataset path the host does not allow is refused now, in the call's own answer.
    await this.datasetConfig(document);
    if (this.isActive()) throw new ChannelError('BUSY', 'another run started meanwhile');
    this.endDebug();
    const runId = this.status.runId + 1;
    this.cancelLoading = false;
    this.lastProgress = null;
    this.setStatus({ runId, state: 'loading', epoch: 0, epochs: document.training.epochs, step: 0 });
    // Answer now; the run reports through the state stream (loading a dataset takes seconds).
    void this.runTraining(runId, document, checkpointFile, choice).catch((error: unknown) => {
      const failure = nodeError(error);
      this.log(`engine: run ${runId} failed: ${failure.message}`);
      this.setStatus({
        state: 'failed',
        error: {
          code: failure.code,
          message: failure.text ?? text(failure.message, failure.message),
          hint: failure.hint ?? text('Check the graph and the dataset.', 'グラフとデータセットを確認してください。'),
          ...(failure.nodeId !== undefined ? { nodeId: failure.nodeId } : {}),
        },
      });
    });
    return { runId };
  }

  private async runTraining(runId: number, document: GraphDocument, checkpointFile: string | undefined, choice: TrainBackend | undefined): Promise<void> {
    const splits = await this.datasetFor(document);
    const { backend, notice } = await this.backendFor(choice);
    if (this.cancelLoading) {
      this.setStatus({ state: 'stopped' });
      return;
    }
    this.disposeSession();
    const model = buildModel(document, { backend });
    let trainer: Trainer;
    try {
      trainer = new Trainer({
        document,
        train: splits.train,
        model,
        maxEventsPerSecond: this.options.trainerEventRate ?? 60,
        onEvent: (event) => this.onTrainerEvent(runId, event),
      });
    } catch (error) {
      model.dispose();
      if (error instanceof TrainingError) {
        this.setStatus({ state: 'failed', error: wireFailure({ code: error.code, message: error.text, hint: error.hint, ...(error.nodeId !== undefined ? { nodeId: error.nodeId } : {}) }) });
        return;
      }
      throw error;
    }
    this.session = { document, model, trainer, plan: trainer.plan, dataset: splits.train };
    if (checkpointFile !== undefined) {
      const checkpoint = await readCheckpoint(checkpointFile);
      loadWeights(model, checkpoint);
      if (trainer.optimizer !== null) loadOptimizerState(model, trainer.optimizer, checkpoint);
      if (checkpoint.progress !== null) trainer.resumeFrom(checkpoint.progress);
    }
    this.tapGradients(trainer);
    this.setStatus({ state: 'running', epoch: trainer.progress.epoch, step: trainer.progress.step, backend: backend.name, ...(notice !== undefined ? { notice } : {}) });
    await trainer.run();
  }

  /**
   * Gradient histograms need the gradients, which live only inside a step. The trainer has no
   * hook for them yet, so its optimizer's `step` is wrapped: when a histogram is due, the
   * gradients are copied out before the update (a few copies a second, not one per step).
   */
  private tapGradients(trainer: Trainer): void {
    const optimizer = trainer.optimizer;
    if (optimizer === null) return;
    const step = optimizer.step.bind(optimizer);
    const params = trainer.model.parameters();
    optimizer.step = (grads) => {
      if (this.gradientsDue()) {
        const values = new Map<string, Float32Array>();
        for (const p of params) {
          const g = grads.get(p.tensor);
          const backend = p.tensor.backend;
          if (g !== undefined && backend.readSync !== undefined) values.set(`${p.nodeId}.${p.name}`, Float32Array.from(backend.readSync(g.id)));
        }
        this.gradients = { step: trainer.progress.step + 1, values };
        this.lastGradientCapture = performance.now();
      }
      step(grads);
    };
  }

  private gradientsDue(): boolean {
    let rate = 0;
    for (const stream of this.histogramStreams) if (stream.args.kinds.includes('gradient')) rate = Math.max(rate, stream.args.maxRate);
    return rate > 0 && performance.now() - this.lastGradientCapture >= 1000 / rate;
  }

  private onTrainerEvent(runId: number, event: TrainerEvent): void {
    if (runId !== this.status.runId) return;
    this.options.onTrainerEvent?.(event);
    switch (event.type) {
      case 'progress': {
        const progress: TrainingProgress = {
          runId,
          epoch: event.epoch,
          epochs: event.epochs,
          step: event.step,
          stepInEpoch: event.stepInEpoch,
          stepsPerEpoch: event.stepsPerEpoch,
          loss: wireNumber(event.loss),
          ...(event.accuracy !== undefined ? { accuracy: wireNumber(event.accuracy) } : {}),
          lr: event.lr,
          samplesPerSecond: wireNumber(event.samplesPerSecond) ?? 0,
          etaSeconds: wireNumber(event.etaSeconds),
        };
        this.lastProgress = progress;
        this.status = { ...this.status, epoch: event.epoch, step: event.step };
        this.progressHub.push(progress);
        this.pushLazyStreams();
        return;
      }
      case 'epoch':
        this.epochHub.push({ runId, records: event.records.map(wireRecord) });
        this.pushLazyStreams();
        return;
      case 'state':
        this.setStatus({ state: event.state, epoch: event.epoch, step: event.step });
        return;
      case 'error':
        return; // reported with `done`, which follows
      case 'done': {
        const { result } = event;
        this.setStatus({
          state: result.status,
          epoch: result.epoch,
          step: result.step,
          result: { status: result.status, epoch: result.epoch, step: result.step, seconds: result.seconds, samplesPerSecond: wireNumber(result.samplesPerSecond) ?? 0 },
          ...(result.error !== undefined ? { error: wireFailure(result.error) } : {}),
        });
        this.pushLazyStreams();
        // A run's last values go out now, not one interval later.
        this.progressHub.flush();
        this.epochHub.flush();
        this.stateHub.flush();
        return;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lazy streams: histograms and activations are computed only when a subscriber's slot is due

  private addLazy<A>(set: Set<LazyStream<A>>, args: A, sink: EventSink<never>, make: () => unknown): Disposable {
    const stream: LazyStream<A> = { args, sink, push: () => sink.pushLazy(make as () => never) };
    set.add(stream);
    // Show the current model at once (a panel opened after training still has weights to show).
    if (this.session !== null) stream.push();
    return { dispose: () => set.delete(stream) };
  }

  private pushLazyStreams(): void {
    for (const stream of this.histogramStreams) stream.push();
    for (const stream of this.activationStreams) stream.push();
  }

  private histograms(args: HistogramArgs): EventData<EngineProtocol, 'histograms'> | undefined {
    const session = this.session;
    if (session === null) return undefined;
    const items: WireHistogram[] = [];
    const add = (nodeId: string, name: string, kind: 'weight' | 'gradient', values: ArrayLike<number>): void => {
      const h = histogram(values, args.bins);
      items.push({ nodeId, name, kind, min: h.min, max: h.max, mean: h.mean, norm: h.norm, count: h.count, nonFinite: h.nonFinite, counts: h.counts.buffer });
    };
    for (const p of session.model.parameters()) {
      const backend = p.tensor.backend;
      if (args.kinds.includes('weight') && backend.readSync !== undefined) add(p.nodeId, p.name, 'weight', backend.readSync(p.tensor.id));
      const g = this.gradients?.values.get(`${p.nodeId}.${p.name}`);
      if (args.kinds.includes('gradient') && g !== undefined) add(p.nodeId, p.name, 'gradient', g);
    }
    return { runId: this.status.runId, step: this.status.step, items };
  }

  private activationsForStream(args: ActivationArgs): EventData<EngineProtocol, 'activations'> | undefined {
    const session = this.session;
    // The debugger's tensors live in the current step: running the model would end them.
    if (session === null || session.dataset === null || this.debug !== null) return undefined;
    if (args.sample >= session.dataset.size) return undefined;
    try {
      return this.computeActivations(session, session.dataset, args.sample, args.nodeIds);
    } catch (error) {
      this.log(`engine: activations failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Using the model

  private requireModel(): Session {
    if (this.session === null) {
      throw new ChannelError('NO_MODEL', 'no model: train the graph or load a checkpoint first', {
        text: text('There is no trained model yet.', '学習済みのモデルがまだありません。'),
        hint: text('Train the graph, or load a checkpoint.', 'グラフを学習するか、チェックポイントを読み込んでください。'),
      });
    }
    return this.session;
  }

  private requireNoDebug(what: string): void {
    if (this.debug !== null) {
      throw new ChannelError('BUSY', `${what} needs the debugger session to end first (debug.end)`, {
        text: text('The debugger is open.', 'デバッガが開いています。'),
        hint: text('Close the debugger first.', '先にデバッガを閉じてください。'),
      });
    }
  }

  /** The node whose output the loss reads (the prediction) and which of its outputs. */
  private predictionOf(session: Session): { nodeId: string; output: number } {
    if (session.plan !== null) return { nodeId: session.plan.predictionId, output: session.plan.predictionOutput };
    const lossId = session.model.lossIds[0];
    const edge = session.document.edges.find((e) => e.target.node === lossId && e.target.port === 'in');
    if (edge === undefined) throw new ChannelError('NO_MODEL', 'the model has no loss to read a prediction from');
    const spec = session.model.report.nodes.get(edge.source.node)?.spec;
    return { nodeId: edge.source.node, output: Math.max(0, spec?.outputs.findIndex((o) => o.name === edge.source.port) ?? 0) };
  }

  private async predict(input: WireTensor): Promise<ResultOf<EngineProtocol, 'predict'>> {
    const session = this.requireModel();
    this.requireNoDebug('predict');
    const { model } = session;
    const inputId = model.inputIds[0];
    if (model.inputIds.length !== 1 || inputId === undefined) throw new ChannelError('BAD_ARGS', 'predict needs a graph with exactly one Input node');
    if (input.dtype !== 'float32') throw new ChannelError('BAD_ARGS', 'predict: the input must be float32');
    const sampleShape = model.outputShapes(inputId)[0] ?? [];
    const features = product(sampleShape);
    const size = product(input.shape);
    // One sample in any shape with the right size (an image for a flat Input), or a batch.
    if (features === 0 || size === 0 || size % features !== 0) {
      throw new ChannelError('BAD_ARGS', `predict: the input has ${size} values; the Input node takes samples of ${features} ([${sampleShape.join(',')}])`);
    }
    const n = size / features;
    const backend = model.backend;
    try {
      const x = fromValues(backend, [n, ...sampleShape], new Float32Array(input.data));
      const result = model.forward(x, undefined, { training: false });
      const { nodeId, output } = this.predictionOf(session);
      const y = result.outputs.get(nodeId)?.[output];
      if (y === undefined) throw new ChannelError('INTERNAL', `predict: node ${nodeId} produced no output`);
      const values = toFloat(await backend.read(y.id));
      const width = values.length / n;
      const classes: number[] = [];
      if (width > 1) {
        for (let i = 0; i < n; i++) {
          let best = 0;
          for (let j = 1; j < width; j++) if (values[i * width + j]! > values[i * width + best]!) best = j;
          classes.push(best);
        }
      }
      return { nodeId, output: toWireTensor(values, y.shape), ...(width > 1 ? { classes } : {}) };
    } catch (error) {
      throw nodeError(error);
    } finally {
      backend.endStep();
    }
  }

  private filters(nodeId: string, units: number | undefined): ResultOf<EngineProtocol, 'model.filters'> {
    const session = this.requireModel();
    if (!session.model.order.includes(nodeId)) throw new ChannelError('BAD_ARGS', `the model has no node "${nodeId}"`);
    const params = [];
    for (const p of session.model.parameters()) {
      if (p.nodeId !== nodeId) continue;
      const backend = p.tensor.backend;
      if (backend.readSync === undefined) throw new ChannelError('NOT_AVAILABLE', `reading weights synchronously is not available on the ${backend.name} backend`);
      const { values, shape } = firstUnits(toFloat(backend.readSync(p.tensor.id)), p.tensor.shape, units);
      params.push({ name: p.name, tensor: toWireTensor(values, shape) });
    }
    return { nodeId, params };
  }

  private async activations(sample: number, nodeIds: readonly string[] | undefined): Promise<ResultOf<EngineProtocol, 'model.activations'>> {
    const session = this.requireModel();
    this.requireNoDebug('model.activations');
    session.dataset ??= (await this.datasetFor(session.document)).train;
    if (sample >= session.dataset.size) throw new ChannelError('BAD_ARGS', `sample ${sample} is past the end of the dataset (${session.dataset.size} samples)`);
    try {
      return this.computeActivations(session, session.dataset, sample, nodeIds);
    } catch (error) {
      throw nodeError(error);
    }
  }

  /** The model and data the training panels inspect (modelInspect.ts): the session's. */
  private async inspectTarget(): Promise<InspectTarget> {
    const session = this.requireModel();
    this.requireNoDebug('the training panels');
    if (session.model.backend.readSync === undefined && this.status.state === 'running') {
      // Without synchronous reads an evaluation would interleave with training steps.
      throw new ChannelError('BUSY', `pause training first: the ${session.model.backend.name} backend cannot evaluate between steps`);
    }
    session.dataset ??= (await this.datasetFor(session.document)).train;
    return {
      model: session.model,
      document: session.document,
      plan: session.plan,
      dataset: session.dataset,
      validation: session.trainer?.validationIndices ?? null,
      runId: this.status.runId,
      step: this.status.step,
    };
  }

  /** One sample through the model in inference mode; each chosen node's first output. */
  private computeActivations(session: Session, dataset: Dataset, sample: number, nodeIds: readonly string[] | undefined): EventData<EngineProtocol, 'activations'> {
    const { model } = session;
    const inputId = model.inputIds[0];
    if (inputId === undefined) throw new ChannelError('BAD_ARGS', 'the graph has no Input node');
    const sampleShape = model.outputShapes(inputId)[0] ?? [];
    const features = product(sampleShape);
    if (features !== product(dataset.inputShape)) throw new ChannelError('BAD_ARGS', 'the dataset does not fit the Input node');
    for (const id of nodeIds ?? []) if (!model.order.includes(id)) throw new ChannelError('BAD_ARGS', `the model has no node "${id}"`);
    const wanted = nodeIds ?? model.order.filter((id) => id !== inputId && !model.lossIds.includes(id));
    const values = dataset.x.slice(sample * features, (sample + 1) * features);
    const backend = model.backend;
    if (backend.readSync === undefined) throw new ChannelError('NOT_AVAILABLE', `activations need synchronous reads, which the ${backend.name} backend lacks`);
    try {
      const result = model.forward(fromValues(backend, [1, ...sampleShape], values), undefined, { training: false });
      const outputs = [];
      let budget = MAX_ACTIVATION_VALUES;
      for (const id of wanted) {
        const y = result.outputs.get(id)?.[0];
        if (y === undefined || y.size > budget) continue;
        budget -= y.size;
        outputs.push({ nodeId: id, output: toWireTensor(toFloat(backend.readSync(y.id)), y.shape) });
      }
      const label = dataset.task === 'classification' ? (dataset.y[sample] ?? null) : null;
      return { runId: this.status.runId, step: this.status.step, sample, label, input: toWireTensor(values, [1, ...sampleShape]), outputs };
    } finally {
      backend.endStep();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Checkpoints

  /** The graph as a TypeScript program (docs/export.md); needs no trained model. */
  private exportTypeScript(raw: unknown): ResultOf<EngineProtocol, 'export.typescript'> {
    const doc = this.openDocument(raw);
    try {
      return { files: [{ name: `${exportFileName(doc.name)}.ts`, contents: exportTypeScript(doc) }] };
    } catch (error) {
      throw exportError(error);
    }
  }

  /**
   * The trained (or loaded) model as ONNX, base64-encoded (the result carries strings). It uses
   * the session's document, the graph the weights belong to, not the editor's current one.
   */
  private async exportOnnx(): Promise<ResultOf<EngineProtocol, 'export.onnx'>> {
    const session = this.requireModel();
    if (this.status.state === 'running' || this.status.state === 'loading') {
      throw new ChannelError('BUSY', 'pause or stop training before exporting', {
        text: text('Training is running.', '学習の実行中です。'),
        hint: text('Pause or stop it, then export.', '一時停止するか止めてから書き出してください。'),
      });
    }
    try {
      const bytes = exportOnnx(session.document, await modelWeights(session.model));
      return { files: [{ name: `${exportFileName(session.document.name)}.onnx`, contents: Buffer.from(bytes).toString('base64'), encoding: 'base64' }] };
    } catch (error) {
      throw exportError(error);
    }
  }

  private async saveCheckpoint(path: string): Promise<{ weights: string; graph: string }> {
    const session = this.requireModel();
    if (this.status.state === 'running' || this.status.state === 'loading') {
      // Saving reads every tensor across several event-loop turns; steps in between would mix weights of different steps.
      throw new ChannelError('BUSY', 'pause or stop training before saving a checkpoint', {
        text: text('Training is running.', '学習の実行中です。'),
        hint: text('Pause or stop it, then save.', '一時停止するか止めてから保存してください。'),
      });
    }
    const base = path.replace(/\.safetensors$/i, '').replace(/\.netwright\.json$/i, '');
    const weights = await this.options.paths.resolveWrite(`${base}.safetensors`, WEIGHT_FILES);
    await this.options.paths.resolveWrite(`${base}.netwright.json`, GRAPH_FILES);
    const realBase = weights.replace(/\.safetensors$/i, '');
    try {
      return await saveCheckpoint(realBase, {
        model: session.model,
        document: session.document,
        optimizer: session.trainer?.optimizer ?? null,
        ...(session.trainer !== null ? { progress: session.trainer.progress } : {}),
      });
    } catch (error) {
      throw error instanceof CheckpointError ? nodeError(error) : new ChannelError('IO', `cannot save the checkpoint: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async loadCheckpoint(path: string): Promise<ResultOf<EngineProtocol, 'checkpoint.load'>> {
    if (this.isActive()) throw new ChannelError('BUSY', 'stop training before loading a checkpoint');
    this.endDebug();
    const weights = await this.options.paths.resolveRead(path, WEIGHT_FILES);
    const graph = await this.options.paths.resolveRead(graphBeside(weights), GRAPH_FILES);
    const backend = await this.backend();
    try {
      const checkpoint = await readCheckpoint(weights);
      const document = await readGraphFile(graph);
      const model = buildModel(document, { backend });
      try {
        loadWeights(model, checkpoint);
      } catch (error) {
        model.dispose();
        throw error;
      }
      this.disposeSession();
      this.session = { document, model, trainer: null, plan: null, dataset: null };
      return { document, progress: checkpoint.progress };
    } catch (error) {
      throw nodeError(error);
    }
  }

  private disposeSession(): void {
    const session = this.session;
    if (session === null) return;
    this.session = null;
    this.gradients = null;
    session.trainer?.dispose();
    session.model.dispose();
  }

  // -------------------------------------------------------------------------------------------
  // The debugger (engine/host/debugSession.ts)

  private requireDebug(): DebugSession {
    if (this.debug === null) throw new ChannelError('DEBUG', 'no debugger session: call debug.start first');
    return this.debug;
  }

  private async debugStart(raw: unknown, samples: readonly number[], elementary: boolean, useTrained: boolean): Promise<ResultOf<EngineProtocol, 'debug.start'>> {
    if (this.isActive()) throw new ChannelError('BUSY', 'the debugger cannot start while training runs; pause is not enough, stop it');
    const document = this.openDocument(raw);
    this.endDebug();
    const dataset = (await this.datasetFor(document)).train;
    const backend = await this.backend();
    const reuse = useTrained && this.session !== null && JSON.stringify(this.session.document) === JSON.stringify(document);
    if (useTrained && !reuse) throw new ChannelError('NO_MODEL', 'useTrained: the model in the engine was not built from this graph');
    this.debug = await DebugSession.start({ document, dataset, backend, trained: reuse ? this.session!.model : null, samples, elementary });
    return this.debug.summary;
  }

  private endDebug(): void {
    const debug = this.debug;
    this.debug = null;
    debug?.end();
  }
}

