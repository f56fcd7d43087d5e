// Checkpoints: save, then load in a NEW PROCESS and evaluate (identical metrics); refusals that
// name the tensor; BatchNorm running statistics; and resuming, which continues the loss curve of
// an uninterrupted run bit for bit (weights, Adam's moments and step counts, epoch and step).

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { completeDocument, type GraphDocument, type GraphDocumentInput } from '../protocol/index.js';
import { CheckpointError, graphBeside, loadOptimizerState, loadWeights, readCheckpoint, readGraphFile, saveCheckpoint } from './checkpoint.js';
import { buildModel } from './model.js';
import { blobs } from './testing/datasets.js';
import { evaluate, Trainer } from './trainer.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'netwright-ckpt-'));
const BLOBS = blobs(3, 4, 100, 3);

function graph(hidden: readonly number[], extra: { batchNorm?: boolean; dropout?: number; epochs?: number } = {}): GraphDocument {
  const nodes: GraphDocumentInput['nodes'] = [{ id: 'x', type: 'Input', params: { shape: [4] } }];
  hidden.forEach((units, i) => {
    nodes.push({ id: `fc${i + 1}`, type: 'Dense', params: { units } });
    if (extra.batchNorm) nodes.push({ id: `bn${i + 1}`, type: 'BatchNorm', params: {} });
    nodes.push({ id: `relu${i + 1}`, type: 'ReLU', params: {} });
    if (extra.dropout) nodes.push({ id: `drop${i + 1}`, type: 'Dropout', params: { rate: extra.dropout } });
  });
  nodes.push({ id: 'logits', type: 'Dense', params: { units: 3 } }, { id: 'loss', type: 'CrossEntropy', params: {} });
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: { node: nodes[i]!.id, port: 'out' }, target: { node: n.id, port: 'in' } }));
  return completeDocument({
    format: 'netwright.graph', version: 1, name: 'ckpt', nodes, edges,
    training: { epochs: extra.epochs ?? 3, batchSize: 16, optimizer: { type: 'adam', lr: 0.01 }, seed: 11, validationSplit: 0.2 },
  });
}

