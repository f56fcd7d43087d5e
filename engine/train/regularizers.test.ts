// Weight penalties: values and gradients by hand (λ₁·sign(w) + λ₂·w), and nothing recorded when
// no penalty is set.

import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { Tape } from '../autograd/tape.js';
import { variable } from '../core/tensor.js';
import { weightPenalty } from './regularizers.js';

describe('weight penalties', () => {
  it('L2 is ½λΣw² with gradient λw; L1 is λΣ|w| with gradient λ·sign(w)', () => {
    const backend = new ReferenceBackend();
    const a = variable(backend, [2], [1, -2]);
    const b = variable(backend, [1, 2], [0.5, 3]);
    const tape = new Tape();
    const penalty = tape.record(() => weightPenalty([a, b], { l1: 0.01, l2: 0.1 }))!;
    // L1: 0.01·(1 + 2 + 0.5 + 3) = 0.065. L2: ½·0.1·(1 + 4 + 0.25 + 9) = 0.7125.
    expect(penalty.readSync()[0]).toBeCloseTo(0.065 + 0.7125, 14);
    const grads = tape.backward(penalty);
    // ∂/∂a = 0.01·[1, −1] + 0.1·[1, −2] = [0.11, −0.21]; ∂/∂b = 0.01·[1, 1] + 0.1·[0.5, 3] = [0.06, 0.31].
    const ga = Array.from(grads.get(a)!.readSync());
    const gb = Array.from(grads.get(b)!.readSync());
    [0.11, -0.21].forEach((v, i) => expect(ga[i]).toBeCloseTo(v, 14));
    [0.06, 0.31].forEach((v, i) => expect(gb[i]).toBeCloseTo(v, 14));
  });

  it('is null, with no ops recorded, when both strengths are zero or there are no weights', () => {
    const backend = new ReferenceBackend();
    const a = variable(backend, [2], [1, -2]);
    const tape = new Tape();
    tape.record(() => {
      expect(weightPenalty([a], {})).toBeNull();
      expect(weightPenalty([a], { l1: 0, l2: 0 })).toBeNull();
      expect(weightPenalty([], { l2: 0.1 })).toBeNull();
    });
    expect(tape.ops.length).toBe(0);
  });

  it('refuses negative strengths', () => {
    expect(() => weightPenalty([], { l2: -1 })).toThrow(/≥ 0/);
  });
});
