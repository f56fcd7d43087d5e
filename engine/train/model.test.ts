// Models built from graph documents: the example graphs build, run a batch of 4 with the shapes
// the catalog inferred, learn on a fixed batch with a few SGD steps, and give bit-identical
// gradients whether backward runs at once or node by node (the debugger's path). Also: refusing
// invalid graphs, initializer defaults and overrides, determinism, weight penalties, prediction
// without labels, and train/eval behaviour of Dropout and BatchNorm inside a model.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { Tape } from '../autograd/tape.js';
import { Random } from '../core/random.js';
import { sizeOf } from '../core/shape.js';
import { fromValues, type Tensor } from '../core/tensor.js';
import { completeDocument, loadDocument, type GraphDocument, type GraphDocumentInput } from '../protocol/index.js';
import { buildModel, type Model } from './model.js';
import { SGD } from './optimizers.js';

function example(name: string): GraphDocument {
  const source = readFileSync(new URL(`../../assets/examples/${name}.netwright.json`, import.meta.url), 'utf8');
  const loaded = loadDocument(source);
  expect(loaded.diagnostics).toEqual([]);
  return loaded.document!;
}

const EXAMPLES = ['mnist-mlp', 'lenet', 'residual-block'] as const;
const BATCH = 4;

/** A fixed random batch for the model's one Input node, and class labels in [0, classes). */
function batchFor(model: Model, backend: Backend, seed = 99, classes = 10): { x: Tensor; labels: Tensor } {
  const rng = new Random(seed);
  const shape = [BATCH, ...model.outputShapes(model.inputIds[0]!)[0]!];
  const x = fromValues(
    backend,
    shape,
    Array.from({ length: sizeOf(shape) }, () => rng.uniform()),
    'float32',
    'persistent',
  );
  const labels = fromValues(
    backend,
    [BATCH],
    Array.from({ length: BATCH }, () => rng.int(classes)),
    'int32',
    'persistent',
  );
  return { x, labels };
}

function bits(values: ArrayLike<number>): number[] {
  return Array.from(new Uint8Array(Float64Array.from(values).buffer));
}

describe('the example graphs', () => {
  for (const name of EXAMPLES) {
    describe(name, () => {
      it('builds, and a batch of 4 gives every node the shape the catalog inferred', () => {
        const backend = new ReferenceBackend();
        const model = buildModel(example(name), { backend });
        const totalParams = model.parameters().reduce((n, p) => n + p.tensor.size, 0);
        expect(totalParams).toBe(model.report.totals.paramCount);
        const { x, labels } = batchFor(model, backend);
        const result = model.forward(x, labels, { training: true });
        for (const id of model.order) {
          const out = result.outputs.get(id);
          expect(out, id).toBeDefined();
          const expected = model.lossIds.includes(id) ? [] : [BATCH, ...model.outputShapes(id)[0]!];
          expect(out![0]!.shape, id).toEqual(expected);
        }
        expect(result.loss).toBe(result.losses.get(model.lossIds[0]!));
        const loss = result.loss!.readSync()[0]!;
        expect(Number.isFinite(loss)).toBe(true);
        // Ten classes and small initial weights: the loss starts near ln 10.
        expect(loss).toBeGreaterThan(1);
        expect(loss).toBeLessThan(5);
      });

      it('a few SGD steps on a fixed batch reduce the loss', () => {
        const backend = new ReferenceBackend();
        const model = buildModel(example(name), { backend });
        const { x, labels } = batchFor(model, backend);
        const optimizer = new SGD(
          model.parameters().map((p) => p.tensor),
          { lr: 0.05 },
        );
        const losses: number[] = [];
        for (let step = 0; step < 4; step++) {
          const tape = new Tape();
          const { loss } = model.forward(x, labels, { training: true, tape, step });
          losses.push(loss!.readSync()[0]!);
          optimizer.step(tape.backward(loss!));
          backend.endStep();
        }
        expect(losses[3]).toBeLessThan(losses[0]!);
      });

      it('span-by-span backward equals full backward, bit for bit', () => {
        const backend = new ReferenceBackend();
        const model = buildModel(example(name), { backend });
        const { x, labels } = batchFor(model, backend);
        const params = model.parameters().map((p) => p.tensor);

        const full = new Tape();
        const lossA = model.forward(x, labels, { training: true, tape: full }).loss!;
        const grads = full.backward(lossA);
        const expected = params.map((p) => bits(grads.get(p)!.readSync()));

        const stepped = new Tape();
        const lossB = model.forward(x, labels, { training: true, tape: stepped }).loss!;
        // Every graph node has its own span, in forward order.
        expect(stepped.nodes()).toEqual(model.order);
        stepped.beginBackward(lossB);
        for (const node of [...stepped.nodes()].reverse()) stepped.backwardSpan(node);
        params.forEach((p, i) => expect(bits(stepped.gradOf(p)!.readSync()), model.parameters()[i]!.nodeId).toEqual(expected[i]));
      });
    });
  }
});

