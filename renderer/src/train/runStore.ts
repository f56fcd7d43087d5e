// The history of training runs this window has seen, for the panels: each run's config, its
// progress points (loss and running accuracy per step), its epoch records (train and
// validation), its state and speed. It listens to the engine's state, progress and epoch
// streams once for the whole page, so runs started from anywhere (this panel, the top bar's
// Train) are recorded, and curves of several runs can be overlaid.
//
// Views are told about changes at most NOTIFY_MS apart: the engine streams at up to 60/s, and
// redrawing every panel that often would take CPU from training on a small machine.
import type { GraphDocument, TrainBackend, TrainingConfig, TrainingProgress, TrainingStatus, WireEpochRecord } from '../../../engine/protocol/index.js';
import { getEngine } from '../host';
import { documentStore } from '../state/documentStore';

export interface ProgressPoint {
  readonly step: number;
  /** Fractional epoch (epoch − 1 + stepInEpoch / stepsPerEpoch), for an epoch axis. */
  readonly epoch: number;
  readonly loss: number | null;
  readonly accuracy: number | null;
}

export interface Run {
  /** Unique in this window (the engine's runIds start again after an engine restart). */
  readonly key: number;
  readonly runId: number;
  /** The engine process the run belongs to. */
  readonly pid: number | null;
  /** What the run trained with; null for a run this window did not start and saw only in passing. */
  readonly config: TrainingConfig | null;
  readonly backend: TrainBackend | null;
  readonly color: string;
  points: ProgressPoint[];
  epochs: WireEpochRecord[];
  status: TrainingStatus | null;
  progress: TrainingProgress | null;
  /** Shown on the curves (a user can hide a run). */
  visible: boolean;
}

/** Distinct hues for overlaid runs (colour-blind friendly order: Okabe–Ito). */
const COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#d55e00', '#56b4e9', '#f0e442', '#000000'];
/** Points kept per run; beyond it every other point is dropped (the curve keeps its shape). */
const MAX_POINTS = 4000;
const NOTIFY_MS = 500;

type Listener = () => void;

export class RunStore {
  private runs: Run[] = [];
  private nextKey = 1;
  private version = 0;
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  /** Configs of runs this window asked for, by the runId the engine answered, until the run shows up. */
  private readonly pending = new Map<number, { config: TrainingConfig; backend: TrainBackend | null }>();

  /** Listens to the engine's streams (once per page). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const engine = getEngine();
    engine.subscribe(() => {
      const training = engine.getSnapshot().training;
      if (training !== null) this.onState(training);
    });
    engine.listen('progress', {}, (progress) => this.onProgress(progress));
    engine.listen('epoch', {}, (data) => this.onEpochs(data.runId, data.records));
  }

  getVersion = (): number => this.version;

  subscribe = (listener: Listener): (() => void) => {
    this.start();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  all(): readonly Run[] {
    return this.runs;
  }

  /** The newest run (the one the engine is on, or ended last). */
  current(): Run | null {
    return this.runs[this.runs.length - 1] ?? null;
  }

  /** Starts a run of `doc` on `backend`; its config is recorded with it. */
  async startRun(doc: GraphDocument, backend: TrainBackend): Promise<number> {
    this.start();
    const { runId } = await getEngine().call('train.start', { document: doc, backend });
    const run = this.find(runId);
    // The state stream may have announced the run before the call's answer came back.
    if (run !== undefined) this.replace(run, { ...run, config: doc.training, backend });
    else this.pending.set(runId, { config: doc.training, backend });
    return runId;
  }

  setVisible(key: number, visible: boolean): void {
    const run = this.runs.find((r) => r.key === key);
    if (run === undefined || run.visible === visible) return;
    run.visible = visible;
    this.changed(true);
  }

  /** Forgets ended runs (the current one stays while it is under way). */
  clear(): void {
    const current = this.current();
    const active = current?.status !== null && current?.status !== undefined && ['loading', 'running', 'paused'].includes(current.status.state);
    this.runs = active && current !== null ? [current] : [];
    this.changed(true);
  }

  private find(runId: number): Run | undefined {
    const pid = getEngine().getSnapshot().pid;
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i]!;
      if (run.runId === runId && run.pid === pid) return run;
    }
    return undefined;
  }

  private replace(run: Run, next: Run): void {
    this.runs = this.runs.map((r) => (r === run ? next : r));
    this.changed(true);
  }

  private ensure(runId: number): Run {
    const existing = this.find(runId);
    if (existing !== undefined) return existing;
    // A run this window did not start through startRun (another window, a reconnect) trained the
    // document on the canvas: its config is the document's as the run appears.
    const pending = this.pending.get(runId) ?? { config: documentStore.document.training, backend: null };
    this.pending.delete(runId);
    const key = this.nextKey++;
    const run: Run = {
      key,
      runId,
      pid: getEngine().getSnapshot().pid,
      config: pending.config,
      backend: pending.backend,
      color: COLORS[(key - 1) % COLORS.length]!,
      points: [],
      epochs: [],
      status: null,
      progress: null,
      visible: true,
    };
    this.runs = [...this.runs, run];
    return run;
  }

  private onState(status: TrainingStatus): void {
    if (status.runId === 0) return;
    const run = this.ensure(status.runId);
    if (run.status === status) return;
    run.status = status;
    // State changes (run started, ended) show at once; progress waits for the next tick.
    this.changed(true);
  }

  private onProgress(progress: TrainingProgress): void {
    const run = this.ensure(progress.runId);
    run.progress = progress;
    const epoch = progress.epoch - 1 + (progress.stepsPerEpoch > 0 ? progress.stepInEpoch / progress.stepsPerEpoch : 0);
    const last = run.points[run.points.length - 1];
    if (last === undefined || last.step < progress.step) {
      run.points.push({ step: progress.step, epoch, loss: progress.loss, accuracy: progress.accuracy ?? null });
      if (run.points.length > MAX_POINTS) run.points = run.points.filter((_, i) => i % 2 === 0 || i === run.points.length - 1);
    }
    this.changed(false);
  }

  private onEpochs(runId: number, records: readonly WireEpochRecord[]): void {
    const run = this.ensure(runId);
    run.epochs = [...run.epochs, ...records];
    this.changed(false);
  }

  private changed(now: boolean): void {
    if (now) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.notify();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.notify();
    }, NOTIFY_MS);
  }

  private notify(): void {
    this.version++;
    for (const listener of [...this.listeners]) listener();
  }
}

export const runStore = new RunStore();

/** A short description of a run for legends: its number and what it trained with. */
export function runLabel(run: Run): string {
  const c = run.config;
  if (c === null) return `#${run.runId}`;
  return `#${run.runId} ${c.optimizer.type} lr ${c.optimizer.lr} · bs ${c.batchSize}`;
}
