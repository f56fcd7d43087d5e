// Optimizers (最適化手法): SGD, Momentum, Nesterov, AdaGrad, Adadelta, RMSProp, Adam, AdamW.
// Each owns its state explicitly — persistent tensors made once, per parameter, when it is
// created — and updates parameters in place with ops + assign (Adam and AdamW with the fused
// AdamUpdate kernel, one pass per parameter), so 10,000 steps allocate only step storage
// (reclaimed by endStep). Formulas and defaults match PyTorch's (noted where the textbook
// writes the same update differently); docs/layers.md lists them with their 日本語 names.

import { assign, zeros, type Tensor } from '../core/tensor.js';
import { withoutTape } from '../autograd/tape.js';
import * as ops from '../ops/index.js';
import type { OptimizerConfig } from '../protocol/index.js';

export type OptimizerType = OptimizerConfig['type'];

/** Gradients by parameter, as tape.backward / tape.gradients return them. */
export type Gradients = ReadonlyMap<Tensor, Tensor>;

/** Hyper-parameters; each optimizer reads the ones it uses and defaults the rest (DEFAULTS). */
export interface OptimizerSettings {
  readonly lr?: number;
  /** μ of Momentum and Nesterov. */
  readonly momentum?: number;
  /** β₁, β₂ of Adam and AdamW. */
  readonly beta1?: number;
  readonly beta2?: number;
  /** ρ: decay of the squared-gradient average (RMSProp, Adadelta). */
  readonly rho?: number;
  /** ε: keeps divisions finite. */
  readonly epsilon?: number;
  /** λ: L2 added to the gradient (g + λw) for all but AdamW, whose decay is decoupled. */
  readonly weightDecay?: number;
}

type Defaults = Required<OptimizerSettings>;

/** PyTorch's defaults (lr for SGD-like methods from Keras, as PyTorch has none). */
export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerType, Defaults>> = {
  sgd: { lr: 0.01, momentum: 0, beta1: 0, beta2: 0, rho: 0, epsilon: 0, weightDecay: 0 },
  momentum: { lr: 0.01, momentum: 0.9, beta1: 0, beta2: 0, rho: 0, epsilon: 0, weightDecay: 0 },
  nesterov: { lr: 0.01, momentum: 0.9, beta1: 0, beta2: 0, rho: 0, epsilon: 0, weightDecay: 0 },
  adagrad: { lr: 0.01, momentum: 0, beta1: 0, beta2: 0, rho: 0, epsilon: 1e-10, weightDecay: 0 },
  adadelta: { lr: 1.0, momentum: 0, beta1: 0, beta2: 0, rho: 0.9, epsilon: 1e-6, weightDecay: 0 },
  rmsprop: { lr: 0.01, momentum: 0, beta1: 0, beta2: 0, rho: 0.99, epsilon: 1e-8, weightDecay: 0 },
  adam: { lr: 0.001, momentum: 0, beta1: 0.9, beta2: 0.999, rho: 0, epsilon: 1e-8, weightDecay: 0 },
  adamw: { lr: 0.001, momentum: 0, beta1: 0.9, beta2: 0.999, rho: 0, epsilon: 1e-8, weightDecay: 0.01 },
};

/** One optimizer state tensor, for checkpoints and the debugger's "optimizer update" view. */
export interface OptimizerStateEntry {
  readonly param: Tensor;
  readonly name: string;
  readonly tensor: Tensor;
}

type State = Readonly<Record<string, Tensor>>;

/**
 * The shared machinery: per-parameter state made up front, per-parameter step counts (a parameter
 * without a gradient in a step is skipped, as PyTorch skips grad = None, and its count does not
 * advance), and the tape paused during updates.
 */
export abstract class Optimizer {
  abstract readonly type: OptimizerType;
  /** The learning rate η; a schedule may change it between steps. */
  lr: number;
  readonly params: readonly Tensor[];
  protected readonly settings: Defaults;
  private readonly states: State[];
  private readonly counts: number[];
  private pending: Gradients | null = null;

  protected constructor(params: readonly Tensor[], defaults: Defaults, settings: OptimizerSettings, stateNames: readonly string[]) {
    this.settings = { ...defaults, ...definedOnly(settings) };
    this.lr = this.settings.lr;
    this.params = params.slice();
    this.states = this.params.map((p) => {
      const state: Record<string, Tensor> = {};
      for (const name of stateNames) state[name] = zeros(p.backend, p.shape, 'float32', 'persistent');
      return state;
    });
    this.counts = this.params.map(() => 0);
  }

  /** Applies one update to every parameter that has a gradient in `grads`. */
  step(grads: Gradients): void {
    this.pending = grads;
    try {
      withoutTape(this.applyPending);
    } finally {
      this.pending = null;
    }
  }

  /** Made once: `step` runs it with the tape paused, so no closure is allocated per step. */
  private readonly applyPending = (): void => {
    const grads = this.pending!;
    for (let i = 0; i < this.params.length; i++) {
      const w = this.params[i]!;
      const g = grads.get(w);
      if (g === undefined) continue;
      this.counts[i]!++;
      this.update(w, g, this.states[i]!, this.counts[i]!);
    }
  };

