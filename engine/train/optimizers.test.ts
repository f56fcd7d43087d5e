// Optimizers: the first three updates of each on a fixed quadratic, against values worked out by
// hand below (scalar arithmetic written out step by step — never by calling an optimizer), plus
// state ownership, flat memory over many steps, weight decay, skipping parameters without a
// gradient, and the factory used by the trainer.
//
// The problem: w₀ = [1, −2], L(w) = ½(w₁² + 3·w₂²), so g = [w₁, 3·w₂] at the current w.

import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { Tape } from '../autograd/tape.js';
import { fromValues, variable, type Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import {
  AdaGrad,
  Adadelta,
  Adam,
  AdamW,
  createOptimizer,
  Momentum,
  Nesterov,
  OPTIMIZER_DEFAULTS,
  RMSProp,
  SGD,
  type Optimizer,
} from './optimizers.js';

/** Runs `steps` updates and returns w after each. */
function trajectory(make: (params: readonly Tensor[]) => Optimizer, steps = 3): number[][] {
  const backend = new ReferenceBackend();
  const w = variable(backend, [2], [1, -2]);
  const curvature = fromValues(backend, [2], [1, 3], 'float32', 'persistent');
  const optimizer = make([w]);
  const out: number[][] = [];
  for (let k = 0; k < steps; k++) {
    const tape = new Tape();
    const loss = tape.record(() => ops.scale(ops.sum(ops.mul(curvature, ops.square(w))), 0.5));
    optimizer.step(tape.backward(loss));
    out.push(Array.from(w.readSync()));
    backend.endStep();
  }
  return out;
}

function expectTrajectory(actual: number[][], expected: readonly (readonly [number, number])[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((w, k) => {
    expect(w[0], `step ${k + 1}, w₁`).toBeCloseTo(expected[k]![0], 12);
    expect(w[1], `step ${k + 1}, w₂`).toBeCloseTo(expected[k]![1], 12);
  });
}

describe('optimizers: three updates against hand-computed values', () => {
  it('SGD (確率的勾配降下法): w ← w − η·g, η = 0.1', () => {
    // w₁: 1 − 0.1·1 = 0.9;      0.9 − 0.1·0.9 = 0.81;     0.81 − 0.1·0.81 = 0.729
    // w₂: −2 − 0.1·(−6) = −1.4; −1.4 − 0.1·(−4.2) = −0.98; −0.98 − 0.1·(−2.94) = −0.686
    expectTrajectory(
      trajectory((p) => new SGD(p, { lr: 0.1 })),
      [
        [0.9, -1.4],
        [0.81, -0.98],
        [0.729, -0.686],
      ],
    );
  });

  it('Momentum (モーメンタム): v ← μv − η·g, w ← w + v, η = 0.1, μ = 0.9', () => {
    // w₁: g = 1:    v = 0 − 0.1 = −0.1;                   w = 1 − 0.1 = 0.9
    //     g = 0.9:  v = 0.9·(−0.1) − 0.09 = −0.18;         w = 0.9 − 0.18 = 0.72
    //     g = 0.72: v = 0.9·(−0.18) − 0.072 = −0.234;      w = 0.72 − 0.234 = 0.486
    // w₂: g = −6:    v = 0 + 0.6 = 0.6;                    w = −2 + 0.6 = −1.4
    //     g = −4.2:  v = 0.9·0.6 + 0.42 = 0.96;            w = −1.4 + 0.96 = −0.44
    //     g = −1.32: v = 0.9·0.96 + 0.132 = 0.996;         w = −0.44 + 0.996 = 0.556
    expectTrajectory(
      trajectory((p) => new Momentum(p, { lr: 0.1, momentum: 0.9 })),
      [
        [0.9, -1.4],
        [0.72, -0.44],
        [0.486, 0.556],
      ],
    );
  });

  it('Nesterov: v ← μv − η·g, w ← w + μ·v − η·g, η = 0.1, μ = 0.9', () => {
    // w₁: g = 1:      v = −0.1;                          w = 1 + 0.9·(−0.1) − 0.1 = 0.81
    //     g = 0.81:   v = −0.09 − 0.081 = −0.171;         w = 0.81 − 0.1539 − 0.081 = 0.5751
    //     g = 0.5751: v = −0.1539 − 0.05751 = −0.21141;   w = 0.5751 − 0.190269 − 0.05751 = 0.327321
    // w₂: g = −6:     v = 0.6;                           w = −2 + 0.54 + 0.6 = −0.86
    //     g = −2.58:  v = 0.54 + 0.258 = 0.798;           w = −0.86 + 0.7182 + 0.258 = 0.1162
    //     g = 0.3486: v = 0.7182 − 0.03486 = 0.68334;     w = 0.1162 + 0.615006 − 0.03486 = 0.696346
    expectTrajectory(
      trajectory((p) => new Nesterov(p, { lr: 0.1, momentum: 0.9 })),
      [
        [0.81, -0.86],
        [0.5751, 0.1162],
        [0.327321, 0.696346],
      ],
    );
  });

  it('AdaGrad: h ← h + g², w ← w − η·g/(√h + ε), η = 0.1, ε = 1e-10', () => {
    const eps = 1e-10;
    // w₁
    const a1 = 1 - (0.1 * 1) / (Math.sqrt(1) + eps); //                           g = 1,  h = 1
    const h2 = 1 + a1 ** 2;
    const a2 = a1 - (0.1 * a1) / (Math.sqrt(h2) + eps); //                        g = a1, h = 1 + a1²
    const h3 = h2 + a2 ** 2;
    const a3 = a2 - (0.1 * a2) / (Math.sqrt(h3) + eps);
    // w₂
    const b1 = -2 - (0.1 * -6) / (Math.sqrt(36) + eps); //                        g = −6, h = 36
    const k2 = 36 + (3 * b1) ** 2;
    const b2 = b1 - (0.1 * 3 * b1) / (Math.sqrt(k2) + eps);
    const k3 = k2 + (3 * b2) ** 2;
    const b3 = b2 - (0.1 * 3 * b2) / (Math.sqrt(k3) + eps);
    expect(a1).toBeCloseTo(0.9, 9); // first step: η·g/|g| = η
    expect(b1).toBeCloseTo(-1.9, 9);
    expectTrajectory(
      trajectory((p) => new AdaGrad(p, { lr: 0.1 })),
      [
        [a1, b1],
        [a2, b2],
        [a3, b3],
      ],
    );
  });

  it('RMSProp: h ← ρh + (1 − ρ)g², w ← w − η·g/(√h + ε), η = 0.01, ρ = 0.99, ε = 1e-8 (defaults)', () => {
    const eps = 1e-8;
    // w₁: g = 1 → h = 0.01·1 = 0.01, √h = 0.1, w = 1 − 0.01·1/0.1 ≈ 0.9
    const h1 = 0.01 * 1;
    const a1 = 1 - (0.01 * 1) / (Math.sqrt(h1) + eps);
    const h2 = 0.99 * h1 + 0.01 * a1 ** 2;
    const a2 = a1 - (0.01 * a1) / (Math.sqrt(h2) + eps);
    const h3 = 0.99 * h2 + 0.01 * a2 ** 2;
    const a3 = a2 - (0.01 * a2) / (Math.sqrt(h3) + eps);
    // w₂: g = −6 → h = 0.36, √h = 0.6, w = −2 + 0.06/0.6 ≈ −1.9
    const k1 = 0.01 * 36;
    const b1 = -2 - (0.01 * -6) / (Math.sqrt(k1) + eps);
    const k2 = 0.99 * k1 + 0.01 * (3 * b1) ** 2;
    const b2 = b1 - (0.01 * 3 * b1) / (Math.sqrt(k2) + eps);
    const k3 = 0.99 * k2 + 0.01 * (3 * b2) ** 2;
    const b3 = b2 - (0.01 * 3 * b2) / (Math.sqrt(k3) + eps);
    expect(a1).toBeCloseTo(0.9, 6);
    expect(b1).toBeCloseTo(-1.9, 6);
    expectTrajectory(
      trajectory((p) => new RMSProp(p)),
      [
        [a1, b1],
        [a2, b2],
        [a3, b3],
      ],
    );
  });

  it('Adadelta: s ← ρs + (1 − ρ)g², Δ = √(u + ε)/√(s + ε)·g, u ← ρu + (1 − ρ)Δ², w ← w − η·Δ (η = 1, ρ = 0.9, ε = 1e-6)', () => {
    const eps = 1e-6;
    // w₁
    const s1 = 0.1 * 1 ** 2;
    const d1 = (Math.sqrt(0 + eps) / Math.sqrt(s1 + eps)) * 1;
    const u1 = 0.1 * d1 ** 2;
    const a1 = 1 - d1;
    const s2 = 0.9 * s1 + 0.1 * a1 ** 2;
    const d2 = (Math.sqrt(u1 + eps) / Math.sqrt(s2 + eps)) * a1;
    const u2 = 0.9 * u1 + 0.1 * d2 ** 2;
    const a2 = a1 - d2;
    const s3 = 0.9 * s2 + 0.1 * a2 ** 2;
    const d3 = (Math.sqrt(u2 + eps) / Math.sqrt(s3 + eps)) * a2;
    const a3 = a2 - d3;
    // w₂ (g = 3w)
    const t1 = 0.1 * 36;
    const e1 = (Math.sqrt(0 + eps) / Math.sqrt(t1 + eps)) * -6;
    const v1 = 0.1 * e1 ** 2;
    const b1 = -2 - e1;
    const t2 = 0.9 * t1 + 0.1 * (3 * b1) ** 2;
    const e2 = (Math.sqrt(v1 + eps) / Math.sqrt(t2 + eps)) * (3 * b1);
    const v2 = 0.9 * v1 + 0.1 * e2 ** 2;
    const b2 = b1 - e2;
    const t3 = 0.9 * t2 + 0.1 * (3 * b2) ** 2;
    const e3 = (Math.sqrt(v2 + eps) / Math.sqrt(t3 + eps)) * (3 * b2);
    const b3 = b2 - e3;
    // The first step is tiny, √ε/√(0.1): Adadelta starts slowly.
    expect(1 - a1).toBeCloseTo(Math.sqrt(1e-6 / 0.100001), 12);
    expectTrajectory(
      trajectory((p) => new Adadelta(p)),
      [
        [a1, b1],
        [a2, b2],
        [a3, b3],
      ],
    );
  });

  it('Adam: bias-corrected moments, η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8', () => {
    const eps = 1e-8;
    // Step t: m ← 0.9m + 0.1g; v ← 0.999v + 0.001g²; w ← w − (η/(1 − 0.9ᵗ))·m/(√v/√(1 − 0.999ᵗ) + ε).
    // w₁
    const m1 = 0.1 * 1;
    const v1 = 0.001 * 1;
    const a1 = 1 - (0.1 / (1 - 0.9)) * (m1 / (Math.sqrt(v1) / Math.sqrt(1 - 0.999) + eps));
    const m2 = 0.9 * m1 + 0.1 * a1;
    const v2 = 0.999 * v1 + 0.001 * a1 ** 2;
    const a2 = a1 - (0.1 / (1 - 0.9 ** 2)) * (m2 / (Math.sqrt(v2) / Math.sqrt(1 - 0.999 ** 2) + eps));
    const m3 = 0.9 * m2 + 0.1 * a2;
    const v3 = 0.999 * v2 + 0.001 * a2 ** 2;
    const a3 = a2 - (0.1 / (1 - 0.9 ** 3)) * (m3 / (Math.sqrt(v3) / Math.sqrt(1 - 0.999 ** 3) + eps));
    // w₂ (g = 3w)
    const n1 = 0.1 * -6;
    const q1 = 0.001 * 36;
    const b1 = -2 - (0.1 / (1 - 0.9)) * (n1 / (Math.sqrt(q1) / Math.sqrt(1 - 0.999) + eps));
    const n2 = 0.9 * n1 + 0.1 * (3 * b1);
    const q2 = 0.999 * q1 + 0.001 * (3 * b1) ** 2;
    const b2 = b1 - (0.1 / (1 - 0.9 ** 2)) * (n2 / (Math.sqrt(q2) / Math.sqrt(1 - 0.999 ** 2) + eps));
    const n3 = 0.9 * n2 + 0.1 * (3 * b2);
    const q3 = 0.999 * q2 + 0.001 * (3 * b2) ** 2;
    const b3 = b2 - (0.1 / (1 - 0.9 ** 3)) * (n3 / (Math.sqrt(q3) / Math.sqrt(1 - 0.999 ** 3) + eps));
    // With bias correction the first step is η·sign(g): 0.9 and −1.9.
    expect(a1).toBeCloseTo(0.9, 7);
    expect(b1).toBeCloseTo(-1.9, 7);
    expectTrajectory(
      trajectory((p) => new Adam(p, { lr: 0.1 })),
      [
        [a1, b1],
        [a2, b2],
        [a3, b3],
      ],
    );
  });

  it('AdamW: w ← w·(1 − η·λ) before the Adam step (decoupled), η = 0.1, λ = 0.1', () => {
    const eps = 1e-8;
    // The gradient is taken at the current w; then w shrinks by 1 − 0.01 = 0.99; then the Adam step.
    const m1 = 0.1 * 1;
    const v1 = 0.001 * 1;
    const a1 = 1 * 0.99 - (0.1 / (1 - 0.9)) * (m1 / (Math.sqrt(v1) / Math.sqrt(1 - 0.999) + eps));
    const m2 = 0.9 * m1 + 0.1 * a1;
    const v2 = 0.999 * v1 + 0.001 * a1 ** 2;
    const a2 = a1 * 0.99 - (0.1 / (1 - 0.9 ** 2)) * (m2 / (Math.sqrt(v2) / Math.sqrt(1 - 0.999 ** 2) + eps));
    const m3 = 0.9 * m2 + 0.1 * a2;
    const v3 = 0.999 * v2 + 0.001 * a2 ** 2;
    const a3 = a2 * 0.99 - (0.1 / (1 - 0.9 ** 3)) * (m3 / (Math.sqrt(v3) / Math.sqrt(1 - 0.999 ** 3) + eps));
    const n1 = 0.1 * -6;
    const q1 = 0.001 * 36;
    const b1 = -2 * 0.99 - (0.1 / (1 - 0.9)) * (n1 / (Math.sqrt(q1) / Math.sqrt(1 - 0.999) + eps));
    const n2 = 0.9 * n1 + 0.1 * (3 * b1);
    const q2 = 0.999 * q1 + 0.001 * (3 * b1) ** 2;
    const b2 = b1 * 0.99 - (0.1 / (1 - 0.9 ** 2)) * (n2 / (Math.sqrt(q2) / Math.sqrt(1 - 0.999 ** 2) + eps));
    const n3 = 0.9 * n2 + 0.1 * (3 * b2);
    const q3 = 0.999 * q2 + 0.001 * (3 * b2) ** 2;
    const b3 = b2 * 0.99 - (0.1 / (1 - 0.9 ** 3)) * (n3 / (Math.sqrt(q3) / Math.sqrt(1 - 0.999 ** 3) + eps));
    expect(a1).toBeCloseTo(0.89, 7);
    expectTrajectory(
      trajectory((p) => new AdamW(p, { lr: 0.1, weightDecay: 0.1 })),
      [
        [a1, b1],
        [a2, b2],
        [a3, b3],
      ],
    );
  });

  it('SGD with (coupled) weight decay adds λ·w to the gradient', () => {
    // λ = 0.5: g' = g + 0.5w = [1 + 0.5, −6 − 1] = [1.5, −7]; w = [1 − 0.15, −2 + 0.7] = [0.85, −1.3].
    expectTrajectory(trajectory((p) => new SGD(p, { lr: 0.1, weightDecay: 0.5 }), 1), [[0.85, -1.3]]);
  });
});

describe('optimizers: state, memory and the factory', () => {
  const ALL: readonly [string, (p: readonly Tensor[]) => Optimizer, readonly string[]][] = [
    ['sgd', (p) => new SGD(p), []],
    ['momentum', (p) => new Momentum(p), ['velocity']],
    ['nesterov', (p) => new Nesterov(p), ['velocity']],
    ['adagrad', (p) => new AdaGrad(p), ['sumSquares']],
    ['adadelta', (p) => new Adadelta(p), ['squareAverage', 'deltaAverage']],
    ['rmsprop', (p) => new RMSProp(p), ['squareAverage']],
    ['adam', (p) => new Adam(p), ['m', 'v']],
    ['adamw', (p) => new AdamW(p), ['m', 'v']],
  ];

  for (const [type, make, names] of ALL) {
    it(`${type}: owns its persistent state, does not grow memory over 200 steps, and frees its state`, () => {
      const backend = new ReferenceBackend();
      const w = variable(backend, [3, 2], [1, -2, 0.5, 0.25, -1, 2]);
      const b = variable(backend, [2], [0.1, -0.1]);
      const before = backend.memoryBytes();
      const optimizer = make([w, b]);
      expect(optimizer.type).toBe(type);
      expect(Object.keys(optimizer.stateOf(w))).toEqual(names);
      expect(optimizer.stateTensors().length).toBe(2 * names.length);
      for (const entry of optimizer.stateTensors()) {
        expect(entry.tensor.lifetime).toBe('persistent');
        expect(entry.tensor.shape).toEqual(entry.param.shape);
      }
      const withState = backend.memoryBytes();
      const x = fromValues(backend, [4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 'float32', 'persistent');
      const afterData = backend.memoryBytes();
      let level = -1;
      for (let step = 0; step < 200; step++) {
        const tape = new Tape();
        const loss = tape.record(() => ops.mean(ops.square(ops.add(ops.matMul(x, w), b))));
        optimizer.step(tape.backward(loss));
        backend.endStep();
        if (step === 0) level = backend.memoryBytes();
        else expect(backend.memoryBytes()).toBe(level);
      }
      expect(level).toBe(afterData);
      expect(optimizer.stepsOf(w)).toBe(200);
      optimizer.dispose();
      x.dispose();
      expect(backend.memoryBytes()).toBe(before);
      expect(withState - before).toBe(names.length * 8 * 8); // 8 values per parameter set × 8 bytes (float64 reference)
    });
  }

  it('skips a parameter without a gradient, and its step count does not advance', () => {
    const backend = new ReferenceBackend();
    const used = variable(backend, [1], [1]);
    const unused = variable(backend, [1], [5]);
    const optimizer = new Adam([used, unused], { lr: 0.1 });
    const tape = new Tape();
    const loss = tape.record(() => ops.sum(ops.square(used)));
    optimizer.step(tape.backward(loss));
    expect(Array.from(unused.readSync())).toEqual([5]);
    expect(optimizer.stepsOf(used)).toBe(1);
    expect(optimizer.stepsOf(unused)).toBe(0);
  });

  it('the learning rate can change between steps (schedules)', () => {
    const backend = new ReferenceBackend();
    const w = variable(backend, [1], [1]);
    const optimizer = new SGD([w], { lr: 0.1 });
    optimizer.lr = 0.5;
    const tape = new Tape();
    // L = w, g = 1: w = 1 − 0.5.
    optimizer.step(tape.backward(tape.record(() => ops.sum(w))));
    expect(Array.from(w.readSync())).toEqual([0.5]);
  });

  it('createOptimizer builds every type of the document with its settings and PyTorch defaults', () => {
    const backend = new ReferenceBackend();
    const w = variable(backend, [1], [1]);
    for (const type of ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw'] as const) {
      const optimizer = createOptimizer({ type, lr: 0.123 }, [w]);
      expect(optimizer.type).toBe(type);
      expect(optimizer.lr).toBe(0.123);
      optimizer.dispose();
    }
    expect(OPTIMIZER_DEFAULTS.adam).toMatchObject({ lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    expect(OPTIMIZER_DEFAULTS.adamw.weightDecay).toBe(0.01);
    expect(OPTIMIZER_DEFAULTS.rmsprop).toMatchObject({ lr: 0.01, rho: 0.99, epsilon: 1e-8 });
    expect(OPTIMIZER_DEFAULTS.adadelta).toMatchObject({ lr: 1, rho: 0.9, epsilon: 1e-6 });
    expect(OPTIMIZER_DEFAULTS.adagrad).toMatchObject({ lr: 0.01, epsilon: 1e-10 });
    expect(OPTIMIZER_DEFAULTS.momentum.momentum).toBe(0.9);
    expect(createOptimizer({ type: 'adam', lr: 0.01 }, [w]).lr).toBe(0.01);
  });
});
