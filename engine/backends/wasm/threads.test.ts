// The worker pool: a whole training run is bit-identical with 1 and 2 threads (the
// determinism DESIGN.md §4 promises for CPU runs), a trap on a worker surfaces as an error on
// the calling thread, and dispose() stops the workers.

import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { Tape } from '../../autograd/tape.js';
import { Random } from '../../core/random.js';
import { assign, fromValues, variable, type Tensor } from '../../core/tensor.js';
import * as ops from '../../ops/index.js';
import { createWasmBackend, type WasmBackend } from './index.js';

/** Adam on a list of parameters, written with ops (as a trainer without a fused kernel would). */
function adam(params: readonly Tensor[]) {
  const backend = params[0]!.backend;
  const zeros = (p: Tensor) => {
    const t = variable(backend, p.shape, new Array<number>(p.size).fill(0));
    t.requiresGrad = false;
    return t;
  };
  const m = params.map(zeros);
  const v = params.map(zeros);
  let t = 0;
  return (grads: Map<Tensor, Tensor>) => {
    t++;
    const [lr, b1, b2] = [1e-3, 0.9, 0.999];
    params.forEach((p, i) => {
      const g = grads.get(p)!;
      assign(m[i]!, ops.add(ops.scale(m[i]!, b1), ops.scale(g, 1 - b1)));
      assign(v[i]!, ops.add(ops.scale(v[i]!, b2), ops.scale(ops.square(g), 1 - b2)));
      const step = ops.div(ops.scale(m[i]!, lr / (1 - b1 ** t)), ops.add(ops.sqrt(ops.scale(v[i]!, 1 / (1 - b2 ** t))), 1e-8));
      assign(p, ops.sub(p, step));
    });
  };
}

function init(backend: Backend, rng: Random, shape: number[], fanIn: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const limit = Math.sqrt(6 / fanIn);
  return variable(backend, shape, Array.from({ length: n }, () => (2 * rng.uniform() - 1) * limit));
}

/** Trains an MLP 784-256-128-10 (big enough for every parallel path) and returns its weights. */
function trainMlp(backend: Backend, steps: number): Float32Array[] {
  const rng = new Random(7);
  const sizes = [784, 256, 128, 10];
  const params: Tensor[] = [];
  for (let l = 0; l < 3; l++) {
    params.push(init(backend, rng, [sizes[l]!, sizes[l + 1]!], sizes[l]!));
    params.push(variable(backend, [sizes[l + 1]!], new Array<number>(sizes[l + 1]!).fill(0)));
  }
  const update = adam(params);
  const batch = 96;
  const x = fromValues(backend, [batch, 784], Array.from({ length: batch * 784 }, () => rng.uniform()), 'float32', 'persistent');
  const labels = fromValues(backend, [batch], Array.from({ length: batch }, () => rng.int(10)), 'int32', 'persistent');
  for (let s = 0; s < steps; s++) {
    const tape = new Tape();
    const loss = tape.record(() => {
      let h = x;
      for (let l = 0; l < 3; l++) {
        h = ops.add(ops.matMul(h, params[2 * l]!), params[2 * l + 1]!);
        if (l < 2) h = ops.relu(h);
      }
      return ops.scale(ops.sum(ops.mul(ops.oneHot(labels, 10), ops.logSoftmax(h))), -1 / batch);
    });
    update(tape.backward(loss));
    backend.endStep();
  }
  return params.map((p) => Float32Array.from(p.readSync()));
}

/** A small CNN: conv 3×3 → ReLU → max-pool → conv 3×3 stride 2 → avg-pool → dense. */
function trainCnn(backend: Backend, steps: number): Float32Array[] {
  const rng = new Random(11);
  const w1 = init(backend, rng, [16, 3, 3, 3], 27);
  const w2 = init(backend, rng, [24, 16, 3, 3], 144);
  const w3 = init(backend, rng, [24 * 4 * 4, 10], 384);
  const params = [w1, w2, w3];
  const update = adam(params);
  const batch = 16;
  const x = fromValues(backend, [batch, 3, 28, 28], Array.from({ length: batch * 3 * 784 }, () => rng.uniform() - 0.5), 'float32', 'persistent');
  const labels = fromValues(backend, [batch], Array.from({ length: batch }, () => rng.int(10)), 'int32', 'persistent');
  for (let s = 0; s < steps; s++) {
    const tape = new Tape();
    const loss = tape.record(() => {
      let h = ops.maxPool(ops.relu(ops.conv2d(x, w1, { pad: 1 })), { kernel: 2 });
      h = ops.avgPool(ops.relu(ops.conv2d(h, w2, { stride: 2, pad: 1 })), { kernel: 2, stride: 2, pad: 1 });
      const logits = ops.matMul(ops.flatten(h), w3);
      return ops.scale(ops.sum(ops.mul(ops.oneHot(labels, 10), ops.logSoftmax(logits))), -1 / batch);
    });
    update(tape.backward(loss));
    backend.endStep();
  }
  return params.map((p) => Float32Array.from(p.readSync()));
}

