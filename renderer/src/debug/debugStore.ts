// The backprop debugger's state in the renderer: one external store (like the gallery's) that the
// debug toolbar, the debug panel, the op-graph view, the canvas's nodes and its edges all read.
// It drives the engine's debug.* methods (engine/host/debugSession.ts) and keeps what they
// answered: each node's forward outputs as they are revealed, each backward step's gradients,
// op-level views, gradient checks and the optimizer step. Breakpoints live here too (UI state):
// debugging never modifies the document.
import { useSyncExternalStore } from 'react';
import { fromWireTensor, type EngineProtocol, type GraphDocument, type ResultOf, type WireTensor } from '../../../engine/protocol/index.js';
import { getEngine } from '../host';

export type DebugStart = ResultOf<EngineProtocol, 'debug.start'>;
export type BackwardStep = ResultOf<EngineProtocol, 'debug.backward'>;
export type OpView = ResultOf<EngineProtocol, 'debug.expand'>;
export type GradCheck = ResultOf<EngineProtocol, 'debug.gradCheck'>;
export type OptimizerStep = ResultOf<EngineProtocol, 'debug.optimizerStep'>;

/** Which pass the next step runs: forward until the loss, then backward, then nothing. */
export type DebugPhase = 'forward' | 'backward' | 'done';

export interface DebugState {
  readonly active: boolean;
  /** A call to the engine is under way (buttons wait). */
  readonly busy: boolean;
  /** The last failure, as the engine worded it. */
  readonly error: string | null;
  readonly session: DebugStart | null;
  /** The graph being debugged, as it was at start (edits after that need a restart). */
  readonly document: GraphDocument | null;
  /** How many samples of the training set the batch holds (samples 0 … n−1). */
  readonly batch: number;
  /** Which sample of the batch the canvas and the panel show. */
  readonly sample: number;
  readonly phase: DebugPhase;
  /** The node stepped last (highlighted). */
  readonly current: string | null;
  readonly forward: ReadonlyMap<string, readonly WireTensor[]>;
  /** Backward steps by node id ('' for the sum of several losses). */
  readonly backward: ReadonlyMap<string, BackwardStep>;
  readonly breakpoints: ReadonlySet<string>;
  /** Where the last Continue stopped on a breakpoint. */
  readonly stoppedAt: string | null;
  /** The node whose op graph is open. */
  readonly expanded: string | null;
  /** Op views by node id, fetched for the current step (cleared on every step). */
  readonly ops: ReadonlyMap<string, OpView>;
  readonly gradChecks: ReadonlyMap<string, GradCheck>;
  readonly optimizer: OptimizerStep | null;
}

const INITIAL: DebugState = {
  active: false,
  busy: false,
  error: null,
  session: null,
  document: null,
  batch: 4,
  sample: 0,
  phase: 'forward',
  current: null,
  forward: new Map(),
  backward: new Map(),
  breakpoints: new Set(),
  stoppedAt: null,
  expanded: null,
  ops: new Map(),
  gradChecks: new Map(),
  optimizer: null,
};

let state: DebugState = INITIAL;
const listeners = new Set<() => void>();