describe('fusing ReLU → MaxPool (ForwardOptions.fuse)', () => {
  /**
   * Loss, every parameter gradient and every node output, as bytes, with fuse on or off; and how
   * many ReLU kernels (Unary relu, Binary reluGrad) and pools with a ReLU (PoolAttrs.relu) ran.
   */
  function run(model: Model, x: Tensor, labels: Tensor, fuse: boolean) {
    const backend = model.backend;
    const kernels = { relu: 0, reluGrad: 0, poolRelu: 0 };
    const plainRun = backend.run;
    backend.run = (kernel, inputs, outputs, attrs) => {
      const op = (attrs as { op?: string }).op;
      if (op === 'relu' || op === 'reluGrad') kernels[op]++;
      if ((attrs as { relu?: boolean }).relu === true) kernels.poolRelu++;
      plainRun.call(backend, kernel, inputs, outputs, attrs);
    };
    try {
      const tape = new Tape();
      const result = model.forward(x, labels, { training: true, tape, fuse });
      const grads = tape.backward(result.loss!);
      const out = {
        loss: bits(result.loss!.readSync()),
        grads: model.parameters().map((p) => bits(grads.get(p.tensor)!.readSync())),
        outputs: new Map([...result.outputs].map(([id, t]) => [id, bits(t[0]!.readSync())])),
        spans: tape.nodes(),
        kernels,
      };
      backend.endStep();
      return out;
    } finally {
      backend.run = plainRun;
    }
  }

  for (const kind of ['reference', 'wasm'] as const) {
    it(`LeNet on ${kind}: the same loss, gradients and pool outputs, bit for bit; the fused ReLUs are not materialised`, async () => {
      const backend = kind === 'reference' ? new ReferenceBackend() : await createWasmBackend({ threads: 2 });
      try {
        const model = buildModel(example('lenet'), { backend });
        const { x, labels } = batchFor(model, backend);
        const plain = run(model, x, labels, false);
        const fused = run(model, x, labels, true);
        expect(fused.loss).toEqual(plain.loss);
        fused.grads.forEach((g, i) => expect(g, model.parameters()[i]!.nodeId).toEqual(plain.grads[i]));
        // relu1 → pool1 and relu2 → pool2 fuse; relu3 and relu4 feed Dense layers and stay.
        expect([...fused.outputs.keys()]).toEqual(model.order.filter((id) => id !== 'relu1' && id !== 'relu2'));
        for (const [id, value] of fused.outputs) expect(value, id).toEqual(plain.outputs.get(id));
        expect(plain.spans).toEqual(model.order);
        // The two fused ReLUs run inside their pools' kernels, forward (Pool) and backward
        // (MaxPoolBackprop): no ReLU kernels of their own.
        expect(plain.kernels).toEqual({ relu: 4, reluGrad: 4, poolRelu: 0 });
        expect(fused.kernels).toEqual({ relu: 2, reluGrad: 2, poolRelu: 4 });
      } finally {
        backend.dispose();
      }
    });
  }

  it('a ReLU read by a MaxPool and by another node is not fused', () => {
    const backend = new ReferenceBackend();
    const doc = example('lenet');
    // relu1 also feeds a second pool whose output goes nowhere: relu1 must be computed itself.
    const extra = completeDocument({
      ...doc,
      nodes: [...doc.nodes, { id: 'pool1b', type: 'MaxPool', params: { kernel: [2, 2], stride: [2, 2] } }],
      edges: [...doc.edges, { id: 'extra', source: { node: 'relu1', port: 'out' }, target: { node: 'pool1b', port: 'in' } }],
    } as GraphDocumentInput);
    const model = buildModel(extra, { backend });
    const { x, labels } = batchFor(model, backend);
    const fused = run(model, x, labels, true);
    expect(fused.outputs.has('relu1')).toBe(true);
    expect(fused.outputs.has('relu2')).toBe(false);
    expect(fused.loss).toEqual(run(model, x, labels, false).loss);
  });
});