function bits(arrays: readonly Float32Array[]): Uint32Array[] {
  return arrays.map((a) => new Uint32Array(a.buffer));
}

async function withBackend<T>(threads: number, fn: (b: WasmBackend) => T): Promise<T> {
  const backend = await createWasmBackend({ threads });
  try {
    return fn(backend);
  } finally {
    backend.dispose();
  }
}

describe('wasm thread pool', () => {
  it('trains an MLP bit-identically with 1 and 2 threads', async () => {
    const one = await withBackend(1, (b) => trainMlp(b, 4));
    const two = await withBackend(2, (b) => trainMlp(b, 4));
    expect(bits(two)).toEqual(bits(one));
    // And the weights did move.
    expect(one[0]!.some((v, i) => v !== 0 && Number.isFinite(v) && i >= 0)).toBe(true);
  });

  it('trains a CNN bit-identically with 1 and 2 threads', async () => {
    const one = await withBackend(1, (b) => trainCnn(b, 3));
    const two = await withBackend(2, (b) => trainCnn(b, 3));
    expect(bits(two)).toEqual(bits(one));
  });

  it('runs every chunk exactly once whatever the chunk count, also where segments are uneven', async () => {
    const backend = await createWasmBackend({ threads: 3 });
    try {
      const { pool, ctx } = backend as unknown as {
        pool: { run(name: string, local: (...a: number[]) => void, chunks: number[][]): void };
        ctx: { ex: { fill32(...a: number[]): void }; i32: Int32Array };
      };
      const slots = 64;
      const id = backend.alloc('int32', slots * 16, 'step');
      const base = (backend as unknown as { record(id: number): { ptr: number } }).record(id).ptr;
      for (let n = 2; n <= slots; n += n < 9 ? 1 : 11) {
        ctx.i32.fill(0, base >>> 2, (base >>> 2) + slots * 16);
        // Chunk c fills its own 16 words with c + 1: a chunk never run leaves zeros, one run
        // twice overcounts DONE and the call never returns (the test times out).
        const chunks = Array.from({ length: n }, (_, c) => [base + c * 64, 16, c + 1]);
        pool.run('fill32', (...a) => ctx.ex.fill32(...a), chunks);
        const got = Array.from({ length: slots }, (_, c) => ctx.i32[(base >>> 2) + c * 16 + 15]);
        expect(got).toEqual(Array.from({ length: slots }, (_, c) => (c < n ? c + 1 : 0)));
      }
    } finally {
      backend.dispose();
    }
  });

  it('reports a trap on a worker as an error on the calling thread, and keeps working', async () => {
    await withBackend(2, (backend) => {
      const pool = (backend as unknown as { pool: { run(name: string, local: () => void, chunks: number[][]): void } }).pool;
      // Every chunk is fill32 at an address past the end of memory: it traps wherever wasm runs
      // it. The calling thread runs a slow no-op instead, so the worker claims some chunks.
      const slow = () => {
        const until = performance.now() + 2;
        while (performance.now() < until);
      };
      const chunks = Array.from({ length: 8 }, () => [0xfffffff0, 1024, 0]);
      expect(() => pool.run('fill32', slow, chunks)).toThrow(/fill32 failed on worker 1: .*out of bounds/);
      // The pool is still usable, on every thread.
      const id = backend.alloc('float32', 300_000, 'step');
      backend.run('Fill', [], [{ id, shape: [300_000], dtype: 'float32' }], { value: 2 });
      expect(backend.readSync(id).every((v) => v === 2)).toBe(true);
    });
  });

  it('dispose() stops the workers', async () => {
    const backend = await createWasmBackend({ threads: 3 });
    const workers = (backend as unknown as { pool: { workers: { once(e: 'exit', f: () => void): void }[] } }).pool.workers;
    expect(workers).toHaveLength(2);
    const exited = Promise.all(workers.map((w) => new Promise<void>((resolve) => w.once('exit', resolve))));
    backend.dispose();
    await exited;
    expect(() => backend.run('Fill', [], [], { value: 0 })).toThrow(/after dispose/);
  });
});
