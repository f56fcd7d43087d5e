// Tape tests: graph-node spans, stepping backward node by node (bit-identical to one full
// backward, in any valid node order), the op-level view, gradient accumulation for reused
// tensors, the no-tape inference path, and a flat memory level over many training steps.

import { describe, expect, it } from 'vitest';
import type { Backend, Values } from '../backends/backend.js';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { Random } from '../core/random.js';
import { assign, fromValues, variable, type Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { Tape, withoutTape } from './tape.js';

function randomValues(rng: Random, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));
}

function param(backend: Backend, rng: Random, shape: number[], scale = 0.5): Tensor {
  return variable(
    backend,
    shape,
    randomValues(
      rng,
      shape.reduce((a, b) => a * b, 1),
      scale,
    ),
  );
}

/** Cross-entropy of logits against one-hot targets, as the Loss node would compute it. */
function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
  return ops.neg(ops.mean(ops.sum(ops.mul(targets, ops.logSoftmax(logits)), -1)));
}

interface Model {
  readonly params: Tensor[];
  /** Records the forward pass, one span per graph node, and returns the loss. */
  forward(tape: Tape): Tensor;
}

function mlp(backend: Backend, seed = 1): Model {
  const rng = new Random(seed);
  const w1 = param(backend, rng, [5, 16]);
  const b1 = param(backend, rng, [16]);
  const w2 = param(backend, rng, [16, 3]);
  const b2 = param(backend, rng, [3]);
  const x = fromValues(backend, [8, 5], randomValues(rng, 40, 2), 'float32', 'persistent');
  const labels = fromValues(backend, [8], [0, 1, 2, 0, 1, 2, 0, 1], 'int32', 'persistent');
  return {
    params: [w1, b1, w2, b2],
    forward(tape) {
      const h1 = tape.span('dense1', () => ops.add(ops.matMul(x, w1), b1));
      const a1 = tape.span('act1', () => ops.sigmoid(h1));
      const z = tape.span('dense2', () => ops.add(ops.matMul(a1, w2), b2));
      return tape.span('loss', () => crossEntropy(z, ops.oneHot(labels, 3)));
    },
  };
}

/**
 * A small residual CNN: the ReLU output feeds two branches and the residual Add (three uses),
 * plus batchNorm and dropout nodes, so gradients accumulate across nodes.
 */
function residualCnn(backend: Backend, seed = 2): Model {
  const rng = new Random(seed);
  const k1 = param(backend, rng, [4, 3, 3, 3]);
  const c1 = param(backend, rng, [1, 4, 1, 1]);
  const gamma = param(backend, rng, [4]);
  const beta = param(backend, rng, [4]);
  const kA = param(backend, rng, [4, 4, 3, 3], 0.3);
  const kB = param(backend, rng, [4, 2, 1, 1], 0.3);
  const w = param(backend, rng, [64, 3], 0.3);
  const b = param(backend, rng, [3]);
  const x = fromValues(backend, [2, 3, 8, 8], randomValues(rng, 2 * 3 * 64), 'float32', 'persistent');
  const labels = fromValues(backend, [2], [2, 0], 'int32', 'persistent');
  return {
    params: [k1, c1, gamma, beta, kA, kB, w, b],
    forward(tape) {
      const c = tape.span('conv1', () => ops.add(ops.conv2d(x, k1, { pad: 1 }), c1));
      const n = tape.span('bn1', () => ops.batchNorm(c, gamma, beta).y);
      const h = tape.span('relu1', () => ops.relu(n));
      const a = tape.span('branchA', () => ops.conv2d(h, kA, { pad: 1 }));
      const bb = tape.span('branchB', () => ops.tanh(ops.conv2d(h, kB, { groups: 2 })));
      const sum = tape.span('add', () => ops.add(ops.add(h, a), bb));
      const d = tape.span('dropout', () => ops.dropout(sum, 0.25, 77, 0));
      const p = tape.span('pool', () => ops.maxPool(d, { kernel: 2 }));
      const f = tape.span('flatten', () => ops.flatten(p));
      const z = tape.span('dense', () => ops.add(ops.matMul(f, w), b));
      return tape.span('loss', () => crossEntropy(z, ops.oneHot(labels, 3)));
    },
  };
}

/** The exact bytes of every gradient, in parameter order. */
function bits(grads: (Tensor | null)[]): Uint8Array[] {
  return grads.map((g) => {
    const values: Values = g!.readSync();
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  });
}