  /** Updates `w` in place given its gradient `g`, its state, and its step number t (1, 2, …). */
  protected abstract update(w: Tensor, g: Tensor, state: State, t: number): void;

  /** Steps taken by parameter `param` (0 before the first update). */
  stepsOf(param: Tensor): number {
    return this.counts[this.indexOf(param)]!;
  }

  /**
   * Restores a parameter's step count from a checkpoint, so a resumed Adam continues its bias
   * correction where it stopped instead of restarting at t = 1.
   */
  setStepsOf(param: Tensor, steps: number): void {
    if (!Number.isInteger(steps) || steps < 0) throw new Error(`${this.type}: a step count must be a whole number ≥ 0, got ${steps}`);
    this.counts[this.indexOf(param)] = steps;
  }

  /** The named state tensors of one parameter ({} for SGD; { velocity } for Momentum …). */
  stateOf(param: Tensor): State {
    return this.states[this.indexOf(param)]!;
  }

  /** Every state tensor, parameter by parameter. */
  stateTensors(): OptimizerStateEntry[] {
    const out: OptimizerStateEntry[] = [];
    this.params.forEach((param, i) => {
      for (const [name, tensor] of Object.entries(this.states[i]!)) out.push({ param, name, tensor });
    });
    return out;
  }

  /** Frees the state tensors (the parameters belong to the model). */
  dispose(): void {
    for (const state of this.states) for (const t of Object.values(state)) t.dispose();
  }

  /** g + λw when L2 weight decay is set (PyTorch's coupled weight_decay). */
  protected decayed(w: Tensor, g: Tensor): Tensor {
    const lambda = this.settings.weightDecay;
    return lambda > 0 ? ops.add(g, ops.scale(w, lambda)) : g;
  }

  private indexOf(param: Tensor): number {
    const i = this.params.indexOf(param);
    if (i < 0) throw new Error(`${this.type}: ${param.toString()} is not one of this optimizer's parameters`);
    return i;
  }
}

function definedOnly(settings: OptimizerSettings): OptimizerSettings {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(settings)) if (typeof value === 'number') out[key] = value;
  return out;
}

// ---------------------------------------------------------------------------------------------

/** 確率的勾配降下法 (SGD): w ← w − η·g. Full-batch gradient descent is this with one batch. */
export class SGD extends Optimizer {
  readonly type = 'sgd';
  constructor(params: readonly Tensor[], settings: OptimizerSettings = {}) {
    super(params, OPTIMIZER_DEFAULTS.sgd, settings, []);
  }
  protected update(w: Tensor, g: Tensor): void {
    assign(w, ops.sub(w, ops.scale(this.decayed(w, g), this.lr)));
  }
}

/**
 * モーメンタム (Momentum), in the textbook's velocity form:
 *   v ← μ·v − η·g,   w ← w + v.
 * PyTorch writes b ← μb + g, w ← w − η·b; with a constant η it is the same (v = −η·b).
 */
export class Momentum extends Optimizer {
  readonly type = 'momentum';
  constructor(params: readonly Tensor[], settings: OptimizerSettings = {}) {
    super(params, OPTIMIZER_DEFAULTS.momentum, settings, ['velocity']);
  }
  protected update(w: Tensor, g: Tensor, state: State): void {
    const v = state['velocity']!;
    const next = ops.sub(ops.scale(v, this.settings.momentum), ops.scale(this.decayed(w, g), this.lr));
    assign(v, next);
    assign(w, ops.add(w, next));
  }
}

/**
 * Nesterov's accelerated gradient (Sutskever et al. 2013, in Bengio et al.'s reformulation):
 *   v ← μ·v − η·g,   w ← w + μ·v − η·g   (v already updated: the step "looks ahead").
 * Equal to PyTorch's SGD(nesterov=True) for a constant η. (Some notebook code multiplies the
 * updated v by μ² instead of μ; that is not Nesterov's method.)
 */
export class Nesterov extends Optimizer {
  readonly type = 'nesterov';
  constructor(params: readonly Tensor[], settings: OptimizerSettings = {}) {
    super(params, OPTIMIZER_DEFAULTS.nesterov, settings, ['velocity']);
  }
  protected update(w: Tensor, g: Tensor, state: State): void {
    const v = state['velocity']!;
    const mu = this.settings.momentum;
    const step = ops.scale(this.decayed(w, g), this.lr);
    const next = ops.sub(ops.scale(v, mu), step);
    assign(v, next);
    assign(w, ops.sub(ops.add(w, ops.scale(next, mu)), step));
  }
}

/** AdaGrad: h ← h + g²,   w ← w − η·g / (√h + ε). */
export class AdaGrad extends Optimizer {
  readonly type = 'adagrad';
  constructor(params: readonly Tensor[], settings: OptimizerSettings = {}) {
    super(params, OPTIMIZER_DEFAULTS.adagrad, settings, ['sumSquares']);
  }
  protected update(w: Tensor, g: Tensor, state: State): void {
    const h = state['sumSquares']!;
    const grad = this.decayed(w, g);
    const next = ops.add(h, ops.square(grad));
    assign(h, next);
    assign(w, ops.sub(w, ops.div(ops.scale(grad, this.lr), ops.scale(ops.sqrt(next), 1, this.settings.epsilon))));
  }
}

