// The trainer: early stop on NaN/Inf, pause/resume/stop, determinism, the event rate, the
// dataset-fits-the-graph checks, batch modes, the validation split, evaluation and memory.

import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import type { Dataset } from '../data/dataset.js';
import { completeDocument, type GraphDocument, type GraphDocumentInput } from '../protocol/index.js';
import { buildModel } from './model.js';
import { blobs, sine } from './testing/datasets.js';
import { evaluate, splitIndices, Trainer, TrainingError, type TrainerEvent } from './trainer.js';

type Training = NonNullable<GraphDocumentInput['training']>;

/** Input → Dense/ReLU layers → Dense(out) → loss, as a straight chain. */
function chain(input: number[], hidden: readonly number[], out: number, loss: string, training: Training, extra: { dropout?: number; activation?: string } = {}): GraphDocument {
  const nodes: { id: string; type: string; params: Record<string, unknown> }[] = [{ id: 'x', type: 'Input', params: { shape: input } }];
  hidden.forEach((units, i) => {
    nodes.push({ id: `fc${i + 1}`, type: 'Dense', params: { units } }, { id: `act${i + 1}`, type: extra.activation ?? 'ReLU', params: {} });
    if (extra.dropout) nodes.push({ id: `drop${i + 1}`, type: 'Dropout', params: { rate: extra.dropout } });
  });
  nodes.push({ id: 'logits', type: 'Dense', params: { units: out } }, { id: 'loss', type: loss, params: {} });
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: { node: nodes[i]!.id, port: 'out' }, target: { node: n.id, port: 'in' } }));
  return completeDocument({ format: 'netwright.graph', version: 1, nodes: nodes as GraphDocumentInput['nodes'], edges, training });
}

const BLOBS = blobs(3, 4, 100, 3);
const classifier = (training: Training = {}, extra = {}) =>
  chain([4], [16], 3, 'CrossEntropy', { epochs: 5, batchSize: 16, optimizer: { type: 'adam', lr: 0.01 }, seed: 1, validationSplit: 0.2, ...training }, extra);

