// The autograd tape. While a tape records, every op front-end appends one entry (op, inputs,
// output, attrs, graph node). Each entry belongs to the GRAPH NODE SPAN that was open when it
// ran (`tape.span(nodeId, fn)`), so the debugger can list a node's ops (`opsOf`) and run
// backward one graph node at a time (`backwardSpan`), as well as all at once (`backward`).
//
// Why span-by-span backward equals full backward bit for bit, structurally: both run the same
// `runOp` per entry, and a tensor's gradient is never accumulated eagerly. Each use of a tensor
// by a later op owns one *slot*, fixed in `beginBackward` in descending op order; the gradient
// is the sum of the slots in that fixed order, formed once every slot is filled. So the order
// in which nodes are stepped (any reverse topological order) cannot change a single bit.

import type { Tensor } from '../core/tensor.js';
import { empty, fill } from '../core/tensor.js';
import { formatShape, sameShape } from '../core/shape.js';

/** Input gradients, one per input; null means "no gradient" (zero, or not needed). */
export type InputGrads = readonly (Tensor | null)[];

/**
 * A differentiable operation as the tape knows it. Defined once per op (module-level constants
 * in engine/ops), never per call, so recording an op allocates only its entry.
 */
export interface OpDef<A = unknown> {
  /** The op's name in the op-level view: 'matMul', 'exp', 'conv2d', ... */
  readonly name: string;
  /**
   * The gradient, written in terms of ops (so every backend gets it for free): the gradients of
   * the inputs given `dy`, the gradient of the output. Absent for ops nothing flows through
   * (comparisons, argMax, oneHot, random numbers). Declared with method syntax so that an
   * OpDef<MatMulAttrs> can sit in a list of OpDef<unknown> (methods are checked bivariantly).
   */
  gradient?(dy: Tensor, op: RecordedOp<A>): InputGrads;
}

/** One recorded op: what the op-level view shows and what its gradient reads. */
export interface RecordedOp<A = unknown> {
  readonly def: OpDef<A>;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: A;
  /** The graph node whose span was open when the op ran; null outside any span. */
  readonly node: string | null;
  /** Position on the tape (recording order). */
  readonly index: number;
}

/** Whether input `i` of `op` wants a gradient: gradient functions skip the work otherwise. */
export function needsGrad(op: RecordedOp, i: number): boolean {
  return op.inputs[i]!.requiresGrad;
}

// ---------------------------------------------------------------------------------------------
// The active tape: the innermost `record`/`span` in progress. Ops consult it on every call.

let active: Tape | null = null;

export function activeTape(): Tape | null {
  return active;
}

/**
 * Called by every op front-end after running its kernel. Outside a tape it only clears
 * `requiresGrad` (inference records nothing); inside, it appends the entry.
 */
export function recordOp<A>(def: OpDef<A>, inputs: readonly Tensor[], output: Tensor, attrs: A): void {
  if (active !== null) active.push(def, inputs, output, attrs);
}

/** Makes `tape` the active tape and returns the one it replaces (to restore in a `finally`). */
function activate(tape: Tape | null): Tape | null {
  const previous = active;
  active = tape;
  return previous;
}

/** Runs `fn` with no tape recording (metrics, optimizer updates inside a recorded region). */
export function withoutTape<T>(fn: () => T): T {
  const previous = activate(null);
  try {
    return fn();
  } finally {
    activate(previous);
  }
}

export interface TapeOptions {
  /**
   * Record composite activations as the elementary ops a textbook draws (sigmoid as
   * neg → exp → +1 → 1/x, softmax as exp / sum, ...) instead of one fused kernel. For the
   * debugger's op-level view; slower, and equal to the fused forms only up to rounding.
   */
  readonly elementary?: boolean;
}

/** Per-tensor state of one backward pass. */
class GradState {
  /** One slot per recorded use (the seed, or one op input) in descending op order; undefined until filled. */
  readonly slots: (Tensor | null | undefined)[] = [];
  /** The op that fills each slot (null for the seed). */
  readonly consumers: (RecordedOp | null)[] = [];
  pending = 0;
  /** The summed gradient once formed; null means zero. */
  grad: Tensor | null | undefined = undefined;
  /** A zeros tensor handed out for a null gradient, made once. */
  zeros: Tensor | undefined = undefined;
}