describe('building models', () => {
  it('refuses a graph with errors, naming the first one', () => {
    const doc = example('mnist-mlp');
    const broken: GraphDocument = { ...doc, edges: doc.edges.filter((e) => e.target.node !== 'logits') };
    expect(() => buildModel(broken, { backend: new ReferenceBackend() })).toThrow(/cannot build the model: .*"logits".*not connected/);
  });

  it('initialises weights Glorot-uniform and biases at zero by default, deterministically from the seed', () => {
    const backend = new ReferenceBackend();
    const model = buildModel(example('mnist-mlp'), { backend });
    const params = model.parameters();
    expect(params.map((p) => `${p.nodeId}.${p.name}:${p.role}`)).toEqual(['hidden.weight:weight', 'hidden.bias:bias', 'logits.weight:weight', 'logits.bias:bias']);
    const limit = Math.fround(Math.sqrt(6 / (784 + 128)));
    const w = Array.from(params[0]!.tensor.readSync());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.99 * limit);
    expect(Array.from(params[1]!.tensor.readSync()).every((v) => v === 0)).toBe(true);

    const again = buildModel(example('mnist-mlp'), { backend });
    expect(Array.from(again.parameters()[0]!.tensor.readSync())).toEqual(w);
    const other = buildModel(example('mnist-mlp'), { backend, seed: 43 });
    expect(Array.from(other.parameters()[0]!.tensor.readSync())).not.toEqual(w);
  });

  it('takes initializer overrides by node and by parameter, and refuses unknown keys', () => {
    const backend = new ReferenceBackend();
    const model = buildModel(example('mnist-mlp'), {
      backend,
      weightInitializer: { kind: 'heNormal' },
      initializers: { logits: { kind: 'constant', value: 0.5 }, 'hidden.bias': { kind: 'constant', value: 0.1 } },
    });
    const byName = new Map(model.parameters().map((p) => [`${p.nodeId}.${p.name}`, Array.from(p.tensor.readSync())]));
    expect(byName.get('logits.weight')!.every((v) => v === 0.5)).toBe(true);
    expect(byName.get('hidden.bias')!.every((v) => v === Math.fround(0.1))).toBe(true);
    // He normal on 784 inputs: variance 2/784.
    const hidden = byName.get('hidden.weight')!;
    const variance = hidden.reduce((s, v) => s + v * v, 0) / hidden.length;
    expect(Math.abs(variance / (2 / 784) - 1)).toBeLessThan(0.02);

    const before = backend.memoryBytes();
    expect(() => buildModel(example('mnist-mlp'), { backend, initializers: { hiden: { kind: 'heNormal' } } })).toThrow(/'hiden' names no parameter/);
    expect(backend.memoryBytes()).toBe(before); // the half-built model was freed
  });

  it('adds weight penalties to the loss, inside the layer spans, with gradient λw', () => {
    const backend = new ReferenceBackend();
    const doc = example('mnist-mlp');
    const plain = buildModel(doc, { backend });
    const penalised = buildModel(doc, { backend, regularizers: { hidden: { l2: 0.1 } } });
    const { x, labels } = batchFor(plain, backend);

    const tapeA = new Tape();
    const a = plain.forward(x, labels, { training: true, tape: tapeA });
    const gradsA = tapeA.backward(a.loss!);
    const tapeB = new Tape();
    const b = penalised.forward(x, labels, { training: true, tape: tapeB });
    const gradsB = tapeB.backward(b.loss!);

    const w = penalised.parameters()[0]!.tensor;
    const values = Array.from(w.readSync());
    const half = 0.5 * 0.1 * values.reduce((s, v) => s + v * v, 0);
    expect(b.penalty!.readSync()[0]).toBeCloseTo(half, 12);
    expect(b.loss!.readSync()[0]).toBeCloseTo(a.loss!.readSync()[0]! + half, 12);
    // The penalty's ops belong to the 'hidden' span; only the final sum is outside any span.
    expect(tapeB.opsOf('hidden').map((op) => op.def.name)).toEqual(['matMul', 'add', 'square', 'sum', 'scale']);
    expect(tapeB.opsOf(null).map((op) => op.def.name)).toEqual(['add']);
    const gA = Array.from(gradsA.get(plain.parameters()[0]!.tensor)!.readSync());
    const gB = Array.from(gradsB.get(w)!.readSync());
    gB.forEach((g, i) => expect(g).toBeCloseTo(gA[i]! + 0.1 * values[i]!, 12));
    // The other layer's gradient is untouched.
    expect(Array.from(gradsB.get(penalised.parameters()[2]!.tensor)!.readSync())).toEqual(Array.from(gradsA.get(plain.parameters()[2]!.tensor)!.readSync()));
  });

  it('predicts without labels: the loss is skipped', () => {
    const backend = new ReferenceBackend();
    const model = buildModel(example('mnist-mlp'), { backend });
    const { x } = batchFor(model, backend);
    const result = model.forward(x, undefined, { training: false });
    expect(result.loss).toBeNull();
    expect(result.outputs.has('loss')).toBe(false);
    expect(result.outputs.get('logits')![0]!.shape).toEqual([BATCH, 10]);
  });
});

