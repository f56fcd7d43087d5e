// Lesson 1 on the trainer: a single Perceptron learns AND, OR and NAND by Rosenblatt's rule and
// cannot learn XOR (at most 3 of 4 rows); the two-layer XOR lesson learns XOR by backprop. The
// lesson graphs are the ones in assets/lessons, with their own seeds.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { loadDocument, type GraphDocument } from '../protocol/index.js';
import { gateDataset, type Gate } from './testing/datasets.js';
import { evaluate, Trainer } from './trainer.js';

function lesson(name: string): GraphDocument {
  const loaded = loadDocument(readFileSync(new URL(`../../assets/lessons/${name}.netwright.json`, import.meta.url), 'utf8'));
  if (loaded.document === undefined) throw new Error(`${name}: ${loaded.diagnostics[0]?.message.en}`);
  return loaded.document;
}

describe('lesson 1: perceptrons and XOR', () => {
  const backend = new ReferenceBackend();
  afterAll(() => backend.dispose());

  async function trainGate(doc: GraphDocument, gate: Gate): Promise<{ accuracy: number; perceptron: boolean }> {
    const data = gateDataset(gate);
    const trainer = new Trainer({ document: doc, train: data, backend });
    const result = await trainer.run();
    expect(result.status).toBe('completed');
    const metrics = await evaluate(trainer.model, doc, data);
    const perceptron = trainer.plan.perceptronId !== null;
    trainer.dispose();
    return { accuracy: metrics.accuracy!, perceptron };
  }

  for (const gate of ['and', 'or', 'nand'] as const) {
    it(`a perceptron learns ${gate.toUpperCase()} (100%) by the perceptron rule`, async () => {
      const { accuracy, perceptron } = await trainGate(lesson(`perceptron-${gate}`), gate);
      expect(perceptron).toBe(true);
      expect(accuracy).toBe(1);
    });
  }

  it('a perceptron cannot learn XOR: at most 75%, for every seed tried', async () => {
    const doc = lesson('perceptron-xor');
    for (const seed of [1, 2, 3, 4, 5]) {
      const { accuracy } = await trainGate({ ...doc, training: { ...doc.training, seed, epochs: 50 } }, 'xor');
      expect(accuracy).toBeLessThanOrEqual(0.75);
    }
  });

  it('the two-layer network learns XOR (100%) by backpropagation', async () => {
    const { accuracy, perceptron } = await trainGate(lesson('xor-two-layer'), 'xor');
    expect(perceptron).toBe(false);
    expect(accuracy).toBe(1);
  });

  it('refuses a Perceptron inside a multi-layer graph, explaining why, in both languages', () => {
    const doc = lesson('perceptron-and');
    const deeper: GraphDocument = {
      ...doc,
      nodes: [...doc.nodes.filter((n) => n.id !== 'error'), { id: 'out', type: 'Dense', params: { units: 1 }, position: { x: 0, y: 300 } }, { ...doc.nodes.find((n) => n.id === 'error')!, position: { x: 0, y: 400 } }],
      edges: [doc.edges[0]!, { id: 'e2', source: { node: 'perceptron', port: 'out' }, target: { node: 'out', port: 'in' } }, { id: 'e3', source: { node: 'out', port: 'out' }, target: { node: 'error', port: 'in' } }],
    };
    expect(() => new Trainer({ document: deeper, train: gateDataset('and'), backend })).toThrow(/perceptron rule.*single layer/);
  });
});
