// Training on the wasm backend: memory does not grow over 10,000 steps (the per-step arena
// and in-place parameter updates), and the loss sequence is bit-identical with 1 and 2 threads
// (deterministic partitioning) and across runs with the same seed.

import { afterAll, describe, expect, it } from 'vitest';
import { fromValues, type Tensor } from '../core/tensor.js';
import { Random } from '../core/random.js';
import type { Backend } from '../backends/backend.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { completeDocument, type GraphDocument } from '../protocol/document.js';
import { buildModel } from './model.js';
import { createOptimizer } from './optimizers.js';
import { trainStep } from './step.js';

function mlp(sizes: readonly number[], dropout = 0): GraphDocument {
  const nodes: { id: string; type: string; params: Record<string, number | number[]> }[] = [{ id: 'x', type: 'Input', params: { shape: [sizes[0]!] } }];
  for (let i = 1; i < sizes.length; i++) {
    nodes.push({ id: `fc${i}`, type: 'Dense', params: { units: sizes[i]! } });
    if (i < sizes.length - 1) {
      nodes.push({ id: `relu${i}`, type: 'ReLU', params: {} });
      if (dropout > 0) nodes.push({ id: `drop${i}`, type: 'Dropout', params: { rate: dropout } });
    }
  }
  nodes.push({ id: 'loss', type: 'CrossEntropy', params: {} });
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: { node: nodes[i]!.id, port: 'out' }, target: { node: n.id, port: 'in' } }));
  return completeDocument({ format: 'netwright.graph', version: 1, nodes, edges });
}

/** A fixed random batch (persistent, so it survives endStep). */
function batch(backend: Backend, n: number, features: number, classes: number, seed: number): { x: Tensor; y: Tensor } {
  const random = new Random(seed);
  const x = Float32Array.from({ length: n * features }, () => random.normal());
  const y = Int32Array.from({ length: n }, () => random.int(classes));
  return { x: fromValues(backend, [n, features], x, 'float32', 'persistent'), y: fromValues(backend, [n], y, 'int32', 'persistent') };
}

/** The loss of each of `steps` Adam steps on the same batch. */
async function lossCurve(threads: number, steps: number): Promise<Float32Array> {
  const backend = await createWasmBackend({ threads });
  try {
    const model = buildModel(mlp([784, 256, 128, 10], 0.2), { backend, seed: 7 });
    const optimizer = createOptimizer({ type: 'adam', lr: 1e-3 }, model.parameters().map((p) => p.tensor));
    const { x, y } = batch(backend, 64, 784, 10, 99);
    const losses = new Float32Array(steps);
    for (let s = 0; s < steps; s++) losses[s] = trainStep(model, optimizer, x, y, s);
    return losses;
  } finally {
    backend.dispose();
  }
}

describe('training on wasm', () => {
  const backends: Backend[] = [];
  afterAll(() => backends.forEach((b) => b.dispose()));

  it('10,000 steps of a small MLP leave WebAssembly memory unchanged after warm-up', async () => {
    const backend = await createWasmBackend({ threads: 2 });
    backends.push(backend);
    const model = buildModel(mlp([16, 32, 4]), { backend, seed: 1 });
    const optimizer = createOptimizer({ type: 'adam', lr: 1e-3 }, model.parameters().map((p) => p.tensor));
    const { x, y } = batch(backend, 8, 16, 4, 2);
    for (let s = 0; s < 100; s++) trainStep(model, optimizer, x, y, s);
    const warm = backend.memoryBytes();
    let last = 0;
    for (let s = 100; s < 10_000; s++) last = trainStep(model, optimizer, x, y, s);
    expect(backend.memoryBytes()).toBe(warm);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(0.1); // it memorised the batch: the steps really ran
  }, 60_000);

  it('the same seed gives a bit-identical loss sequence over 100 steps, with 1 and with 2 threads', async () => {
    const one = await lossCurve(1, 100);
    const two = await lossCurve(2, 100);
    const again = await lossCurve(2, 100);
    expect(one[99]).toBeLessThan(one[0]!);
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    expect(Buffer.from(again.buffer).equals(Buffer.from(two.buffer))).toBe(true);
  }, 60_000);
});