interface BackwardPass {
  readonly states: Map<Tensor, GradState>;
  /** For each op: the slot each input fills, or −1; null when the op is off every path to the loss. */
  readonly slotOf: (Int32Array | null)[];
  readonly processed: Uint8Array;
}

export class Tape {
  readonly elementary: boolean;
  private readonly entries: RecordedOp[] = [];
  /** Op indices per graph node, and the nodes in the order their spans first opened. */
  private readonly byNode = new Map<string | null, number[]>();
  private readonly nodeOrder: (string | null)[] = [];
  private currentNode: string | null = null;
  /** The index list of the open span (or of unspanned ops), cached so recording skips the map. */
  private currentList: number[] | null = null;
  private pass: BackwardPass | null = null;

  constructor(options: TapeOptions = {}) {
    this.elementary = options.elementary ?? false;
  }

  // -------------------------------------------------------------------------------------------
  // Recording

  /** Runs `fn` with this tape recording the ops it performs. */
  record<T>(fn: () => T): T {
    const previous = activate(this);
    try {
      return fn();
    } finally {
      activate(previous);
    }
  }

  /**
   * Runs `fn` recording its ops as graph node `nodeId`'s (and recording, if this tape was not
   * already). Spans do not nest: a graph node's ops belong to that node alone.
   */
  span<T>(nodeId: string, fn: () => T): T {
    if (this.currentNode !== null) {
      throw new Error(`tape.span('${nodeId}'): already inside the span of '${this.currentNode}'; graph-node spans do not nest`);
    }
    const previous = activate(this);
    this.currentNode = nodeId;
    this.currentList = this.listOf(nodeId);
    try {
      return fn();
    } finally {
      this.currentNode = null;
      this.currentList = null;
      activate(previous);
    }
  }

  /** Appends one op; called through `recordOp`. */
  push<A>(def: OpDef<A>, inputs: readonly Tensor[], output: Tensor, attrs: A): void {
    if (this.pass !== null) throw new Error('tape: cannot record new ops after backward has begun; use a new Tape per step');
    // Gradients flow only into float tensors, through differentiable ops, from inputs that need them.
    let requiresGrad = false;
    if (def.gradient !== undefined && output.dtype === 'float32') {
      for (let i = 0; i < inputs.length; i++) {
        if (inputs[i]!.requiresGrad) {
          requiresGrad = true;
          break;
        }
      }
    }
    output.requiresGrad = requiresGrad;
    const index = this.entries.length;
    this.entries.push({ def, inputs, output, attrs, node: this.currentNode, index });
    const list = this.currentList ?? (this.currentList = this.listOf(this.currentNode));
    list.push(index);
  }

  private listOf(node: string | null): number[] {
    let list = this.byNode.get(node);
    if (list === undefined) {
      list = [];
      this.byNode.set(node, list);
      this.nodeOrder.push(node);
    }
    return list;
  }

  // -------------------------------------------------------------------------------------------
  // Inspection

  /** Every recorded op, in recording order. */
  get ops(): readonly RecordedOp[] {
    return this.entries;
  }

  /**
   * Graph nodes in the order their spans first opened (null stands for ops recorded outside any
   * span). Its reverse is a valid order for `backwardSpan`.
   */
  nodes(): readonly (string | null)[] {
    return this.nodeOrder;
  }

  /** The ops recorded inside `nodeId`'s span, in recording order (empty for an unknown node). */
  opsOf(nodeId: string | null): RecordedOp[] {
    const list = this.byNode.get(nodeId);
    return list === undefined ? [] : list.map((i) => this.entries[i]!);
  }

  // -------------------------------------------------------------------------------------------
  // Backward