describe('Trainer', () => {
  const backends: Backend[] = [];
  afterAll(() => backends.forEach((b) => b.dispose()));
  const reference = (): Backend => {
    const b = new ReferenceBackend();
    backends.push(b);
    return b;
  };

  it('learns: loss falls, accuracy rises, validation metrics and per-class accuracy are reported', async () => {
    const trainer = new Trainer({ document: classifier(), train: BLOBS, backend: reference() });
    const result = await trainer.run();
    expect(result.status).toBe('completed');
    expect(result.records).toHaveLength(5);
    const [first, last] = [result.records[0]!, result.records[4]!];
    expect(last.train.loss).toBeLessThan(first.train.loss);
    expect(last.validation!.accuracy!).toBeGreaterThan(0.9);
    expect(last.train.perClassAccuracy).toHaveLength(3);
    expect(last.train.samples).toBe(240);
    expect(last.validation!.samples).toBe(60);
    expect(result.step).toBe(5 * 15);
    trainer.dispose();
  });

  it('stops within one step when the loss becomes NaN/Infinity or explodes (lr 1e6, float32 wasm), naming the step, in English and Japanese', async () => {
    // The trainer's own lr override, as a host's slider uses it (the CLI test runs --lr 1e6).
    const doc = chain([4], [16], 3, 'CrossEntropy', { epochs: 50, batchSize: 8, optimizer: { type: 'sgd', lr: 1 }, seed: 1, validationSplit: 0 });
    const steps: number[] = [];
    const events: TrainerEvent[] = [];
    const backend = await createWasmBackend({ threads: 1 });
    backends.push(backend);
    const trainer = new Trainer({ document: doc, train: BLOBS, backend, lr: 1e6, onStep: (_s, loss) => steps.push(loss), onEvent: (e) => events.push(e) });
    const result = await trainer.run();
    expect(result.status).toBe('failed');
    const error = result.error!;
    // Which comes first depends on the numbers: an overflow to NaN/Infinity, or a finite loss
    // a million times the first one (divergence).
    expect(['LOSS_NOT_FINITE', 'LOSS_DIVERGED']).toContain(error.code);
    // No step with a non-finite loss was counted or applied: the failing step is the next one.
    expect(steps.every(Number.isFinite)).toBe(true);
    expect(error.step).toBe(steps.length + 1);
    expect(result.step).toBe(steps.length);
    expect(steps.length).toBeLessThan(20);
    expect(error.message.en).toContain(`step ${error.step}`);
    expect(error.message.en).toMatch(/NaN|Infinity|exploded/);
    expect(error.hint.en).toMatch(/learning rate/);
    expect(error.hint.en).toMatch(/normalis/);
    expect(error.hint.en).toMatch(/BatchNorm/);
    expect(error.message.ja).toContain(`ステップ ${error.step}`);
    expect(error.hint.ja).toContain('学習率');
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
    expect(events.at(-1)!.type).toBe('done');
    trainer.dispose();
  });

  it('pauses at a batch boundary, resumes, and stops', async () => {
    const doc = classifier({ epochs: 200, batchSize: 4 });
    let steps = 0;
    const states: string[] = [];
    const trainer: Trainer = new Trainer({
      document: doc,
      train: BLOBS,
      backend: reference(),
      maxEventsPerSecond: 1000,
      onStep: () => steps++,
      onEvent: (e) => {
        if (e.type === 'state') states.push(e.state);
        if (e.type === 'progress' && e.step >= 5 && states.length === 0) trainer.pause();
      },
    });
    const running = trainer.run();
    await until(() => states.includes('paused'));
    expect(trainer.paused).toBe(true);
    const atPause = steps;
    await sleep(100);
    expect(steps).toBe(atPause); // nothing ran while paused
    trainer.resume();
    await until(() => steps >= atPause + 20);
    expect(states).toEqual(['paused', 'running']);
    trainer.stop();
    const result = await running;
    expect(result.status).toBe('stopped');
    expect(result.step).toBe(steps);
    expect(result.step).toBeLessThan(200 * 60);
    trainer.dispose();
  });

  it('stop() while paused ends the run', async () => {
    let paused = false;
    const trainer: Trainer = new Trainer({
      document: classifier({ epochs: 100 }),
      train: BLOBS,
      backend: reference(),
      onEvent: (e) => {
        if (e.type === 'progress') trainer.pause();
        if (e.type === 'state' && e.state === 'paused') paused = true;
      },
    });
    const running = trainer.run();
    await until(() => paused);
    trainer.stop();
    expect((await running).status).toBe('stopped');
    trainer.dispose();
  });

  it('is deterministic: the same graph, seed and backend give the same loss curve, bit for bit (wasm, with dropout)', async () => {
    const backend = await createWasmBackend({ threads: 2 });
    backends.push(backend);
    const curve = async (seed: number): Promise<number[]> => {
      const losses: number[] = [];
      const trainer = new Trainer({ document: classifier({ seed, epochs: 3 }, { dropout: 0.3 }), train: BLOBS, backend, onStep: (_s, l) => losses.push(l) });
      await trainer.run();
      trainer.dispose();
      return losses;
    };
    const a = await curve(5);
    const b = await curve(5);
    const c = await curve(6);
    expect(a).toHaveLength(3 * 15);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('bounds the event rate: progress and epoch events coalesce, losing no epoch record', async () => {
    const perSecond = 20;
    const events: { type: string; at: number }[] = [];
    let records = 0;
    const start = performance.now();
    const trainer = new Trainer({
      document: chain([2], [4], 2, 'CrossEntropy', { epochs: 1500, mode: 'full', optimizer: { type: 'sgd', lr: 0.1 }, seed: 1, validationSplit: 0 }),
      train: blobs(2, 2, 4, 1),
      backend: reference(),
      maxEventsPerSecond: perSecond,
      onEvent: (e) => {
        events.push({ type: e.type, at: performance.now() });
        if (e.type === 'epoch') records += e.records.length;
      },
    });
    const result = await trainer.run();
    const seconds = (performance.now() - start) / 1000;
    expect(result.step).toBe(1500);
    expect(records).toBe(1500);
    const streamed = events.filter((e) => e.type === 'progress' || e.type === 'epoch');
    // At most one per window, plus the final flush.
    expect(streamed.length).toBeLessThanOrEqual(Math.ceil(seconds * perSecond) + 2);
    for (let i = 1; i < streamed.length - 1; i++) expect(streamed[i]!.at - streamed[i - 1]!.at).toBeGreaterThanOrEqual(1000 / perSecond - 1);
    expect(events.at(-1)!.type).toBe('done');
    trainer.dispose();
  });

  it('checks the dataset against the graph before training, naming the node and both shapes', () => {
    const backend = reference();
    const wrongShape = (): Trainer => new Trainer({ document: chain([3], [8], 3, 'CrossEntropy', {}), train: BLOBS, backend });
    expect(wrongShape).toThrow(TrainingError);
    try {
      wrongShape();
    } catch (error) {
      const e = error as TrainingError;
      expect(e.code).toBe('DATA_SHAPE');
      expect(e.nodeId).toBe('x');
      expect(e.text.en).toContain('"x"');
      expect(e.text.en).toContain('[N,3]');
      expect(e.text.en).toContain('[N,4]');
      expect(e.text.ja).toContain('[N,4]');
      expect(e.hint.en).toContain('[4]');
    }
    const classes = (): Trainer => new Trainer({ document: chain([4], [8], 2, 'CrossEntropy', {}), train: BLOBS, backend });
    expect(classes).toThrow(/logits.*2 output.*3 classes/);
    expect(errorOf(classes).code).toBe('DATA_CLASSES');
    expect(errorOf(classes).nodeId).toBe('logits');
    const task = (): Trainer => new Trainer({ document: chain([1], [8], 1, 'CrossEntropy', {}), train: sine(50, 1), backend });
    expect(errorOf(task).code).toBe('DATA_TASK');
    const target = (): Trainer => new Trainer({ document: chain([1], [8], 2, 'MSE', {}), train: sine(50, 1), backend });
    expect(errorOf(target).code).toBe('DATA_TARGET');
    const images: Dataset = { ...BLOBS, inputShape: [1, 2, 2] };
    const image = errorOf(() => new Trainer({ document: chain([3], [8], 3, 'CrossEntropy', {}), train: images, backend }));
    expect(image.code).toBe('DATA_SHAPE');
    expect(image.hint.en).toContain('Flatten');
  });

  it('feeds images to a vector Input flattened row-major (same bytes, as Flatten would)', async () => {
    const images: Dataset = { ...BLOBS, inputShape: [1, 2, 2] };
    const trainer = new Trainer({ document: classifier({ epochs: 2 }), train: images, backend: reference() });
    expect((await trainer.run()).status).toBe('completed');
    trainer.dispose();
  });

  it('online mode takes one sample per step, full mode the whole set', async () => {
    const backend = reference();
    const online = new Trainer({ document: classifier({ mode: 'online', epochs: 1 }), train: BLOBS, backend });
    expect((await online.run()).step).toBe(240);
    online.dispose();
    const full = new Trainer({ document: classifier({ mode: 'full', epochs: 3 }), train: BLOBS, backend });
    const result = await full.run();
    expect(result.step).toBe(3);
    expect(full.batchSize).toBe(240);
    full.dispose();
  });

  it('regression reports the loss only, and learns', async () => {
    const doc = chain([1], [16], 1, 'MSE', { epochs: 30, batchSize: 16, optimizer: { type: 'adam', lr: 0.02 }, seed: 2, validationSplit: 0.2 }, { activation: 'Tanh' });
    const trainer = new Trainer({ document: doc, train: sine(200, 3), backend: reference() });
    const result = await trainer.run();
    const last = result.records.at(-1)!;
    expect(last.train.accuracy).toBeUndefined();
    expect(last.validation!.accuracy).toBeUndefined();
    expect(last.validation!.loss).toBeLessThan(result.records[0]!.validation!.loss / 4);
    trainer.dispose();
  });

  it('applies the schedule per epoch', async () => {
    const lrs: number[] = [];
    const trainer = new Trainer({
      document: classifier({ epochs: 4, schedule: { type: 'step', stepSize: 2, gamma: 0.5 } }),
      train: BLOBS,
      backend: reference(),
      maxEventsPerSecond: 1e6,
      onEvent: (e) => e.type === 'epoch' && lrs.push(...e.records.map((r) => r.lr)),
    });
    await trainer.run();
    expect(lrs).toEqual([0.01, 0.01, 0.005, 0.005]);
    expect(trainer.optimizer!.lr).toBe(0.005);
    trainer.dispose();
  });

  it('evaluate gives loss, accuracy, per-class accuracy and a confusion matrix', async () => {
    const backend = reference();
    const doc = classifier();
    const trainer = new Trainer({ document: doc, train: BLOBS, backend });
    await trainer.run();
    const m = await evaluate(trainer.model, doc, BLOBS, { batchSize: 64 });
    expect(m.samples).toBe(300);
    const confusion = m.confusion!;
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(300);
    expect(confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([100, 100, 100]);
    expect(m.accuracy).toBeCloseTo((confusion[0]![0]! + confusion[1]![1]! + confusion[2]![2]!) / 300, 12);
    expect(m.perClassAccuracy![1]).toBeCloseTo(confusion[1]![1]! / 100, 12);
    // The batch size changes nothing but rounding.
    const again = await evaluate(trainer.model, doc, BLOBS, { batchSize: 7 });
    expect(again.accuracy).toBe(m.accuracy);
    expect(again.loss).toBeCloseTo(m.loss, 10);
    trainer.dispose();
  });

  it('splits validation by seed: fixed, disjoint, complete', () => {
    const a = splitIndices(100, 0.2, 7);
    const b = splitIndices(100, 0.2, 7);
    const c = splitIndices(100, 0.2, 8);
    expect(a.validation).toEqual(b.validation);
    expect(a.validation).not.toEqual(c.validation);
    expect(a.validation).toHaveLength(20);
    expect(new Set([...a.train, ...a.validation]).size).toBe(100);
    expect(splitIndices(10, 0, 1).validation).toHaveLength(0);
  });

  it('does not grow backend memory from epoch to epoch (persistent batch tensors, per-step arena)', async () => {
    const backend = await createWasmBackend({ threads: 1 });
    backends.push(backend);
    const memory: number[] = [];
    const trainer = new Trainer({
      document: classifier({ epochs: 8, batchSize: 7 }, { dropout: 0.2 }), // 240 = 34·7 + 2: two batch sizes
      train: BLOBS,
      backend,
      maxEventsPerSecond: 1e6,
      onEvent: (e) => e.type === 'epoch' && memory.push(backend.memoryBytes()),
    });
    await trainer.run();
    expect(memory).toHaveLength(8);
    for (const m of memory.slice(1)) expect(m).toBe(memory[0]);
    trainer.dispose();
  });

  it('a model built by the caller is not disposed by the trainer', async () => {
    const backend = reference();
    const doc = classifier({ epochs: 1 });
    const model = buildModel(doc, { backend });
    const trainer = new Trainer({ document: doc, train: BLOBS, model });
    await trainer.run();
    trainer.dispose();
    expect(() => model.parameters()[0]!.tensor.readSync()).not.toThrow();
    model.dispose();
  });
});

function errorOf(fn: () => unknown): TrainingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TrainingError) return error;
    throw error;
  }
  throw new Error('expected a TrainingError');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await sleep(5);
  }
}