describe('Dropout and BatchNorm inside a model', () => {
  const doc = (): GraphDocument => {
    const input: GraphDocumentInput = {
      format: 'netwright.graph',
      version: 1,
      nodes: [
        { id: 'in', type: 'Input', params: { shape: [6] } },
        { id: 'fc', type: 'Dense', params: { units: 8 } },
        { id: 'bn', type: 'BatchNorm' },
        { id: 'drop', type: 'Dropout', params: { rate: 0.5 } },
        { id: 'out', type: 'Dense', params: { units: 3 } },
        { id: 'loss', type: 'CrossEntropy' },
      ],
      edges: [
        { id: 'e1', source: { node: 'in', port: 'out' }, target: { node: 'fc', port: 'in' } },
        { id: 'e2', source: { node: 'fc', port: 'out' }, target: { node: 'bn', port: 'in' } },
        { id: 'e3', source: { node: 'bn', port: 'out' }, target: { node: 'drop', port: 'in' } },
        { id: 'e4', source: { node: 'drop', port: 'out' }, target: { node: 'out', port: 'in' } },
        { id: 'e5', source: { node: 'out', port: 'out' }, target: { node: 'loss', port: 'in' } },
      ],
    };
    return completeDocument(input);
  };

  it('dropout masks vary with the step in training; evaluation is deterministic and uses running statistics', () => {
    const backend = new ReferenceBackend();
    const model = buildModel(doc(), { backend });
    const { x, labels } = batchFor(model, backend, 5, 3);
    const dropped = (step: number) => Array.from(model.forward(x, labels, { training: true, step }).outputs.get('drop')![0]!.readSync());
    expect(dropped(1)).toEqual(dropped(1));
    expect(dropped(1)).not.toEqual(dropped(2));

    const evaluation = model.forward(x, labels, { training: false });
    // Identity in evaluation: Dropout's output is BatchNorm's output tensor itself.
    expect(evaluation.outputs.get('drop')![0]).toBe(evaluation.outputs.get('bn')![0]);
    const running = model.state().map((s) => `${s.nodeId}.${s.name}`);
    expect(running).toEqual(['bn.runningMean', 'bn.runningVariance']);
    // Four training forwards moved the running mean away from 0; evaluation does not move it.
    const mean = Array.from(model.state()[0]!.tensor.readSync());
    expect(mean.some((v) => v !== 0)).toBe(true);
    model.forward(x, labels, { training: false });
    expect(Array.from(model.state()[0]!.tensor.readSync())).toEqual(mean);
  });

  it('frees every parameter and state tensor on dispose', () => {
    const backend = new ReferenceBackend();
    const before = backend.memoryBytes();
    const model = buildModel(doc(), { backend });
    expect(backend.memoryBytes()).toBeGreaterThan(before);
    model.dispose();
    expect(backend.memoryBytes()).toBe(before);
  });
});