  /**
   * Full backward: the gradient of `loss` (seeded with ones, or with `seed` of the loss's shape)
   * for every tensor on a path from a `requiresGrad` tensor to the loss — parameters and
   * intermediates alike. Tensors the loss does not depend on are absent.
   */
  backward(loss: Tensor, seed?: Tensor): Map<Tensor, Tensor> {
    this.beginBackward(loss, seed);
    for (let i = this.entries.length - 1; i >= 0; i--) this.runOp(i);
    return this.gradients();
  }

  /**
   * Starts a stepped backward pass: seeds the loss's gradient and decides, for every op, which
   * of its inputs will receive gradient and in which slot. Then call `backwardSpan` per node.
   */
  beginBackward(loss: Tensor, seed?: Tensor): void {
    if (loss.dtype !== 'float32') throw new Error(`backward: the loss must be float32, got ${loss.dtype}`);
    const seedTensor = seed ?? fill(loss.backend, loss.shape, 1);
    if (!sameShape(seedTensor.shape, loss.shape)) {
      throw new Error(`backward: seed ${formatShape(seedTensor.shape)} does not match the loss ${formatShape(loss.shape)}`);
    }
    const states = new Map<Tensor, GradState>();
    const lossState = new GradState();
    lossState.slots.push(seedTensor);
    lossState.consumers.push(null);
    states.set(loss, lossState);

    const n = this.entries.length;
    const slotOf: (Int32Array | null)[] = new Array<Int32Array | null>(n).fill(null);
    // Descending op order: by the time an op is visited, every use of its output is known, so
    // "is its output on a path to the loss" is decided, and slots are numbered in the order a
    // full backward fills them.
    for (let i = n - 1; i >= 0; i--) {
      const op = this.entries[i]!;
      if (!op.output.requiresGrad || !states.has(op.output)) continue;
      const slots = new Int32Array(op.inputs.length).fill(-1);
      for (let j = 0; j < op.inputs.length; j++) {
        const input = op.inputs[j]!;
        if (!input.requiresGrad) continue;
        let state = states.get(input);
        if (state === undefined) {
          state = new GradState();
          states.set(input, state);
        }
        slots[j] = state.slots.length;
        state.slots.push(undefined);
        state.consumers.push(op);
        state.pending++;
      }
      slotOf[i] = slots;
    }
    this.pass = { states, slotOf, processed: new Uint8Array(n) };
  }

  /** Whether `backwardSpan(nodeId)` can run now: every later use of its outputs has run backward. */
  canRunBackward(nodeId: string | null): boolean {
    return this.blockers(nodeId).length === 0;
  }

  /**
   * Runs backward for the ops of one graph node, newest first, using the upstream gradients
   * accumulated so far. Nodes must go in a reverse topological order (the reverse of `nodes()`
   * is one); a node whose outputs are still awaited by an un-stepped node is refused.
   */
  backwardSpan(nodeId: string | null): void {
    const pass = this.requirePass('backwardSpan');
    const list = this.byNode.get(nodeId);
    if (list === undefined) throw new Error(`backwardSpan: no span was recorded for node '${String(nodeId)}'`);
    for (const i of list) {
      if (pass.processed[i] === 1) throw new Error(`backwardSpan: node '${String(nodeId)}' has already run backward`);
    }
    const blockers = this.blockers(nodeId);
    if (blockers.length > 0) {
      throw new Error(
        `backwardSpan('${String(nodeId)}'): its outputs are used by ${blockers.map((b) => `'${String(b)}'`).join(', ')}, ` +
          'which must run backward first (step nodes in reverse order, e.g. the reverse of tape.nodes())',
      );
    }
    for (let k = list.length - 1; k >= 0; k--) this.runOp(list[k]!);
  }

  /**
   * The gradient of the loss with respect to `t`: a zeros tensor when `t` is on a path to the
   * loss but receives nothing (e.g. only through `step`), null when the loss does not depend on
   * `t`. Throws while `t`'s gradient is still incomplete in a stepped pass.
   */
  gradOf(t: Tensor): Tensor | null {
    const pass = this.requirePass('gradOf');
    const state = pass.states.get(t);
    if (state === undefined) return null;
    const grad = this.materialise(t, state);
    if (grad !== null) return grad;
    if (state.zeros === undefined) state.zeros = fill(t.backend, t.shape, 0);
    return state.zeros;
  }

