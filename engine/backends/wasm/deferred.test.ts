// A 2×2 stride-2 max pool's input gradient is left unwritten (kernels/Pool.ts) until something
// reads it; a convolution's sparse filter gradient rebuilds it a plane at a time instead
// (kernels/convSparse.ts). Both must give exactly the bits of the written-out path, on any
// thread count, and nothing may read or change the tensors involved out of order. A pool that
// carries a ReLU (PoolAttrs.relu: the training model's fused ReLU → MaxPool) must give exactly
// the bits of the separate reluGrad then MaxPoolBackprop, deferred or not.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvAttrs, DataId, PoolAttrs, TensorInfo, Values } from '../backend.js';
import { Random } from '../../core/random.js';
import { createWasmBackend, type WasmBackend } from './index.js';
import type { Exports } from './context.js';
import { loadKernelModule } from './loader.js';
import { WA } from './webassembly.js';
import { sparseConvOverride } from './kernels/convSparse.js';
import { deferPoolGrad } from './kernels/Pool.js';

const POOL: PoolAttrs = { kind: 'max', kernel: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] };
const POOL_RELU: PoolAttrs = { ...POOL, relu: true };

/** No ReLU; a ReLU after the pool as its own kernels (Pool, then reluGrad of dp); or fused into the pool's. */
type Relu = 'none' | 'separate' | 'fused';

const bits = (v: Values): Uint32Array => new Uint32Array(Float32Array.from(v).buffer);

