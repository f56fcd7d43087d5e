// Fused optimizer updates: kernels that update parameters and optimizer state in place, in one
// pass, instead of a dozen elementwise ops and copies per parameter (issue #10). They are not
// differentiable and never recorded on a tape; the optimizer calls them with the tape paused.

import type { AdamAttrs } from '../backends/backend.js';
import type { Tensor } from '../core/tensor.js';
import { assertFloat, sameBackend } from './op.js';

/**
 * One Adam step on w in place, with its moments m and v (updated in place too), given the
 * gradient g: see backend.ts AdamUpdate for the formula and the meaning of each attribute.
 */
export function adamUpdate(w: Tensor, g: Tensor, m: Tensor, v: Tensor, attrs: AdamAttrs): void {
  for (const t of [w, g, m, v]) {
    assertFloat('adamUpdate', t);
    sameBackend('adamUpdate', w, t);
    if (t.size !== w.size) throw new Error(`adamUpdate: w has ${w.size} elements but another operand has ${t.size}`);
  }
  w.backend.run('AdamUpdate', [w, g, m, v], [w, m, v], attrs);
}