  /** Whether `t`'s gradient is complete (every op that used it has run backward). */
  gradReady(t: Tensor): boolean {
    const state = this.pass?.states.get(t);
    return state !== undefined && state.pending === 0;
  }

  /** Every complete gradient of the current pass (all of them after a full backward). */
  gradients(): Map<Tensor, Tensor> {
    const pass = this.requirePass('gradients');
    const out = new Map<Tensor, Tensor>();
    for (const [t, state] of pass.states) {
      if (state.pending === 0) out.set(t, this.gradOf(t)!);
    }
    return out;
  }

  private requirePass(what: string): BackwardPass {
    if (this.pass === null) throw new Error(`${what}: call tape.backward(loss) or tape.beginBackward(loss) first`);
    return this.pass;
  }

  /** Nodes (other than `nodeId`) holding unfilled slots of the outputs of `nodeId`'s ops. */
  private blockers(nodeId: string | null): (string | null)[] {
    const pass = this.requirePass('backwardSpan');
    const out: (string | null)[] = [];
    for (const i of this.byNode.get(nodeId) ?? []) {
      const state = pass.states.get(this.entries[i]!.output);
      if (state === undefined || state.pending === 0) continue;
      for (let s = 0; s < state.slots.length; s++) {
        const consumer = state.consumers[s];
        if (state.slots[s] === undefined && consumer != null && consumer.node !== nodeId && !out.includes(consumer.node)) {
          out.push(consumer.node);
        }
      }
    }
    return out;
  }

  /** Backward through one op: read its output's gradient, fill its inputs' slots. */
  private runOp(i: number): void {
    const pass = this.pass!;
    pass.processed[i] = 1;
    const slots = pass.slotOf[i];
    if (slots === null || slots === undefined) return;
    const op = this.entries[i]!;
    const dy = this.materialise(op.output, pass.states.get(op.output)!);
    // A zero upstream gradient stays symbolic (null): no kernels run for it.
    let grads: InputGrads | null = null;
    if (dy !== null) {
      const previous = activate(null); // gradient ops are not recorded: no higher-order gradients
      try {
        grads = op.def.gradient!(dy, op);
      } finally {
        activate(previous);
      }
    }
    for (let j = 0; j < slots.length; j++) {
      const slot = slots[j]!;
      if (slot < 0) continue;
      const input = op.inputs[j]!;
      const g = grads === null ? null : (grads[j] ?? null);
      if (g !== null && !sameShape(g.shape, input.shape)) {
        throw new Error(`${op.def.name} gradient: input ${j} is ${formatShape(input.shape)} but its gradient is ${formatShape(g.shape)}`);
      }
      const state = pass.states.get(input)!;
      state.slots[slot] = g;
      state.pending--;
    }
  }

  /** Sums `t`'s slots in slot order, once; null when every slot is null (zero gradient). */
  private materialise(t: Tensor, state: GradState): Tensor | null {
    if (state.grad !== undefined) return state.grad;
    if (state.pending > 0) {
      const waiting = new Set<string>();
      state.slots.forEach((slot, s) => {
        if (slot === undefined) waiting.add(`'${String(state.consumers[s]?.node ?? null)}'`);
      });
      throw new Error(`gradient of ${t.toString()} is incomplete: node(s) ${[...waiting].join(', ')} that use it have not run backward yet`);
    }
    let sum: Tensor | null = null;
    for (const part of state.slots) {
      if (part === null || part === undefined) continue;
      sum = sum === null ? part : addGradients(sum, part);
    }
    state.grad = sum;
    return sum;
  }
}

/** a + b for two gradients of one tensor (same shape), straight through the Binary kernel. */
function addGradients(a: Tensor, b: Tensor): Tensor {
  const out = empty(a.backend, a.shape);
  a.backend.run('Binary', [a, b], [out], ADD);
  return out;
}

const ADD = { op: 'add' } as const;
