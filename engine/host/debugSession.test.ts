// The backprop debugger's engine side (engine/host/debugSession.ts), on the wasm backend the app
// debugs with: stepping backward node by node collects exactly (bit for bit) the gradients of a
// full backward pass for the MLP, CNN and residual templates; on the XOR lesson every node passes
// the float64 gradient check below 1e-6; the op-level view of a sigmoid carries forward values,
// gradients and local derivatives; an SGD step moves each weight by −lr·gradient.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tape } from '../autograd/tape.js';
import type { Backend } from '../backends/backend.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { Random } from '../core/random.js';
import { fromValues } from '../core/tensor.js';
import type { Dataset } from '../data/index.js';
import { fromWireTensor, loadDocument, type GraphDocument, type WireTensor } from '../protocol/index.js';
import { buildModel } from '../train/model.js';
import { gateDataset } from '../train/testing/datasets.js';
import { DebugSession } from './debugSession.js';

let backend: Backend;

beforeAll(async () => {
  backend = await createWasmBackend({ threads: 1 });
});

afterAll(() => backend?.dispose());

function graph(folder: 'examples' | 'lessons', name: string): GraphDocument {
  const loaded = loadDocument(readFileSync(new URL(`../../assets/${folder}/${name}.netwright.json`, import.meta.url), 'utf8'));
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return loaded.document!;
}

/** Eight random samples shaped for the graph's Input node, with labels among ten classes. */
function randomDataset(document: GraphDocument): Dataset {
  const input = document.nodes.find((n) => n.type === 'Input')!;
  const inputShape = input.params['shape'] as number[];
  const size = 8;
  const features = inputShape.reduce((a, b) => a * b, 1);
  const random = new Random(5);
  return {
    name: 'random',
    inputShape,
    size,
    x: Float32Array.from({ length: size * features }, () => random.uniform()),
    task: 'classification',
    y: Int32Array.from({ length: size }, () => random.int(10)),
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
  };
}

function bits(t: WireTensor | null | undefined): number[] | null {
  return t === null || t === undefined ? null : Array.from(new Uint8Array(t.data));
}

const SAMPLES = [0, 3, 5, 6];

describe('stepping backward node by node', () => {
  const templates = [
    ['MLP', 'mnist-mlp'],
    ['CNN', 'lenet'],
    ['residual', 'residual-block'],
  ] as const;
  // Elementary: composite activations recorded as the textbook's ops, as the app's debugger does.
  for (const [kind, name] of templates) for (const elementary of [false, true]) {
    it(`collects the gradients of a full backward pass, bit for bit (${kind} template, ${name}${elementary ? ', elementary ops' : ''})`, async () => {
      const document = graph('examples', name);
      const dataset = randomDataset(document);
      const session = await DebugSession.start({ document, dataset, backend, trained: null, samples: SAMPLES, elementary });
      try {
        // Step forward through every node, then backward through every node, as the UI does.
        for (let done = false; !done; ) done = (await session.forward()).done;
        const stepped = new Map<string, number[] | null>();
        for (let done = false; !done; ) {
          const step = await session.backward();
          for (const p of step.paramGrads) stepped.set(`${step.nodeId}.${p.name}`, bits(p.tensor));
          step.outputGrads.forEach((g, o) => stepped.set(`${step.nodeId}:out${o}`, bits(g)));
          done = step.done;
        }

        // The oracle: the same graph built again (same seed, so the same weights), the same
        // batch, one full tape.backward.
        const model = buildModel(document, { backend });
        try {
          const features = dataset.x.length / dataset.size;
          const x = fromValues(backend, [SAMPLES.length, ...dataset.inputShape], SAMPLES.flatMap((s) => Array.from(dataset.x.subarray(s * features, (s + 1) * features))));
          x.requiresGrad = true;
          const labels = fromValues(backend, [SAMPLES.length], SAMPLES.map((s) => dataset.y[s]!), 'int32');
          const tape = new Tape({ elementary });
          const result = model.forward(x, labels, { training: true, tape, step: 0 });
          const grads = tape.backward(result.loss!);
          const wire = (t: { id: unknown; shape: readonly number[] } | undefined): number[] | null => {
            const g = t === undefined ? undefined : grads.get(t as never);
            return g === undefined ? null : bits({ dtype: 'float32', shape: [...g.shape], data: Float32Array.from(g.readSync()).buffer });
          };
          let compared = 0;
          for (const p of model.parameters()) {
            expect(stepped.get(`${p.nodeId}.${p.name}`), `${p.nodeId}.${p.name}`).toEqual(wire(p.tensor));
            compared++;
          }
          for (const id of model.order) {
            (result.outputs.get(id) ?? []).forEach((y, o) => {
              expect(stepped.get(`${id}:out${o}`) ?? null, `${id} output ${o}`).toEqual(wire(y));
              compared++;
            });
          }
          expect(compared).toBeGreaterThan(model.order.length);
        } finally {
          model.dispose();
        }
      } finally {
        session.end();
      }
    });
  }
});