describe('tape spans: stepping backward node by node', () => {
  for (const [name, build] of [
    ['MLP', mlp],
    ['residual CNN', residualCnn],
  ] as const) {
    it(`${name}: span-by-span backward equals one full backward, bit for bit`, () => {
      const backend = new ReferenceBackend();
      const model = build(backend);
      const tape = new Tape();
      const loss = tape.record(() => model.forward(tape));

      const full = tape.backward(loss);
      const fullBits = bits(model.params.map((p) => full.get(p)!));
      const fullIntermediates = tape.ops.filter((op) => full.has(op.output)).map((op) => full.get(op.output)!);

      tape.beginBackward(loss);
      for (const node of [...tape.nodes()].reverse()) tape.backwardSpan(node);
      const stepped = tape.gradients();
      expect(bits(model.params.map((p) => stepped.get(p)!))).toEqual(fullBits);
      // Every intermediate gradient too (the values on the debugger's edges).
      expect(bits(tape.ops.filter((op) => stepped.has(op.output)).map((op) => stepped.get(op.output)!))).toEqual(bits(fullIntermediates));
    });
  }

  it('any reverse topological order gives the same bits (branches stepped in either order)', () => {
    const backend = new ReferenceBackend();
    const model = residualCnn(backend);
    const tape = new Tape();
    const loss = tape.record(() => model.forward(tape));
    const reference = bits(model.params.map((p) => tape.backward(loss).get(p)!));

    const reversed = [...tape.nodes()].reverse();
    const swapped = reversed.slice();
    const ia = swapped.indexOf('branchA');
    const ib = swapped.indexOf('branchB');
    [swapped[ia], swapped[ib]] = [swapped[ib]!, swapped[ia]!];
    expect(swapped).not.toEqual(reversed);

    tape.beginBackward(loss);
    for (const node of swapped) {
      expect(tape.canRunBackward(node)).toBe(true);
      tape.backwardSpan(node);
    }
    expect(bits(model.params.map((p) => tape.gradOf(p)))).toEqual(reference);
  });

  it('refuses a node whose outputs are still awaited, naming the nodes to step first', () => {
    const backend = new ReferenceBackend();
    const model = residualCnn(backend);
    const tape = new Tape();
    const loss = tape.record(() => model.forward(tape));
    tape.beginBackward(loss);
    for (const node of ['loss', 'dense', 'flatten', 'pool', 'dropout', 'add']) tape.backwardSpan(node);
    expect(tape.canRunBackward('relu1')).toBe(false);
    expect(() => tape.backwardSpan('relu1')).toThrow(/used by ('branchB', 'branchA'|'branchA', 'branchB'), which must run backward first/);
    tape.backwardSpan('branchB');
    expect(() => tape.backwardSpan('branchB')).toThrow(/already run backward/);
    expect(() => tape.backwardSpan('nowhere')).toThrow(/no span was recorded/);
    // relu1's output gradient is incomplete until branchA has run.
    const reluOut = tape.opsOf('relu1')[0]!.output;
    expect(tape.gradReady(reluOut)).toBe(false);
    expect(() => tape.gradOf(reluOut)).toThrow(/incomplete.*'branchA'/);
    tape.backwardSpan('branchA');
    expect(tape.gradReady(reluOut)).toBe(true);
  });

  it('spans do not nest, and ops outside every span belong to node null', () => {
    const backend = new ReferenceBackend();
    const x = variable(backend, [2], [1, 2]);
    const tape = new Tape();
    expect(() => tape.span('a', () => tape.span('b', () => ops.exp(x)))).toThrow(/do not nest/);
    const fresh = new Tape();
    const loss = fresh.record(() => {
      const y = fresh.span('node', () => ops.exp(x));
      return ops.sum(y); // outside any span
    });
    expect(fresh.nodes()).toEqual(['node', null]);
    fresh.beginBackward(loss);
    fresh.backwardSpan(null);
    fresh.backwardSpan('node');
    expect(Array.from(fresh.gradOf(x)!.readSync())).toEqual([Math.exp(1), Math.exp(2)]);
  });
});