function set(patch: Partial<DebugState>): void {
  state = { ...state, ...patch };
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const getDebugState = (): DebugState => state;

export function useDebug(): DebugState {
  return useSyncExternalStore(subscribe, getDebugState);
}

/** One value derived from the debug state; `select` must return a primitive or a cached object. */
export function useDebugSelector<T>(select: (s: DebugState) => T): T {
  return useSyncExternalStore(subscribe, () => select(state));
}

const engine = getEngine;

/** Runs one engine call with the busy flag up; failures end up in `error`, never thrown at the UI. */
async function guarded(work: () => Promise<void>): Promise<void> {
  if (state.busy) return;
  set({ busy: true, error: null });
  try {
    await work();
  } catch (error) {
    set({ error: error instanceof Error ? error.message : String(error) });
  } finally {
    set({ busy: false });
  }
}

// ── Session ───────────────────────────────────────────────────────────────────────────────────

/** Starts (or restarts) debugging `document` on samples 0 … batch−1 with the textbook's op view. */
export function startDebugging(document: GraphDocument, batch = state.batch): Promise<void> {
  const keep = { breakpoints: state.breakpoints, batch };
  set({ ...INITIAL, ...keep, active: true });
  watchEngine();
  return guarded(async () => {
    const session = await engine().call('debug.start', { document, samples: Array.from({ length: batch }, (_, i) => i), elementary: true });
    set({ session, document });
  });
}

export function restartDebugging(): Promise<void> {
  return state.document === null ? Promise.resolve() : startDebugging(state.document);
}

let unwatchEngine: (() => void) | null = null;

/**
 * The engine holds one model at a time: a training run (train.start ends the debugger session)
 * or a restarted engine process leaves nothing to step through, so debug mode ends with it
 * instead of failing at the next step.
 */
function watchEngine(): void {
  unwatchEngine?.();
  const at = engine().getSnapshot();
  unwatchEngine = engine().subscribe(() => {
    const now = engine().getSnapshot();
    if (now.pid !== at.pid || (now.training?.runId ?? 0) !== (at.training?.runId ?? 0)) leave();
  });
}

function leave(): void {
  unwatchEngine?.();
  unwatchEngine = null;
  set({ ...INITIAL, breakpoints: state.breakpoints, batch: state.batch });
}

/** Leaves debug mode: the engine frees the session; breakpoints stay for next time. */
export async function stopDebugging(): Promise<void> {
  const wasActive = state.active;
  leave();
  if (wasActive) await engine().call('debug.end', {}).catch(() => undefined);
}

export function setBatch(batch: number): Promise<void> {
  if (state.document === null) {
    set({ batch });
    return Promise.resolve();
  }
  return startDebugging(state.document, batch);
}

export function setSample(sample: number): void {
  set({ sample: Math.max(0, Math.min(state.batch - 1, sample)) });
}

// ── Stepping ──────────────────────────────────────────────────────────────────────────────────

/** One step of whichever pass is next; returns the node stepped, or null at the end. */
async function stepOnce(): Promise<string | null> {
  if (state.session === null) return null;
  if (state.phase === 'forward') {
    const step = await engine().call('debug.forward', {});
    const forward = new Map(state.forward).set(step.nodeId, step.outputs);
    set({ forward, current: step.nodeId, phase: step.done ? 'backward' : 'forward', ops: new Map(), stoppedAt: null });
    return step.nodeId;
  }
  if (state.phase === 'backward') {
    const step = await engine().call('debug.backward', {});
    const key = step.nodeId ?? '';
    const backward = new Map(state.backward).set(key, step);
    set({ backward, current: step.nodeId, phase: step.done ? 'done' : 'backward', ops: new Map(), stoppedAt: null });
    return key;
  }
  return null;
}

/** Step over: the next node, forward then backward. */
export const stepOver = (): Promise<void> => guarded(async () => void (await stepOnce()));

/** Step into: the next node, and open its op-level graph. */
export const stepInto = (): Promise<void> =>
  guarded(async () => {
    const node = await stepOnce();
    if (node !== null && node !== '') await loadOps(node, true);
  });

/** Step backward: one node backward (after the forward pass is complete). */
export const stepBackward = (): Promise<void> =>
  guarded(async () => {
    if (state.phase === 'backward') await stepOnce();
  });

/** Runs the current pass to its end, stopping after a node with a breakpoint. */
export const continueRun = (): Promise<void> =>
  guarded(async () => {
    const phase = state.phase;
    while (state.phase === phase && phase !== 'done') {
      const node = await stepOnce();
      if (node !== null && state.breakpoints.has(node) && state.phase === phase) {
        set({ stoppedAt: node });
        return;
      }
    }
  });

export function toggleBreakpoint(nodeId: string): void {
  const breakpoints = new Set(state.breakpoints);
  if (!breakpoints.delete(nodeId)) breakpoints.add(nodeId);
  set({ breakpoints });
}

// ── Op graph, gradient check, optimizer ──────────────────────────────────────────────────────

async function loadOps(nodeId: string, open: boolean): Promise<void> {
  const view = state.ops.get(nodeId) ?? (await engine().call('debug.expand', { nodeId }));
  set({ ops: new Map(state.ops).set(nodeId, view), ...(open ? { expanded: nodeId } : {}) });
}

/** Fetches a node's op view (for the chain-rule view) without opening the op graph. */
export const fetchOps = (nodeId: string): Promise<void> => guarded(() => loadOps(nodeId, false));
export const expandNode = (nodeId: string): Promise<void> => guarded(() => loadOps(nodeId, true));
export const closeOpGraph = (): void => set({ expanded: null });

export const checkGradients = (nodeId: string): Promise<void> =>
  guarded(async () => {
    const result = await engine().call('debug.gradCheck', { nodeId, elements: 16 });
    set({ gradChecks: new Map(state.gradChecks).set(nodeId, result) });
  });

/** The gradient check of every node in forward order. */
export const checkAllGradients = (): Promise<void> =>
  guarded(async () => {
    const checks = new Map(state.gradChecks);
    for (const nodeId of state.session?.forwardOrder ?? []) checks.set(nodeId, await engine().call('debug.gradCheck', { nodeId, elements: 16 }));
    set({ gradChecks: checks });
  });

export const applyOptimizerStep = (): Promise<void> =>
  guarded(async () => {
    set({ optimizer: await engine().call('debug.optimizerStep', {}) });
  });

// ── Derived views ─────────────────────────────────────────────────────────────────────────────

/** The values of one sample of a batch-first tensor (the whole tensor for a scalar). */
export function sampleOf(tensor: WireTensor, sample: number): Float32Array | Int32Array {
  const values = fromWireTensor(tensor);
  if (tensor.shape.length === 0) return values;
  const n = tensor.shape[0]!;
  const per = n === 0 ? 0 : values.length / n;
  const s = Math.min(sample, n - 1);
  return values.subarray(s * per, (s + 1) * per);
}

/** Mean |x|: the gradient magnitude the edges are coloured by. */
export function meanAbs(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.abs(values[i]!);
  return values.length === 0 ? 0 : sum / values.length;
}

/** Node gradient lookups: the output gradients a backward step reported for `nodeId`. */
export function outputGradOf(s: DebugState, nodeId: string, output: number): WireTensor | null {
  return s.backward.get(nodeId)?.outputGrads[output] ?? null;
}

/** The gradient flowing down an edge into `target`'s `port`: its dL/d(input), else the source's dL/d(output). */
export function edgeGradOf(s: DebugState, source: string, output: number, target: string, port: string): WireTensor | null {
  const fromTarget = s.backward.get(target)?.inputGrads.find((g) => g.port === port)?.tensor ?? null;
  return fromTarget ?? outputGradOf(s, source, output);
}