describe('checkpoints', () => {
  let backend: Backend;
  afterAll(() => {
    backend?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('save, then load in a new process and evaluate: identical accuracy and loss', async () => {
    backend = await createWasmBackend({ threads: 1 });
    const doc = graph([16], { dropout: 0.2 });
    const trainer = new Trainer({ document: doc, train: BLOBS, backend });
    await trainer.run();
    const here = await evaluate(trainer.model, doc, BLOBS);
    const base = join(dir, 'blobs');
    const paths = await saveCheckpoint(base, { model: trainer.model, document: doc, optimizer: trainer.optimizer, progress: trainer.progress });
    trainer.dispose();
    expect(paths.weights).toBe(`${base}.safetensors`);
    expect(graphBeside(paths.weights)).toBe(paths.graph);
    expect(existsSync(paths.graph)).toBe(true);

    const checkpoint = await readCheckpoint(paths.weights);
    expect([...checkpoint.tensors.keys()].filter((k) => !k.startsWith('optimizer.'))).toEqual(['fc1.weight', 'fc1.bias', 'logits.weight', 'logits.bias']);
    expect(checkpoint.tensors.has('optimizer.fc1.weight.m')).toBe(true);
    expect(checkpoint.metadata['format']).toBe('netwright.checkpoint');
    expect(checkpoint.progress).toEqual({ epoch: 3, step: 45 });

    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'engine/host/testing/evalCheckpoint.ts', paths.graph, paths.weights], { cwd: ROOT });
    const there = JSON.parse(stdout) as { accuracy: number; loss: number; confusion: number[][] };
    expect(there.accuracy).toBe(here.accuracy);
    expect(there.loss).toBe(here.loss);
    expect(there.confusion).toEqual(here.confusion);
  }, 60_000);

  it('refuses weights from another graph, naming the tensor (missing, extra, or resized)', async () => {
    const doc = graph([16]);
    const model = buildModel(doc, { backend });
    const base = join(dir, 'small');
    await saveCheckpoint(base, { model, document: doc });
    model.dispose();
    const checkpoint = await readCheckpoint(`${base}.safetensors`);

    const resized = buildModel(graph([8]), { backend });
    expect(() => loadWeights(resized, checkpoint)).toThrow(/"fc1\.weight" is F32\[4,16\] in the checkpoint .* but F32\[4,8\] in this graph/);
    resized.dispose();
    const deeper = buildModel(graph([16, 16]), { backend });
    expect(() => loadWeights(deeper, checkpoint)).toThrow(/has no tensor "fc2\.weight"/);
    deeper.dispose();
    const shallower = buildModel(graph([]), { backend });
    try {
      loadWeights(shallower, checkpoint);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).text.en).toMatch(/tensor "fc1\.weight" that no node of this graph has/);
      expect((error as CheckpointError).text.ja).toContain('fc1.weight');
    }
    shallower.dispose();
    await expect(readCheckpoint(join(dir, 'missing.safetensors'))).rejects.toThrow(CheckpointError);
  });

  it('saves and restores BatchNorm running statistics', async () => {
    const doc = graph([8], { batchNorm: true, epochs: 2 });
    const trainer = new Trainer({ document: doc, train: BLOBS, backend });
    await trainer.run();
    const base = join(dir, 'bn');
    await saveCheckpoint(base, { model: trainer.model, document: doc });
    const before = await evaluate(trainer.model, doc, BLOBS);
    const mean = Array.from(trainer.model.state().find((s) => s.name === 'runningMean')!.tensor.readSync());
    trainer.dispose();
    expect(mean.some((m) => m !== 0)).toBe(true);

    const checkpoint = await readCheckpoint(`${base}.safetensors`);
    expect(checkpoint.tensors.has('bn1.runningMean')).toBe(true);
    expect(checkpoint.tensors.has('bn1.runningVariance')).toBe(true);
    const restored = buildModel(await readGraphFile(`${base}.netwright.json`), { backend, seed: 5 });
    loadWeights(restored, checkpoint);
    expect(Array.from(restored.state().find((s) => s.name === 'runningMean')!.tensor.readSync())).toEqual(mean);
    expect((await evaluate(restored, doc, BLOBS)).loss).toBe(before.loss);
    restored.dispose();
  });

  it('resuming continues the loss curve of an uninterrupted run, bit for bit (Adam, dropout)', async () => {
    const full = graph([16], { dropout: 0.3, epochs: 4 });
    const straight: number[] = [];
    const t1 = new Trainer({ document: full, train: BLOBS, backend, onStep: (_s, l) => straight.push(l) });
    await t1.run();
    t1.dispose();

    const half = { ...full, training: { ...full.training, epochs: 2 } };
    const first: number[] = [];
    const t2 = new Trainer({ document: half, train: BLOBS, backend, onStep: (_s, l) => first.push(l) });
    await t2.run();
    const base = join(dir, 'resume');
    await saveCheckpoint(base, { model: t2.model, document: half, optimizer: t2.optimizer, progress: t2.progress });
    t2.dispose();

    const checkpoint = await readCheckpoint(`${base}.safetensors`);
    // The same seed as the first run: it also seeds the dropout masks (the weights come from the file).
    const model = buildModel(full, { backend });
    const second: number[] = [];
    const t3 = new Trainer({ document: full, train: BLOBS, model, onStep: (_s, l) => second.push(l) });
    loadWeights(model, checkpoint);
    loadOptimizerState(model, t3.optimizer!, checkpoint);
    t3.resumeFrom(checkpoint.progress!);
    const result = await t3.run();
    t3.dispose();
    model.dispose();

    expect(result.records.map((r) => r.epoch)).toEqual([3, 4]);
    expect(result.step).toBe(straight.length);
    expect([...first, ...second]).toEqual(straight);
  });

  it('refuses to resume with another optimizer', async () => {
    const doc = graph([4]);
    const trainer = new Trainer({ document: doc, train: BLOBS, backend });
    const base = join(dir, 'opt');
    await saveCheckpoint(base, { model: trainer.model, document: doc, optimizer: trainer.optimizer });
    const sgdDoc = { ...doc, training: { ...doc.training, optimizer: { type: 'sgd' as const, lr: 0.1 } } };
    const other = new Trainer({ document: sgdDoc, train: BLOBS, backend });
    expect(() => loadOptimizerState(other.model, other.optimizer!, { ...checkpointStub(), metadata: { optimizer: 'adam' } })).toThrow(/adam.*sgd/);
    trainer.dispose();
    other.dispose();
  });
});

function checkpointStub(): Awaited<ReturnType<typeof readCheckpoint>> {
  return { path: 'x.safetensors', tensors: new Map(), metadata: {}, progress: null };
}
