// Training on the WebGPU backend: the MLP and CNN lesson templates follow the wasm backend's
// loss curve (same seed, same fixed batch) within 1e-3 relative over 50 Adam steps, and 1,000
// steps of a small MLP allocate no new GPU buffers after warm-up. Runs on SwiftShader in CI; a
// missing adapter fails unless NETWRIGHT_ALLOW_NO_GPU=1.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { createWebGpuBackend, type WebGpuBackend } from '../backends/webgpu/index.js';
import { Random } from '../core/random.js';
import { fromValues, type Tensor } from '../core/tensor.js';
import { completeDocument, type GraphDocument } from '../protocol/document.js';
import { loadDocument } from '../protocol/index.js';
import { loadDataset } from '../data/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from './model.js';
import { createOptimizer } from './optimizers.js';
import { trainStepAsync } from './step.js';

// Real digits for the curve comparison (a private cache folder: tests leave ~/.cache alone).
const cacheDir = mkdtempSync(join(tmpdir(), 'nw-webgpu-mnist-'));
const mnist = loadDataset({ name: 'mnist' }, { cacheDir });
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const allowNoGpu = process.env['NETWRIGHT_ALLOW_NO_GPU'] === '1';
const probe = await createWebGpuBackend();
probe?.dispose();

function lesson(name: string): GraphDocument {
  const loaded = loadDocument(readFileSync(new URL(`../../assets/lessons/${name}.netwright.json`, import.meta.url), 'utf8'));
  if (loaded.document === undefined) throw new Error(`lesson ${name} does not load`);
  return loaded.document;
}

/** A fixed random batch (persistent, so it survives endStep): inputs in [0, 1) like pixels. */
function batch(backend: Backend, shape: readonly number[], classes: number, seed: number): { x: Tensor; y: Tensor } {
  const random = new Random(seed);
  const n = shape[0]!;
  const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.uniform());
  const y = Int32Array.from({ length: n }, () => random.int(classes));
  return { x: fromValues(backend, shape, x, 'float32', 'persistent'), y: fromValues(backend, [n], y, 'int32', 'persistent') };
}

/**
 * The loss of each of `steps` steps, each on the next 8 or 16 real MNIST digits: real data keeps
 * the loss well above zero (a fixed batch is memorised within 50 steps, and relative errors of a
 * loss near zero measure rounding, not the backend), so 1e-3 relative is a fair bound.
 */
async function lossCurve(backend: Backend, doc: GraphDocument, shape: readonly number[], steps: number): Promise<Float32Array> {
  try {
    const model = buildModel(doc, { backend, seed: 7 });
    const optimizer = createOptimizer(doc.training.optimizer, model.parameters().map((p) => p.tensor));
    const { train } = await mnist;
    const n = shape[0]!;
    const per = shape.slice(1).reduce((a, b) => a * b, 1);
    const losses = new Float32Array(steps);
    for (let s = 0; s < steps; s++) {
      const x = fromValues(backend, shape, train.x.subarray(s * n * per, (s + 1) * n * per), 'float32', 'persistent');
      const y = fromValues(backend, [n], (train.y as Int32Array).subarray(s * n, (s + 1) * n), 'int32', 'persistent');
      losses[s] = await trainStepAsync(model, optimizer, x, y, s);
      x.dispose();
      y.dispose();
    }
    return losses;
  } finally {
    backend.dispose();
  }
}

function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.abs(b[i]!));
  return worst;
}

function mlp(sizes: readonly number[]): GraphDocument {
  const nodes: { id: string; type: string; params: Record<string, number | number[]> }[] = [{ id: 'x', type: 'Input', params: { shape: [sizes[0]!] } }];
  for (let i = 1; i < sizes.length; i++) {
    nodes.push({ id: `fc${i}`, type: 'Dense', params: { units: sizes[i]! } });
    if (i < sizes.length - 1) nodes.push({ id: `relu${i}`, type: 'ReLU', params: {} });
  }
  nodes.push({ id: 'loss', type: 'CrossEntropy', params: {} });
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: { node: nodes[i]!.id, port: 'out' }, target: { node: n.id, port: 'in' } }));
  return completeDocument({ format: 'netwright.graph', version: 1, nodes, edges });
}

describe('training on webgpu', () => {
  it.skipIf(allowNoGpu)('has an adapter (SwiftShader in CI)', () => {
    expect(probe, 'no WebGPU adapter (set NETWRIGHT_ALLOW_NO_GPU=1 where none can exist)').not.toBeNull();
  });

  for (const [name, shape] of [
    ['mnist-mlp', [16, 784]],
    ['mnist-cnn', [8, 1, 28, 28]],
  ] as const) {
    it.skipIf(probe === null)(`${name}: 50 steps on MNIST follow the wasm loss curve within 1e-3 relative`, async () => {
      const doc = lesson(name);
      const gpu = await lossCurve((await createWebGpuBackend())!, doc, shape, 50);
      const cpu = await lossCurve(await createWasmBackend({ threads: 1 }), doc, shape, 50);
      const mean = (a: Float32Array, from: number) => a.slice(from, from + 10).reduce((x, y) => x + y, 0) / 10;
      expect(mean(gpu, 40)).toBeLessThan(mean(gpu, 0)); // it learned: the steps really ran
      const worst = maxRelativeDifference(gpu, cpu);
      console.log(`webgpu ${name}: worst relative loss difference to wasm over 50 steps ${worst.toExponential(2)}; losses ${gpu[0]!.toFixed(4)} → ${gpu[49]!.toFixed(4)}`);
      expect(worst).toBeLessThan(1e-3);
    }, 300_000);
  }

  it.skipIf(probe === null)('1,000 steps of a small MLP create no GPU buffers after warm-up', async () => {
    const backend = (await createWebGpuBackend()) as WebGpuBackend;
    try {
      const doc = mlp([16, 32, 4]);
      const model = buildModel(doc, { backend, seed: 1 });
      const optimizer = createOptimizer({ type: 'adam', lr: 1e-3 }, model.parameters().map((p) => p.tensor));
      const { x, y } = batch(backend, [8, 16], 4, 2);
      for (let s = 0; s < 20; s++) await trainStepAsync(model, optimizer, x, y, s);
      const warm = backend.stats();
      const bytes = backend.memoryBytes();
      let last = 0;
      for (let s = 20; s < 1000; s++) last = await trainStepAsync(model, optimizer, x, y, s);
      const after = backend.stats();
      expect(after.liveBuffers + after.freeBuffers).toBe(warm.liveBuffers + warm.freeBuffers);
      expect(after.liveBytes + after.freeBytes).toBe(warm.liveBytes + warm.freeBytes);
      expect(backend.memoryBytes()).toBe(bytes);
      expect(after.pipelines).toBe(warm.pipelines);
      expect(Number.isFinite(last)).toBe(true);
    } finally {
      backend.dispose();
    }
  }, 120_000);
});