describe('the XOR lesson in the debugger', () => {
  const document = graph('lessons', 'xor-two-layer');
  const start = (elementary: boolean) => DebugSession.start({ document, dataset: gateDataset('xor'), backend, trained: null, samples: [0, 1, 2, 3], elementary });

  it('passes the float64 gradient check on every node (relative error below 1e-6), with timings', async () => {
    const session = await start(true);
    try {
      for (const nodeId of session.summary.forwardOrder) {
        const check = await session.gradCheck(nodeId, 64, 1e-5);
        console.log(
          `gradCheck ${nodeId.padEnd(8)} ${String(check.checks.length).padStart(2)} elements  max relative error ${check.maxRelativeError.toExponential(2)}  ` +
            `analytic ${check.analyticMs.toFixed(2)} ms  numeric ${check.numericMs.toFixed(2)} ms (${check.evaluations} evaluations)`,
        );
        expect(check.checks.length, nodeId).toBeGreaterThan(0);
        expect(check.maxRelativeError, nodeId).toBeLessThan(1e-6);
        expect(check.kinks, nodeId).toBe(0);
        expect(check.analyticMs).toBeGreaterThan(0);
        expect(check.numericMs).toBeGreaterThan(0);
        // Nothing trivially zero: every check compares real gradients.
        expect(check.checks.some((c) => Math.abs(c.analytic) > 1e-4), nodeId).toBe(true);
      }
      // A too-large step never passes silently: the curved loss makes the central difference
      // disagree, or its one-sided slopes differ so much that the elements are flagged.
      const coarse = await session.gradCheck('hidden', 8, 0.5);
      expect(coarse.maxRelativeError > 1e-6 || coarse.kinks > 0).toBe(true);
    } finally {
      session.end();
    }
  });

  it('flags a kink (ReLU at exactly 0) instead of failing the check, and still checks every other element', async () => {
    // The XOR graph with ReLU for tanh: sample (0, 0) puts the hidden pre-activations at exactly
    // the zero bias, on ReLU's corner, so perturbing the bias crosses it.
    const relu: GraphDocument = { ...document, nodes: document.nodes.map((n) => (n.id === 'tanh' ? { ...n, type: 'ReLU' } : n)) };
    const session = await DebugSession.start({ document: relu, dataset: gateDataset('xor'), backend, trained: null, samples: [0, 1, 2, 3], elementary: false });
    try {
      const check = await session.gradCheck('hidden', 64, 1e-5);
      const kinks = check.checks.filter((c) => c.kink);
      console.log(`ReLU XOR, node hidden: ${check.checks.length} elements, ${check.kinks} at a kink, max relative error elsewhere ${check.maxRelativeError.toExponential(2)}`);
      expect(check.kinks).toBe(kinks.length);
      expect(kinks.length).toBeGreaterThan(0);
      expect(kinks.every((c) => c.param === 'bias')).toBe(true);
      // At the kink the central difference is off (half the one-sided slope), and that is why it is excluded.
      expect(Math.max(...kinks.map((c) => c.relativeError))).toBeGreaterThan(1e-3);
      expect(check.maxRelativeError).toBeLessThan(1e-6);
      expect(check.checks.length - kinks.length).toBeGreaterThan(10);
    } finally {
      session.end();
    }
  });

  it("expands the sigmoid node into neg, exp, +1, reciprocal with forward values and, after backward, gradients", async () => {
    const session = await start(true);
    try {
      let sigmoidOut: Float32Array | null = null;
      for (let done = false; !done; ) {
        const step = await session.forward();
        if (step.nodeId === 'sigmoid') sigmoidOut = fromWireTensor(step.outputs[0]!) as Float32Array;
        done = step.done;
      }
      const before = await session.expand('sigmoid');
      expect(before.ops.map((o) => o.name)).toEqual(['neg', 'exp', 'scale', 'reciprocal']);
      expect(before.ops[2]!.attrs).toMatchObject({ alpha: 1, beta: 1 });
      const last = before.ops[3]!;
      expect(Array.from(fromWireTensor(last.output.value!))).toEqual(Array.from(sigmoidOut!));
      expect(last.output.grad).toBeNull();
      // The first op reads the Dense node's output; the others read the op before.
      expect(before.ops[0]!.inputs[0]!.producer?.nodeId).toBe('out');
      expect(before.ops[1]!.inputs[0]!.producer?.op).toBe(before.ops[0]!.index);

      await session.backward(); // loss
      await session.backward(); // sigmoid
      const after = await session.expand('sigmoid');
      const y = fromWireTensor(after.ops[3]!.output.value!);
      const dy = fromWireTensor(after.ops[3]!.output.grad!);
      const u = fromWireTensor(after.ops[3]!.inputs[0]!.value!); // 1 + e^−x
      const local = fromWireTensor(after.ops[3]!.inputs[0]!.local!); // d(1/u)/du = −1/u²
      const du = fromWireTensor(after.ops[3]!.inputs[0]!.grad!);
      for (let i = 0; i < y.length; i++) {
        expect(local[i]).toBeCloseTo(-1 / (u[i]! * u[i]!), 6);
        // The chain rule, op by op: upstream × local = downstream.
        expect(du[i]).toBeCloseTo(dy[i]! * local[i]!, 6);
      }
      // And for the node as a whole: dL/dx = dL/dy · y(1 − y).
      const dx = fromWireTensor(after.ops[0]!.inputs[0]!.grad!);
      for (let i = 0; i < y.length; i++) expect(dx[i]).toBeCloseTo(dy[i]! * y[i]! * (1 - y[i]!), 6);
    } finally {
      session.end();
    }
  });

  it('an SGD optimizer step changes each weight by −lr × gradient, and reports the new weight', async () => {
    expect(document.training.optimizer).toMatchObject({ type: 'sgd', lr: 0.5 });
    const session = await start(false);
    try {
      const before = new Map((await Promise.all(buildWeights(session))).map((w) => [w.key, w.values]));
      const step = session.optimizerStep();
      expect(step.optimizer).toBe('sgd');
      expect(step.lr).toBe(0.5);
      expect(step.updates.map((u) => `${u.nodeId}.${u.name}`)).toEqual(['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']);
      for (const update of step.updates) {
        const grad = fromWireTensor(update.grad);
        const delta = fromWireTensor(update.delta);
        const value = fromWireTensor(update.value);
        const w = before.get(`${update.nodeId}.${update.name}`)!;
        expect(grad.some((g) => Math.abs(g) > 1e-4)).toBe(true);
        for (let i = 0; i < delta.length; i++) {
          // float32: W + ΔW rounds to W's precision, so ΔW equals −lr·g to about one ulp of W.
          expect(Math.abs(delta[i]! - -0.5 * grad[i]!)).toBeLessThan(1e-6);
          expect(value[i]).toBe(Math.fround(w[i]! + delta[i]!));
        }
      }
    } finally {
      session.end();
    }
  });
});

function buildWeights(session: DebugSession): Promise<{ key: string; values: Float32Array }>[] {
  return session.model.parameters().map(async (p) => ({ key: `${p.nodeId}.${p.name}`, values: Float32Array.from(await p.tensor.backend.read(p.tensor.id)) }));
}
