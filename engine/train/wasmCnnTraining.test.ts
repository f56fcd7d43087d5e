// Training the lessons' CNN on the wasm backend (the direct convolution kernels, the fused
// conv bias, the SIMD 2×2 max pool): the loss sequence is bit-identical with 1 and 2 threads
// and across runs, and memory does not grow once the step's workspaces exist.

import { describe, expect, it } from 'vitest';
import { fromValues, type Tensor } from '../core/tensor.js';
import { Random } from '../core/random.js';
import type { Backend } from '../backends/backend.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { completeDocument, type GraphDocument } from '../protocol/document.js';
import { buildModel } from './model.js';
import { createOptimizer } from './optimizers.js';
import { trainStep } from './step.js';

/** conv3×3 1→16 same, ReLU, maxpool 2; conv3×3 16→32 same, ReLU, maxpool 2; dense → 10. */
function cnn(): GraphDocument {
  const nodes: { id: string; type: string; params: Record<string, string | number | number[]> }[] = [
    { id: 'x', type: 'Input', params: { shape: [1, 28, 28], kind: 'image' } },
    { id: 'c1', type: 'Conv2D', params: { filters: 16, kernel: [3, 3], padding: 'same' } },
    { id: 'r1', type: 'ReLU', params: {} },
    { id: 'p1', type: 'MaxPool', params: { kernel: [2, 2], stride: [2, 2] } },
    { id: 'c2', type: 'Conv2D', params: { filters: 32, kernel: [3, 3], padding: 'same' } },
    { id: 'r2', type: 'ReLU', params: {} },
    { id: 'p2', type: 'MaxPool', params: { kernel: [2, 2], stride: [2, 2] } },
    { id: 'f', type: 'Flatten', params: {} },
    { id: 'd', type: 'Dense', params: { units: 10 } },
    { id: 'loss', type: 'CrossEntropy', params: {} },
  ];
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: { node: nodes[i]!.id, port: 'out' }, target: { node: n.id, port: 'in' } }));
  return completeDocument({ format: 'netwright.graph', version: 1, nodes, edges });
}

/** A fixed random batch of images (persistent, so it survives endStep). */
function batch(backend: Backend, n: number, seed: number): { x: Tensor; y: Tensor } {
  const random = new Random(seed);
  const x = Float32Array.from({ length: n * 784 }, () => random.normal());
  const y = Int32Array.from({ length: n }, () => random.int(10));
  return { x: fromValues(backend, [n, 1, 28, 28], x, 'float32', 'persistent'), y: fromValues(backend, [n], y, 'int32', 'persistent') };
}

/**
 * The loss of each of `steps` Adam steps on one batch of 16: enough work that every conv and
 * pool kernel splits into several chunks on 2 threads.
 */
async function lossCurve(threads: number, steps: number): Promise<Float32Array> {
  const backend = await createWasmBackend({ threads });
  try {
    const model = buildModel(cnn(), { backend, seed: 3 });
    const optimizer = createOptimizer({ type: 'adam', lr: 1e-3 }, model.parameters().map((p) => p.tensor));
    const { x, y } = batch(backend, 16, 5);
    const losses = new Float32Array(steps);
    for (let s = 0; s < steps; s++) losses[s] = trainStep(model, optimizer, x, y, s);
    return losses;
  } finally {
    backend.dispose();
  }
}

describe('training the lessons CNN on wasm', () => {
  it('the same seed gives a bit-identical loss sequence over 30 steps, with 1 and with 2 threads', async () => {
    const one = await lossCurve(1, 30);
    const two = await lossCurve(2, 30);
    const again = await lossCurve(2, 30);
    expect(one[29]).toBeLessThan(one[0]!);
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    expect(Buffer.from(again.buffer).equals(Buffer.from(two.buffer))).toBe(true);
  }, 60_000);

  it('300 steps leave WebAssembly memory unchanged after warm-up', async () => {
    const backend = await createWasmBackend({ threads: 2 });
    try {
      const model = buildModel(cnn(), { backend, seed: 1 });
      const optimizer = createOptimizer({ type: 'adam', lr: 1e-3 }, model.parameters().map((p) => p.tensor));
      const { x, y } = batch(backend, 8, 2);
      for (let s = 0; s < 20; s++) trainStep(model, optimizer, x, y, s);
      const warm = backend.memoryBytes();
      let last = 0;
      for (let s = 20; s < 300; s++) last = trainStep(model, optimizer, x, y, s);
      expect(backend.memoryBytes()).toBe(warm);
      expect(last).toBeLessThan(0.1); // it memorised the batch: the steps really ran
    } finally {
      backend.dispose();
    }
  }, 60_000);
});