describe('tape op-level view', () => {
  it('opsOf lists each node’s ops with names, attrs, shapes and value handles', () => {
    const backend = new ReferenceBackend();
    const model = mlp(backend);
    const tape = new Tape();
    tape.record(() => model.forward(tape));
    const dense = tape.opsOf('dense1');
    expect(dense.map((op) => op.def.name)).toEqual(['matMul', 'add']);
    expect(dense[0]!.inputs.map((t) => t.shape)).toEqual([[8, 5], [5, 16]]);
    expect(dense[0]!.output.shape).toEqual([8, 16]);
    expect(dense[0]!.attrs).toEqual({ transA: false, transB: false });
    expect(dense[1]!.inputs[0]).toBe(dense[0]!.output);
    expect(dense[1]!.output.readSync()).toHaveLength(8 * 16);
    expect(tape.opsOf('act1').map((op) => op.def.name)).toEqual(['sigmoid']);
    expect(tape.opsOf('loss').map((op) => op.def.name)).toEqual(['oneHot', 'logSoftmax', 'mul', 'sum', 'sum', 'scale', 'neg']);
    expect(tape.nodes()).toEqual(['dense1', 'act1', 'dense2', 'loss']);
    expect(tape.opsOf('missing')).toEqual([]);
  });

  it('elementary mode records composite activations as textbook ops, with the same values', () => {
    const backend = new ReferenceBackend();
    const rng = new Random(3);
    const x = variable(backend, [3, 4], randomValues(rng, 12, 3));
    const activations = ['sigmoid', 'tanh', 'softplus', 'softmax', 'logSoftmax'] as const;
    const expectedOps: Record<(typeof activations)[number], string[]> = {
      sigmoid: ['neg', 'exp', 'scale', 'reciprocal'],
      tanh: ['scale', 'exp', 'scale', 'scale', 'div'],
      softplus: ['exp', 'scale', 'log'],
      softmax: ['max', 'sub', 'exp', 'sum', 'div'],
      logSoftmax: ['max', 'sub', 'exp', 'sum', 'log', 'sub'],
    };
    for (const name of activations) {
      const run = (elementary: boolean) => {
        const tape = new Tape({ elementary });
        const y = tape.record(() => tape.span(name, () => ops[name](x)));
        const seed = fromValues(backend, y.shape, randomValues(new Random(9), y.size));
        const g = tape.backward(y, seed).get(x)!;
        return { names: tape.opsOf(name).map((op) => op.def.name), y: y.readSync(), g: g.readSync() };
      };
      const fused = run(false);
      const elementary = run(true);
      expect(fused.names).toEqual([name]);
      expect(elementary.names).toEqual(expectedOps[name]);
      elementary.y.forEach((v, i) => expect(v).toBeCloseTo(fused.y[i]!, 12));
      elementary.g.forEach((v, i) => expect(v).toBeCloseTo(fused.g[i]!, 12));
    }
  });
});

describe('tape gradients', () => {
  it('accumulates the gradient of a tensor used several times', () => {
    const backend = new ReferenceBackend();
    const x = variable(backend, [3], [1, -2, 0.5]);
    const tape = new Tape();
    const loss = tape.record(() => ops.sum(ops.add(ops.mul(x, x), x))); // d/dx (x² + x) = 2x + 1
    expect(Array.from(tape.backward(loss).get(x)!.readSync())).toEqual([3, -3, 2]);
  });

  it('gives zeros through step, and nothing for tensors the loss does not use', () => {
    const backend = new ReferenceBackend();
    const x = variable(backend, [2], [1, -1]);
    const unused = variable(backend, [2], [3, 4]);
    const tape = new Tape();
    const loss = tape.record(() => {
      ops.exp(unused);
      return ops.sum(ops.step(x));
    });
    const grads = tape.backward(loss);
    expect(Array.from(grads.get(x)!.readSync())).toEqual([0, 0]);
    expect(grads.has(unused)).toBe(false);
    expect(tape.gradOf(unused)).toBeNull();
  });

  it('uses a given seed as the loss gradient', () => {
    const backend = new ReferenceBackend();
    const x = variable(backend, [2], [1, 2]);
    const tape = new Tape();
    const y = tape.record(() => ops.scale(x, 3));
    const g = tape.backward(y, fromValues(backend, [2], [10, -1])).get(x)!;
    expect(Array.from(g.readSync())).toEqual([30, -3]);
  });

  it('records nothing outside a tape or inside withoutTape', () => {
    const backend = new ReferenceBackend();
    const w = variable(backend, [2, 2], [1, 2, 3, 4]);
    const y = ops.relu(ops.matMul(w, w));
    expect(y.requiresGrad).toBe(false);
    const tape = new Tape();
    tape.record(() => withoutTape(() => ops.exp(w)));
    expect(tape.ops).toHaveLength(0);
    const z = tape.record(() => ops.exp(w));
    expect(z.requiresGrad).toBe(true);
    expect(tape.ops).toHaveLength(1);
  });

  it('does not record new ops once backward has begun', () => {
    const backend = new ReferenceBackend();
    const x = variable(backend, [1], [1]);
    const tape = new Tape();
    const y = tape.record(() => ops.exp(x));
    tape.backward(y);
    expect(() => tape.record(() => ops.exp(x))).toThrow(/after backward has begun/);
  });
});

describe('memory over many training steps', () => {
  it('reference memoryBytes returns to the same level after every endStep', () => {
    const backend = new ReferenceBackend();
    const model = residualCnn(backend);
    const before = backend.memoryBytes();
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      const tape = new Tape();
      const loss = tape.record(() => model.forward(tape));
      losses.push(loss.readSync()[0]!);
      const grads = tape.backward(loss);
      for (const p of model.params) assign(p, ops.sub(p, ops.scale(grads.get(p)!, 0.05)));
      backend.endStep();
      expect(backend.memoryBytes()).toBe(before);
    }
    // And it trains: the loss on this fixed batch falls.
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);
  });
});