/**
 * Adadelta (Zeiler 2012), as PyTorch:
 *   s ← ρ·s + (1 − ρ)·g²,   Δ = √(u + ε) / √(s + ε) · g,   u ← ρ·u + (1 − ρ)·Δ²,   w ← w − η·Δ.
 */
export class Adadelta extends Optimizer {
  readonly type = 'adadelta';
  constructor(params: readonly Tensor[], settings: OptimizerSettings = {}) {
    super(params, OPTIMIZER_DEFAULTS.adadelta, settings, ['squareAverage', 'deltaAverage']);
  }
  protected update(w: Tensor, g: Tensor, state: State): void {
    const s = state['squareAverage']!;
    const u = state['deltaAverage']!;
    const { rho, epsilon } = this.settings;
    const grad = this.decayed(w, g);
    const nextS = ops.add(ops.scale(s, rho), ops.scale(ops.square(grad), 1 - rho));
    const delta = ops.mul(ops.div(ops.sqrt(ops.scale(u, 1, epsilon)), ops.sqrt(ops.scale(nextS, 1, epsilon))), grad);
    assign(s, nextS);
    assign(u, ops.add(ops.scale(u, rho), ops.scale(ops.square(delta), 1 - rho)));
    assign(w, ops.sub(w, ops.scale(delta, this.lr)));
  }
}

/** RMSProp: h ← ρ·h + (1 − ρ)·g²,   w ← w − η·g / (√h + ε). */
export class RMSProp extends Optimizer {
  readonly type = 'rmsprop';
  constructor(params: readonly Tensor[], settings: OptimizerSettings = {}) {
    super(params, OPTIMIZER_DEFAULTS.rmsprop, settings, ['squareAverage']);
  }
  protected update(w: Tensor, g: Tensor, state: State): void {
    const h = state['squareAverage']!;
    const { rho, epsilon } = this.settings;
    const grad = this.decayed(w, g);
    const next = ops.add(ops.scale(h, rho), ops.scale(ops.square(grad), 1 - rho));
    assign(h, next);
    assign(w, ops.sub(w, ops.div(ops.scale(grad, this.lr), ops.scale(ops.sqrt(next), 1, epsilon))));
  }
}

/**
 * Adam (Kingma & Ba 2015), with bias correction, as PyTorch computes it:
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,
 *   w ← w − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
 */
export class Adam extends Optimizer {
  readonly type: OptimizerType = 'adam';
  constructor(params: readonly Tensor[], settings: OptimizerSettings = {}, defaults: Defaults = OPTIMIZER_DEFAULTS.adam) {
    super(params, defaults, settings, ['m', 'v']);
  }
  protected update(w: Tensor, g: Tensor, state: State, t: number): void {
    // As decayed(): only a positive λ adds λw to the gradient.
    this.adamStep(w, g, state, t, Math.max(this.settings.weightDecay, 0));
  }
  /**
   * One pass of the fused AdamUpdate kernel over w, g, m and v (in place), instead of about 15
   * elementwise kernels and 3 copies per parameter; `weightDecay` is the coupled L2 (g + λw).
   */
  protected adamStep(w: Tensor, g: Tensor, state: State, t: number, weightDecay: number): void {
    const { beta1, beta2, epsilon } = this.settings;
    ops.adamUpdate(w, g, state['m']!, state['v']!, {
      beta1,
      beta2,
      epsilon,
      stepSize: this.lr / (1 - beta1 ** t),
      rootCorrection: 1 / Math.sqrt(1 - beta2 ** t),
      weightDecay,
    });
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019): decoupled weight decay, w ← w − η·λ·w, applied before the Adam
 * step and not through the gradient (so the adaptive scaling does not weaken it). λ = 0.01.
 */
export class AdamW extends Adam {
  override readonly type: OptimizerType = 'adamw';
  constructor(params: readonly Tensor[], settings: OptimizerSettings = {}) {
    super(params, settings, OPTIMIZER_DEFAULTS.adamw);
  }
  protected override update(w: Tensor, g: Tensor, state: State, t: number): void {
    const lambda = this.settings.weightDecay;
    if (lambda > 0) assign(w, ops.scale(w, 1 - this.lr * lambda));
    this.adamStep(w, g, state, t, 0);
  }
}

/** The optimizer a graph document's training config names, over `params`. */
export function createOptimizer(config: OptimizerSettings & { readonly type: OptimizerType }, params: readonly Tensor[]): Optimizer {
  switch (config.type) {
    case 'sgd':
      return new SGD(params, config);
    case 'momentum':
      return new Momentum(params, config);
    case 'nesterov':
      return new Nesterov(params, config);
    case 'adagrad':
      return new AdaGrad(params, config);
    case 'adadelta':
      return new Adadelta(params, config);
    case 'rmsprop':
      return new RMSProp(params, config);
    case 'adam':
      return new Adam(params, config);
    case 'adamw':
      return new AdamW(params, config);
  }
}
