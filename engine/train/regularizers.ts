// L1/L2 weight penalties (荷重減衰 / weight decay), per layer, added to the loss as ops so the
// tape differentiates them with everything else and the debugger shows them in the layer's span.
// They apply to weights only (Dense and Conv2D W), not to biases or BatchNorm's γ and β, as in
// the textbook: the L2 term is ½λΣw², whose gradient λw is what "weight decay λ" subtracts.
// (Dropout and BatchNorm's train/eval behaviour live in engine/layers/regularization.ts.)

import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';

export interface WeightPenalty {
  /** λ₁ of λ₁·Σ|w| (lasso: drives weights to exactly zero). 0 by default. */
  readonly l1?: number;
  /** λ₂ of ½λ₂·Σw² (ridge: shrinks weights towards zero). 0 by default. */
  readonly l2?: number;
}

/**
 * λ₁·Σ|w| + ½λ₂·Σw² over `weights`, as a scalar tensor; null when there is nothing to add (no
 * weights, or both strengths 0), so an unregularised model records no extra ops.
 */
export function weightPenalty(weights: readonly Tensor[], penalty: WeightPenalty): Tensor | null {
  const l1 = penalty.l1 ?? 0;
  const l2 = penalty.l2 ?? 0;
  if (!(l1 >= 0 && l2 >= 0)) throw new Error(`weight penalty: strengths must be ≥ 0, got l1 = ${l1}, l2 = ${l2}`);
  let total: Tensor | null = null;
  for (const w of weights) {
    if (l1 > 0) total = plus(total, ops.scale(ops.sum(ops.abs(w)), l1));
    if (l2 > 0) total = plus(total, ops.scale(ops.sum(ops.square(w)), 0.5 * l2));
  }
  return total;
}

function plus(total: Tensor | null, term: Tensor): Tensor {
  return total === null ? term : ops.add(total, term);
}
