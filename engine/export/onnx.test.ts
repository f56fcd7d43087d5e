// ONNX export: the MLP, CNN and residual (+BatchNorm) templates, trained a few steps, run in
// ONNX Runtime and agree with the engine's forward pass (eval mode) on 100 MNIST test digits;
// nodes without an ONNX form are refused by name; the protobuf writer's varints.

import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { fromValues } from '../core/tensor.js';
import { loadDataset, type DatasetSplits } from '../data/index.js';
import { train } from '../host/api.js';
import { completeDocument, type GraphDocument } from '../protocol/index.js';
import { exportOnnx, modelWeights, type Weights } from './onnx.js';
import { ProtoWriter, readVarint } from './protobuf.js';
import { readGraph, residualMnist } from './testing/templates.js';

const SAMPLES = 100;
let backend: Backend;
let mnist: DatasetSplits;

beforeAll(async () => {
  backend = await createWasmBackend({ threads: 1 });
  mnist = await loadDataset({ name: 'mnist' });
});
afterAll(() => backend.dispose());

/** Trains 20 steps, then returns the weights and the engine's eval-mode prediction for the first test samples. */
async function trainedPrediction(doc: GraphDocument): Promise<{ weights: Weights; expected: Float32Array; inputId: string; shape: number[] }> {
  let result: { weights: Weights; expected: Float32Array; inputId: string; shape: number[] } | undefined;
  await train(doc, {
    backend,
    dataset: mnist,
    maxSteps: 20,
    onModel: async (model) => {
      const test = mnist.test!;
      const inputId = model.inputIds[0]!;
      const shape = [...model.outputShapes(inputId)[0]!];
      const width = shape.reduce((a, b) => a * b, 1);
      const x = fromValues(backend, [SAMPLES, ...shape], test.x.subarray(0, SAMPLES * width), 'float32', 'step');
      const out = model.forward(x, undefined, { training: false });
      const lossId = model.lossIds[0]!;
      const predictionId = doc.edges.find((e) => e.target.node === lossId && e.target.port === 'in')!.source.node;
      const expected = Float32Array.from(await out.outputs.get(predictionId)![0]!.read());
      backend.endStep();
      result = { weights: await modelWeights(model), expected, inputId, shape };
    },
  });
  return result!;
}

describe('ONNX export runs in ONNX Runtime', () => {
  const cases: Array<[string, () => GraphDocument]> = [
    ['MNIST MLP', () => readGraph('assets/lessons/mnist-mlp.netwright.json')],
    ['MNIST CNN', () => readGraph('assets/lessons/mnist-cnn.netwright.json')],
    ['residual block with BatchNorm', residualMnist],
  ];
  for (const [name, make] of cases) {
    it(`${name}: outputs match the engine within 1e-4 on ${SAMPLES} samples`, async () => {
      const doc = make();
      const { weights, expected, inputId, shape } = await trainedPrediction(doc);
      const bytes = exportOnnx(doc, weights);
      const session = await ort.InferenceSession.create(bytes);
      const width = shape.reduce((a, b) => a * b, 1);
      const input = new ort.Tensor('float32', Float32Array.from(mnist.test!.x.subarray(0, SAMPLES * width)), [SAMPLES, ...shape]);
      const outputs = await session.run({ [inputId]: input });
      const actual = outputs[session.outputNames[0]!]!.data as Float32Array;
      expect(actual.length).toBe(expected.length);
      let maxAbs = 0;
      for (let i = 0; i < actual.length; i++) maxAbs = Math.max(maxAbs, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
      console.log(`onnx ${name}: max difference ${maxAbs.toExponential(2)} over ${actual.length} outputs`);
      expect(maxAbs).toBeLessThan(1e-4);
    });
  }
});

describe('nodes without an ONNX mapping', () => {
  it('names the Step node it cannot export', () => {
    const doc = completeDocument({
      format: 'netwright.graph',
      version: 1,
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [2] } },
        { id: 'fc', type: 'Dense', params: { units: 1 } },
        { id: 'gate "θ"', type: 'Step', label: 'threshold' },
        { id: 'loss', type: 'MSE' },
      ],
      edges: [
        { id: 'e1', source: { node: 'x', port: 'out' }, target: { node: 'fc', port: 'in' } },
        { id: 'e2', source: { node: 'fc', port: 'out' }, target: { node: 'gate "θ"', port: 'in' } },
        { id: 'e3', source: { node: 'gate "θ"', port: 'out' }, target: { node: 'loss', port: 'in' } },
      ],
      training: { dataset: { name: 'and' } },
    });
    const weights = new Map([
      ['fc.weight', { shape: [2, 1], data: new Float32Array(2) }],
      ['fc.bias', { shape: [1], data: new Float32Array(1) }],
    ]);
    expect(() => exportOnnx(doc, weights)).toThrow(/Step "gate \\"θ\\"" \("threshold"\) has no ONNX mapping/);
  });

  it('names the Perceptron of a perceptron lesson', () => {
    const doc = readGraph('assets/lessons/perceptron-and.netwright.json');
    const perceptron = doc.nodes.find((n) => n.type === 'Perceptron')!;
    expect(() => exportOnnx(doc, new Map())).toThrow(new RegExp(`Perceptron "${perceptron.id}".*has no ONNX mapping`));
  });
});

describe('protobuf writer', () => {
  it('writes varints as protobuf does, negatives as 10 bytes', () => {
    const bytes = new ProtoWriter().varint(1, 300).varint(2, -1).finish();
    expect([...bytes.subarray(0, 3)]).toEqual([0x08, 0xac, 0x02]);
    expect(bytes[3]).toBe(0x10);
    const negative = readVarint(bytes, 4);
    expect(BigInt.asIntN(64, negative.value)).toBe(-1n);
    expect(negative.next).toBe(bytes.length);
    expect(bytes.length - 4).toBe(10);
  });
});