describe('the deferred max-pool gradient', () => {
  let one: WasmBackend;
  let two: WasmBackend;
  beforeAll(async () => {
    [one, two] = [await createWasmBackend({ threads: 1 }), await createWasmBackend({ threads: 2 })];
  });
  afterAll(() => {
    one?.dispose();
    two?.dispose();
  });

  function tensor(backend: WasmBackend, shape: number[], values: readonly number[], lifetime: 'step' | 'persistent' = 'step'): TensorInfo {
    const id = backend.alloc('float32', values.length, lifetime);
    backend.write(id, values);
    return { id, shape, dtype: 'float32' };
  }

  /**
   * conv (x, w) → y; max pool of y → p; the gradient dp of p goes back through MaxPoolBackprop
   * to dy and into Conv2DBackpropFilter. Without a ReLU after the pool dp is a ReLU's gradient
   * (about half zeros); with one, dp is dense and the ReLU masks it. Returns dw, db, dy (read
   * last) and how many kernels were still deferred just before dy was read.
   */
  function backward(backend: WasmBackend, x: number[], w: number[], pad: number, seed: number, ties: boolean, relu: Relu = 'none') {
    const [N, C, H, W] = x as [number, number, number, number];
    const [F, , kh, kw] = w as [number, number, number, number];
    const attrs: ConvAttrs = { stride: [1, 1], pad: [pad, pad, pad, pad], dilation: [1, 1], groups: 1 };
    const [Ho, Wo] = [H + 2 * pad - kh + 1, W + 2 * pad - kw + 1];
    const [PH, PW] = [Math.floor(Ho / 2), Math.floor(Wo / 2)];
    const rng = new Random(seed);
    const values = (n: number, keep = 1) => Array.from({ length: n }, () => (rng.uniform() < keep ? rng.normal() : 0));
    const xi = tensor(backend, x, values(N * C * H * W));
    // With `ties`: windows of equal values (the first maximum wins) and NaNs (which never win).
    const tie = () => [Number.NaN, -1, 0, 0, 1, 1][Math.floor(rng.uniform() * 6)]!;
    const y = tensor(backend, [N, F, Ho, Wo], ties ? Array.from({ length: N * F * Ho * Wo }, tie) : values(N * F * Ho * Wo));
    let dp = tensor(backend, [N, F, PH, PW], values(N * F * PH * PW, relu === 'none' ? 0.5 : 1));
    const dy = tensor(backend, [N, F, Ho, Wo], new Array<number>(N * F * Ho * Wo).fill(Number.NaN));
    const dw = tensor(backend, w, new Array<number>(F * C * kh * kw).fill(0));
    const db = tensor(backend, [F], new Array<number>(F).fill(0));
    if (relu === 'separate') {
      const p = tensor(backend, [N, F, PH, PW], new Array<number>(N * F * PH * PW).fill(0));
      const masked = tensor(backend, [N, F, PH, PW], new Array<number>(N * F * PH * PW).fill(0));
      backend.run('Pool', [y], [p], POOL);
      backend.run('Binary', [dp, p], [masked], { op: 'reluGrad' });
      dp = masked;
    }
    backend.run('MaxPoolBackprop', [dp, y], [dy], relu === 'fused' ? POOL_RELU : POOL);
    backend.run('Conv2DBackpropFilter', [xi, dy], [dw, db], attrs);
    const deferred = backend.deferredKernels();
    const out = { dw: backend.readSync(dw.id), db: backend.readSync(db.id), dy: backend.readSync(dy.id), deferred };
    backend.endStep();
    return out;
  }

  for (const [name, x, w, pad, ties] of [
    ['the lessons’ first layer, 1→16 at 28×28', [8, 1, 28, 28], [16, 1, 3, 3], 1, false],
    ['3→8 at 10×10', [5, 3, 10, 10], [8, 3, 3, 3], 1, false],
    ['an odd pool input, 2→5 at 9×11 (its last row and column get no gradient)', [4, 2, 9, 11], [5, 2, 3, 3], 1, false],
    ['6×7 planes: nonzeros past the last whole vector of a plane (db’s scalar tail)', [32, 2, 6, 7], [16, 2, 3, 3], 1, false],
    ['5×5 kernel, 1→4 at 12×12', [3, 1, 12, 12], [4, 1, 5, 5], 2, false],
    ['tied windows and NaNs in the pool’s input, 1→6 at 8×8', [4, 1, 8, 8], [6, 1, 3, 3], 1, true],
  ] as const) {
    for (const sparse of ['auto', 'off'] as const) {
      it(`${name}, sparse kernels ${sparse}: the same dw, db and dy bits as the written-out gradient, on 1 and 2 threads`, () => {
        sparseConvOverride.mode = sparse;
        try {
          const seed = x[1] * 100 + w[0]!;
          deferPoolGrad.enabled = false;
          const want = backward(one, [...x], [...w], pad, seed, ties);
          deferPoolGrad.enabled = true;
          const got = [backward(one, [...x], [...w], pad, seed, ties), backward(two, [...x], [...w], pad, seed, ties)];
          expect(want.deferred).toBe(0);
          for (const g of got) {
            // The sparse filter gradient used the pooled form and left dy unwritten until its read;
            // the dense paths wrote it first.
            expect(g.deferred).toBe(sparse === 'auto' ? 1 : 0);
            expect(bits(g.dw)).toEqual(bits(want.dw));
            expect(bits(g.db)).toEqual(bits(want.db));
            expect(bits(g.dy)).toEqual(bits(want.dy));
          }
          expect(want.dw.some((v) => Number.isNaN(v)) || want.dy.some((v) => Number.isNaN(v))).toBe(false);
        } finally {
          sparseConvOverride.mode = 'auto';
          deferPoolGrad.enabled = true;
        }
      });
    }
  }

  for (const [name, x, w, pad, ties] of [
    ['the lessons’ first layer, 1→16 at 28×28', [8, 1, 28, 28], [16, 1, 3, 3], 1, false],
    ['an odd pool input, 2→5 at 9×11', [4, 2, 9, 11], [5, 2, 3, 3], 1, false],
    ['16→8 at 14×14', [6, 16, 14, 14], [8, 16, 3, 3], 1, false],
    ['tied windows and NaNs in the pool’s input, 1→6 at 8×8', [4, 1, 8, 8], [6, 1, 3, 3], 1, true],
  ] as const) {
    for (const sparse of ['auto', 'off'] as const) {
      it(`with the pool’s ReLU fused, ${name}, sparse kernels ${sparse}: the bits of a separate reluGrad, deferred or not, on 1 and 2 threads`, () => {
        sparseConvOverride.mode = sparse;
        try {
          const seed = x[1] * 100 + w[0]!;
          deferPoolGrad.enabled = false;
          const want = backward(one, [...x], [...w], pad, seed, ties, 'separate');
          const written = backward(one, [...x], [...w], pad, seed, ties, 'fused');
          deferPoolGrad.enabled = true;
          const got = [written, backward(one, [...x], [...w], pad, seed, ties, 'fused'), backward(two, [...x], [...w], pad, seed, ties, 'fused')];
          expect(got.map((g) => g.deferred)).toEqual([0, sparse === 'auto' ? 1 : 0, sparse === 'auto' ? 1 : 0]);
          for (const g of got) {
            expect(bits(g.dw)).toEqual(bits(want.dw));
            expect(bits(g.db)).toEqual(bits(want.db));
            expect(bits(g.dy)).toEqual(bits(want.dy));
          }
          // The ReLU took gradient away: fewer nonzeros in dy than windows.
          const windows = want.dy.length / 4;
          expect(want.dy.filter((v) => v !== 0).length).toBeLessThan(windows);
          expect(want.dy.filter((v) => v !== 0).length).toBeGreaterThan(0);
        } finally {
          sparseConvOverride.mode = 'auto';
          deferPoolGrad.enabled = true;
        }
      });
    }
  }

  it('the sparse kernels’ density count of a ReLU-masked pooled gradient is the written-out gradient’s nonzero count', async () => {
    // maxPoolReluNonzero decides sparse or dense without writing the gradient (kernels/convSparse.ts).
    const { module } = await loadKernelModule();
    const memory = new WA.Memory({ initial: 64, maximum: 64, shared: true });
    const ex = new WA.Instance(module, { env: { memory } }).exports as unknown as Exports;
    const rng = new Random(11);
    // 14×14 planes (Wo = 7: four windows a step, then a scalar tail), some with ties, zeros and NaNs.
    for (const [planes, H, W] of [[6, 14, 14], [3, 9, 11], [2, 4, 6]] as const) {
      const [Ho, Wo] = [Math.floor(H / 2), Math.floor(W / 2)];
      const xs = Array.from({ length: planes * H * W }, () => (rng.uniform() < 0.1 ? [Number.NaN, 0, -0, 1][rng.int(4)]! : rng.normal()));
      const dps = Array.from({ length: planes * Ho * Wo }, () => (rng.uniform() < 0.3 ? 0 : rng.normal()));
      const y = tensor(one, [1, planes, H, W], xs);
      const dp = tensor(one, [1, planes, Ho, Wo], dps);
      const dy = tensor(one, [1, planes, H, W], new Array<number>(planes * H * W).fill(0));
      deferPoolGrad.enabled = false;
      one.run('MaxPoolBackprop', [dp, y], [dy], POOL_RELU);
      deferPoolGrad.enabled = true;
      const want = one.readSync(dy.id).filter((v) => v !== 0).length;
      one.endStep();
      const base = ex.heapBase();
      const view = new Float32Array(memory.buffer);
      view.set(xs, base / 4);
      view.set(dps, base / 4 + xs.length);
      expect(ex.maxPoolReluNonzero(base + 4 * xs.length, base, planes, H, W, Ho, Wo), `${planes}×${H}×${W}`).toBe(want);
      expect(want).toBeGreaterThan(0);
    }
  });

  it('a write to the pool’s gradient or input after MaxPoolBackprop does not reach its output; the end of the step drops it', () => {
    const rng = new Random(5);
    const yValues = Array.from({ length: 216 }, () => rng.normal());
    const y = tensor(one, [2, 3, 6, 6], yValues);
    const dpValues = Array.from({ length: 54 }, () => rng.normal());
    const reference = (): Values => {
      const dp = tensor(one, [2, 3, 3, 3], dpValues);
      const dy = tensor(one, [2, 3, 6, 6], new Array<number>(216).fill(0));
      deferPoolGrad.enabled = false;
      one.run('MaxPoolBackprop', [dp, y], [dy], POOL);
      deferPoolGrad.enabled = true;
      return one.readSync(dy.id);
    };
    const want = reference();
    for (const overwrite of ['dp', 'y'] as const) {
      const dp = tensor(one, [2, 3, 3, 3], dpValues);
      const dy = tensor(one, [2, 3, 6, 6], new Array<number>(216).fill(0));
      one.run('MaxPoolBackprop', [dp, y], [dy], POOL);
      expect(one.deferredKernels()).toBe(1);
      one.write((overwrite === 'dp' ? dp : y).id, new Array<number>(overwrite === 'dp' ? 54 : 216).fill(7));
      expect(one.deferredKernels()).toBe(0);
      expect(bits(one.readSync(dy.id))).toEqual(bits(want));
      one.write(y.id, yValues);
    }
    // Not read before the step ends: dropped, never computed.
    const dp = tensor(one, [2, 3, 3, 3], dpValues);
    const dy = tensor(one, [2, 3, 6, 6], new Array<number>(216).fill(0));
    one.run('MaxPoolBackprop', [dp, y], [dy], POOL);
    expect(one.deferredKernels()).toBe(1);
    one.endStep();
    expect(one.deferredKernels()).toBe(0);
  });

  it('a gradient that outlives the step is written at once', () => {
    const rng = new Random(6);
    const y = tensor(one, [1, 2, 4, 4], Array.from({ length: 32 }, () => rng.normal()), 'persistent');
    const dp = tensor(one, [1, 2, 2, 2], Array.from({ length: 8 }, () => rng.normal()), 'persistent');
    const dy = tensor(one, [1, 2, 4, 4], new Array<number>(32).fill(0), 'persistent');
    one.run('MaxPoolBackprop', [dp, y], [dy], POOL);
    expect(one.deferredKernels()).toBe(0);
    expect(one.readSync(dy.id).filter((v) => v !== 0).length).toBe(8);
    for (const t of [y, dp, dy]) one.free(t.id as DataId);
  });
});
